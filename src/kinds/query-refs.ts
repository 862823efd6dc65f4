import type { Json, JsonObject } from '../json.js';
import { walkObjects } from './normalize.js';
import type { Link } from './types.js';

/**
 * Where a PostHog query or filter tree points at other objects (posthog-api.md §9; the places
 * `find_action_references` in posthog/api/action.py looks): actions (`ActionsNode`,
 * `actionId`, `{type: "actions", id}` entries), cohorts (cohort property filters, cohort
 * breakdowns) and colour themes. Each holds an id in PostHog and, for managed kinds, a key in files.
 */
export function linksIn(tree: Json, base: string): Link[] {
  const links: Link[] = [];
  walkObjects(tree, (obj, pointer) => {
    const at = `${base}${pointer}`;
    const kind = obj.kind;
    if ((kind === 'ActionsNode' || kind === 'FunnelExclusionActionsNode') && isRef(obj.id)) {
      links.push({ type: 'actions', value: obj.id, path: `${at}/id` });
    } else if (kind === undefined && obj.type === 'actions' && isRef(obj.id)) {
      // RetentionEntity and hog-function filter entries: {type: "actions", id}
      links.push({ type: 'actions', value: obj.id, path: `${at}/id` });
    }
    if (isRef(obj.actionId)) links.push({ type: 'actions', value: obj.actionId, path: `${at}/actionId` });
    if (obj.type === 'cohort' && obj.key === 'id' && isRef(obj.value)) {
      links.push({ type: 'cohorts', value: obj.value, path: `${at}/value` });
    }
    if (obj.breakdown_type === 'cohort') {
      const b = obj.breakdown;
      const ids = Array.isArray(b) ? b : [b];
      ids.forEach((id, i) => {
        // "all" is the built-in all-users cohort, not an id.
        if (isRef(id) && id !== 'all')
          links.push({ type: 'cohorts', value: id, path: Array.isArray(b) ? `${at}/breakdown/${i}` : `${at}/breakdown` });
      });
    }
    if (typeof obj.dataColorTheme === 'number')
      links.push({ type: 'color_themes', value: obj.dataColorTheme, path: `${at}/dataColorTheme` });
  });
  return links;
}

/** An id (an integer, or digits) or a key (a non-empty string). */
function isRef(v: Json | undefined): v is number | string {
  return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && v.length > 0);
}

/** Every HogQLQuery node (the SQL of a SQL insight), with its pointer. */
export function hogqlNodes(tree: Json, base = ''): Array<{ node: JsonObject; pointer: string }> {
  const out: Array<{ node: JsonObject; pointer: string }> = [];
  walkObjects(tree, (obj, pointer) => {
    if (obj.kind === 'HogQLQuery') out.push({ node: obj, pointer: `${base}${pointer}` });
  });
  return out;
}

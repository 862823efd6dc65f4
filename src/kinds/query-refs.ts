import type { Json, JsonObject } from '../json.js';
import { walkObjects } from './normalize.js';
import type { ForeignRef } from './types.js';

/**
 * Ids of unmanaged objects inside a PostHog query or filter tree (posthog-api.md §9):
 * action ids, cohort ids and colour themes differ between projects.
 */
export function foreignRefsIn(tree: Json, base: string): ForeignRef[] {
  const refs: ForeignRef[] = [];
  walkObjects(tree, (obj, pointer) => {
    const at = `${base}${pointer}`;
    const kind = obj.kind;
    if ((kind === 'ActionsNode' || kind === 'FunnelExclusionActionsNode') && isId(obj.id)) {
      refs.push({ type: 'actions', id: obj.id, path: `${at}/id` });
    } else if (kind === undefined && obj.type === 'actions' && isId(obj.id)) {
      // RetentionEntity and hog-function filter entries: {type: "actions", id}
      refs.push({ type: 'actions', id: obj.id, path: `${at}/id` });
    }
    if (isId(obj.actionId)) refs.push({ type: 'actions', id: obj.actionId, path: `${at}/actionId` });
    if (obj.type === 'cohort' && obj.key === 'id' && isId(obj.value)) {
      refs.push({ type: 'cohorts', id: obj.value, path: `${at}/value` });
    }
    if (obj.breakdown_type === 'cohort') {
      const b = obj.breakdown;
      const ids = Array.isArray(b) ? b : [b];
      ids.forEach((id, i) => {
        // "all" is the built-in all-users cohort, not an id.
        if (isId(id) && id !== 'all') refs.push({ type: 'cohorts', id, path: Array.isArray(b) ? `${at}/breakdown/${i}` : `${at}/breakdown` });
      });
    }
    if (isId(obj.dataColorTheme)) refs.push({ type: 'color_themes', id: obj.dataColorTheme, path: `${at}/dataColorTheme` });
  });
  return refs;
}

function isId(v: Json | undefined): v is number | string {
  return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v));
}

/** Every HogQLQuery node (the SQL of a SQL insight), with its pointer. */
export function hogqlNodes(tree: Json, base = ''): Array<{ node: JsonObject; pointer: string }> {
  const out: Array<{ node: JsonObject; pointer: string }> = [];
  walkObjects(tree, (obj, pointer) => {
    if (obj.kind === 'HogQLQuery') out.push({ node: obj, pointer: `${base}${pointer}` });
  });
  return out;
}

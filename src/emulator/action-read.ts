// ActionSerializer output and `find_action_references` (products/actions/backend/api/action.py).
import { isObject, type Json, type JsonObject } from './json.js';
import { orderWithUnorderedTies } from './ordering.js';
import type { ProjectStore, StoredAction } from './types.js';
import { userBasic } from './users.js';

/** Python's `re.escape` (3.7+): only the characters special in a pattern. */
const reEscape = (s: string) => s.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (c) => `\\${c}`);

/**
 * `get_selector_regex` → `build_selector_regex(Selector(selector))`. A stand-in: PostHog's
 * builder changes often and its exact text is not part of any contract (its tests say ANY), so
 * this one covers tags, classes, ids and attributes in the same spirit, deterministically.
 */
function selectorRegex(selector: Json): string | null {
  if (typeof selector !== 'string' || !selector) return null;
  let regex = '';
  let direct = false;
  for (const token of selector.trim().split(/\s+/)) {
    if (token === '>') {
      direct = true;
      continue;
    }
    if (regex && !direct) regex += '.*';
    direct = false;
    const tag = /^[a-zA-Z][\w-]*/.exec(token)?.[0];
    const classes = [...token.matchAll(/\.([\w-]+)/g)].map((m) => m[1] as string).sort();
    const attrs: Array<[string, string]> = [...token.matchAll(/\[([\w-]+)=["']?([^"'\]]*)["']?\]/g)].map((m) => [
      `attr__${m[1]}`,
      m[2] as string,
    ]);
    const id = /#([\w-]+)/.exec(token)?.[1];
    if (id) attrs.push(['attr_id', id]);
    if (tag) regex += reEscape(tag);
    if (classes.length) regex += `.*?\\.${classes.map(reEscape).join('\\..*?')}`;
    for (const [k, v] of attrs.sort()) regex += `.*?${reEscape(k)}="${reEscape(v)}".*?`;
    regex += '[^;]*?($|;|:([^;^\\s]*(;|$|\\s)))';
  }
  return regex ? `(^|;)${regex}` : null;
}

/** ActionStepJSONSerializer's declared order, with the read-only `selector_regex`. */
function stepOut(step: JsonObject): JsonObject {
  return {
    event: step.event ?? null,
    properties: step.properties ?? null,
    selector: step.selector ?? null,
    selector_regex: selectorRegex(step.selector ?? null),
    tag_name: step.tag_name ?? null,
    text: step.text ?? null,
    text_matching: step.text_matching ?? null,
    href: step.href ?? null,
    href_matching: step.href_matching ?? null,
    url: step.url ?? null,
    url_matching: step.url_matching ?? null,
  };
}

/**
 * The full serializer. `user_access_level` is what UserAccessControl gives: the creator manages
 * the object, any other member of the project edits it.
 */
export function actionOut(project: ProjectStore, action: StoredAction, userId: number, pinnedAnswer?: string): JsonObject {
  return {
    id: action.id,
    name: action.name,
    description: action.description,
    tags: project.tagging ? [...action.tags] : [],
    post_to_slack: action.post_to_slack,
    slack_message_format: action.slack_message_format,
    steps: action.steps.map(stepOut),
    created_at: action.created_at,
    created_by: userBasic(action.created_by),
    deleted: action.deleted,
    is_calculating: false,
    last_calculated_at: action.last_calculated_at,
    team_id: project.id,
    is_action: true,
    bytecode_error: action.bytecode_error,
    pinned_at: pinnedAnswer ?? action.pinned_at,
    creation_context: null,
    user_access_level: action.created_by === userId ? 'manager' : 'editor',
  };
}

/** jsonb equality with `$id` (a number) or `$id_str` (its text), as the jsonpath filters compare. */
const sameId = (v: Json | undefined, id: number) => v === id || v === String(id);

/** `$.** ? (…)`: some object at any depth (the root included) matches. */
function anyDeep(value: Json, test: (o: JsonObject) => boolean): boolean {
  if (Array.isArray(value)) return value.some((v) => anyDeep(v, test));
  if (!isObject(value)) return false;
  return test(value) || Object.values(value).some((v) => anyDeep(v, test));
}

/** `_ACTION_JSONPATH`: an ActionsNode, an `actionId`, or a `{type: "actions", id}` entity. */
const actionNode = (id: number) => (o: JsonObject) =>
  (o.kind === 'ActionsNode' && sameId(o.id, id)) || sameId(o.actionId, id) || (o.type === 'actions' && sameId(o.id, id));

/** `_ACTIONS_ARRAY_JSONPATH`: `$.actions[*] ? (@.id == …)`. */
const inActionsArray = (filters: Json, id: number) =>
  isObject(filters) && Array.isArray(filters.actions) && filters.actions.some((a) => isObject(a) && sameId(a.id, id));

/** A cohort's behavioural leaf on this action: the key, or the sequence's second event. */
const cohortUses = (filters: Json, id: number) =>
  anyDeep(filters, (o) => (o.event_type === 'actions' && sameId(o.key, id)) || (o.seq_event_type === 'actions' && sameId(o.seq_event, id)));

interface Reference {
  type: string;
  id: string;
  name: string;
  url: string;
  created_at: string | null;
  created_by: number | null;
}

/**
 * `find_action_references`: live insights (query or legacy filters), then cohorts (filters only,
 * not legacy groups), then hog functions (top-level `filters.actions`), at most 50 in all.
 * Experiments are not emulated. None of the queries has an ORDER BY, so each block comes back in
 * no particular order (drawn per request).
 */
export function findActionReferences(project: ProjectStore, id: number, random: () => number, cap = 50): Reference[] {
  const insights = project.insights
    .filter((i) => !i.deleted && (anyDeep(i.query, actionNode(id)) || anyDeep(i.filters, actionNode(id)) || inActionsArray(i.filters, id)))
    .map((i) => ({
      type: 'insight',
      id: i.short_id,
      name: i.name || i.derived_name || 'Unnamed',
      url: `/insights/${i.short_id}`,
      created_at: i.created_at,
      created_by: i.created_by,
    }));
  const cohorts = project.cohorts
    .filter((c) => !c.deleted && cohortUses(c.filters, id))
    .map((c) => ({
      type: 'cohort',
      id: String(c.id),
      name: c.name || 'Unnamed',
      url: `/cohorts/${c.id}`,
      created_at: c.created_at,
      created_by: c.created_by,
    }));
  const functions = project.hogFunctions
    .filter((f) => !f.deleted && inActionsArray(f.filters, id))
    .map((f) => ({
      type: 'hog_function',
      id: f.id,
      name: f.name || 'Unnamed',
      url: `/functions/${f.id}`,
      created_at: f.created_at,
      created_by: f.created_by,
    }));
  const refs: Reference[] = [];
  for (const block of [insights, cohorts, functions]) refs.push(...orderWithUnorderedTies(block, random).slice(0, cap - refs.length));
  return refs;
}

export const referenceOut = (r: Reference): JsonObject => ({ ...r, created_by: userBasic(r.created_by) });

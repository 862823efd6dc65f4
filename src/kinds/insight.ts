import { isObject, type Json, type JsonObject } from '../json.js';
import { dropDefaults, fillDefaults, mapObjects, normalizeCode, omit, pick, sortedSet, tagSet, text, trimFields } from './normalize.js';
import { hogqlNodes, linksIn } from './query-refs.js';
import { defineKind } from './define.js';
import type { CheckProblem, Link } from './types.js';

// Writable fields of InsightSerializer (posthog-api.md §2.1, §10) that a user authors. `deleted`
// and every computed/cache field are server-managed and never reach a file. `order` is a legacy
// list position the light serializer (`basic=true`, which lists are read with) does not carry.
const WRITABLE = ['name', 'derived_name', 'description', 'tags', 'favorited', 'dashboards', 'saved', 'query', 'filters'] as const;

// What the server stores when a field is omitted; a file leaves these out.
const DEFAULTS: Record<string, Json> = {
  name: null,
  derived_name: null,
  description: '',
  tags: [],
  favorited: false,
  dashboards: [],
  filters: {},
  saved: true,
};

// Sent on update for fields a file removed, so that removing a line clears the value.
// Legacy filters are left as they are: a query supersedes them.
const CLEARED: Record<string, Json> = omit(DEFAULTS as JsonObject, ['filters']);

const VARIABLE = 'InsightVariable';
const SQL_CONTAINERS = new Set(['DataVisualizationNode', 'DataTableNode', 'HogQLQuery']);

/**
 * One walk over a query: server-added schema `version`s go (posthog-api.md §2.3: they say
 * nothing about what the user authored), and HogQL text is kept as PostHog keeps it
 * (CRLF → LF, surrounding whitespace trimmed).
 */
function normalizeQuery(query: Json): Json {
  return mapObjects(query, (obj) => {
    if (typeof obj.kind !== 'string') return obj;
    let out = 'version' in obj ? omit(obj, ['version']) : obj;
    if (out.kind === 'HogQLQuery' && typeof out.query === 'string') out = { ...out, query: (normalizeCode(out.query) as string) ?? '' };
    return out;
  });
}

/**
 * `HogQLQuery.variables` is keyed by variable UUID with `{variableId, code_name, value?}`
 * (posthog-api.md §3.3), where `variableId` is the id PostHog goes by: the entry is named by it
 * here, so that the reference translation (kinds/references.ts) finds it. Files key it by the
 * variable's key and keep only what the user chose (value, isNull).
 */
function variablesById(query: Json): Json {
  return mapObjects(query, (obj) => {
    if (obj.kind !== 'HogQLQuery' || !isObject(obj.variables)) return obj;
    const byId: JsonObject = {};
    for (const [id, entry] of Object.entries(obj.variables))
      byId[isObject(entry) && typeof entry.variableId === 'string' ? entry.variableId : id] = entry;
    return { ...obj, variables: byId };
  });
}

/** Entries as files keep them: the id and code_name PostHog repeats inside each entry say nothing the entry's name does not. */
function withoutVariableIds(query: Json): Json {
  return mapObjects(query, (obj) => {
    if (obj.kind !== 'HogQLQuery' || !isObject(obj.variables)) return obj;
    const out: JsonObject = {};
    for (const [name, entry] of Object.entries(obj.variables))
      out[name] = isObject(entry) ? omit(entry, ['variableId', 'code_name']) : entry;
    return { ...obj, variables: out };
  });
}

function normalize(spec: JsonObject): JsonObject {
  const out: JsonObject = { ...spec };
  trimFields(out, ['name', 'derived_name', 'description']);
  if (out.tags !== undefined) out.tags = tagSet(out.tags);
  // Dashboard membership is a set of tiles; order carries no meaning.
  if (Array.isArray(out.dashboards)) out.dashboards = sortedSet(out.dashboards);
  if (out.query !== undefined && out.query !== null) out.query = withoutVariableIds(normalizeQuery(out.query));
  // With a query, PostHog answers `filters: {}` whatever legacy filters were sent.
  if (isObject(out.query)) delete out.filters;
  return dropDefaults(pick(out, WRITABLE), DEFAULTS);
}

const insight = defineKind({
  kind: 'Insight',
  cliName: 'insight',
  folder: 'insights',
  apiPath: 'insights/',
  pagination: 'offset',
  // The default order (`order`, NULL for nearly every insight) has no tie-breaker, so its pages
  // repeat and skip rows; `id` is a total order. The light serializer skips the per-row work
  // (cache, permissions, alerts) of the full one and carries every field a file keeps.
  listQuery: { order: 'id', basic: 'true' },
  retrieveQuery: { basic: 'true' },
  rateBucket: 'insights',
  scope: 'insight',
  deleteStyle: 'soft',
  // InsightViewSet's soft delete (posthog-api.md §10): alerts go for good, dashboard tiles are soft-deleted.
  deleteNote: 'PostHog deletes its alerts with it for good and takes it off its dashboards (a restore brings both back from their files)',
  refsType: 'insights',
  idFormat: 'integer',
  // Written after what it names: its variables, the dashboards it sits on, the actions and cohorts its query uses.
  dependsOn: [VARIABLE, 'Dashboard', 'Action', 'Cohort'],
  autoAdopt: false,
  createOnly: [],
  // An update without `saved` makes the insight saved (InsightSerializer.update): a draft stays a draft only if told.
  alwaysSend: ['saved'],
  fieldOrder: ['name', 'derived_name', 'description', 'tags', 'favorited', 'dashboards', 'saved', 'query', 'filters'],
  schema: 'insight.schema.json',

  lookupFields: ['short_id'],
  listColumns: [{ header: 'SHORT_ID', field: 'short_id' }],
  displayName: (raw) => (typeof raw.name === 'string' ? raw.name : typeof raw.derived_name === 'string' ? raw.derived_name : null),
  remoteId: (raw) => raw.id as number,
  bindingExtras: (raw): Record<string, string> => (typeof raw.short_id === 'string' ? { short_id: raw.short_id } : {}),
  keyHint: (raw) => text(raw.name) || text(raw.derived_name) || `insight-${text(raw.short_id) || String(raw.id)}`,
  naturalKey: (spec) => text(spec.name) || undefined,

  toSpec(raw) {
    const spec = pick(raw, WRITABLE);
    // Only SQL insights (HogQL under a DataVisualizationNode or DataTableNode) carry variables; the rest skip the walk.
    if (isObject(spec.query) && SQL_CONTAINERS.has(String(spec.query.kind))) spec.query = variablesById(spec.query);
    return spec;
  },
  normalize,
  toBody: (spec, _refs, mode) => (mode === 'update' ? fillDefaults(spec, CLEARED) : { ...spec }),

  codePaths: (spec) => hogqlNodes(spec.query ?? null, '/query').map((n) => `${n.pointer}/query`),
  varPaths: () => [],
  secrets: () => [],
  links(spec) {
    const links: Link[] = linksIn(spec.query ?? null, '/query');
    for (const { node, pointer } of hogqlNodes(spec.query ?? null, '/query')) {
      if (!isObject(node.variables)) continue;
      for (const name of Object.keys(node.variables)) {
        links.push({
          type: 'variables',
          value: name,
          path: `${pointer}/variables/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          entry: { idField: 'variableId', naturalField: 'code_name' },
        });
      }
    }
    if (Array.isArray(spec.dashboards))
      spec.dashboards.forEach(
        (d, i) =>
          (typeof d === 'number' || typeof d === 'string') && links.push({ type: 'dashboards', value: d, path: `/dashboards/${i}` }),
      );
    return links;
  },
  check(spec, ctx) {
    const problems: CheckProblem[] = [];
    const variables = ctx.known(VARIABLE);
    for (const { node, pointer } of hogqlNodes(spec.query ?? null, '/query')) {
      if (typeof node.query !== 'string') continue;
      const sql = node.query;
      const syntax = ctx.syntax.select(sql);
      if (syntax) problems.push({ pointer: `${pointer}/query`, offset: syntax.offset, message: `HogQL syntax error: ${syntax.message}` });
      // HogQL names variables by code_name: {variables.country}.
      for (const m of sql.matchAll(/\{\s*variables\.([A-Za-z0-9_]+)\s*\}/g)) {
        const name = m[1] as string;
        if (!variables.naturals.has(name) && !variables.keys.has(name)) {
          problems.push({
            pointer: `${pointer}/query`,
            offset: m.index ?? 0,
            message: `{variables.${name}} refers to no insight variable file (none has code_name "${name}")`,
          });
        }
      }
    }
    return problems;
  },
});

export default insight;

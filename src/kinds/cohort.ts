import { isObject, type Json, type JsonObject } from '../json.js';
import { defineKind } from './define.js';
import { dropDefaults, fillDefaults, mapObjects, omit, pick, text, trimFields, walkObjects } from './normalize.js';
import { linksIn } from './query-refs.js';
import type { Link } from './types.js';

// CohortSerializer (posthog/api/cohort.py; posthog-api-kinds.md §4). Only dynamic cohorts are
// configuration: their definition is `filters`. `cohort_type` is computed from the filters,
// `groups` is the legacy form PostHog derives `filters` from, `query` belongs to static cohorts,
// and counts, versions and calculation state are server-managed.
const WRITABLE = ['name', 'description', 'filters'] as const;

const DEFAULTS: Record<string, Json> = { name: null, description: '' };
const CLEARED: Record<string, Json> = { description: '' };

/**
 * Filters as the user authors them: PostHog stores each leaf with `negation: false` filled in,
 * None fields dropped (pydantic `model_dump(exclude_none=True)`), and the compiled `bytecode` with
 * its `conditionHash` (FilterBytecodeMixin): none of that is the user's.
 */
function normalizeFilters(filters: Json): Json {
  return mapObjects(filters, (obj) => dropDefaults(omit(obj, ['bytecode', 'conditionHash', 'bytecode_error']), { negation: false }));
}

function normalize(spec: JsonObject): JsonObject {
  const out = pick(spec, WRITABLE);
  trimFields(out, ['name', 'description']);
  if (isObject(out.filters)) out.filters = normalizeFilters(out.filters);
  return dropDefaults(out, DEFAULTS);
}

/**
 * Where cohort filters name other objects: cohort leaves (`{type: "cohort", key: "id", value}`),
 * and behavioural leaves on actions (`key` when `event_type` is "actions", `seq_event` when
 * `seq_event_type` is), as `find_action_references` in posthog/api/action.py reads them.
 */
function filterLinks(filters: Json, base: string): Link[] {
  const links = linksIn(filters, base);
  walkObjects(filters, (obj, pointer) => {
    if (obj.type !== 'behavioral') return;
    const ref = (v: Json | undefined) => typeof v === 'number' || (typeof v === 'string' && v.length > 0);
    if (obj.event_type === 'actions' && ref(obj.key))
      links.push({ type: 'actions', value: obj.key as number | string, path: `${base}${pointer}/key` });
    if (obj.seq_event_type === 'actions' && ref(obj.seq_event))
      links.push({ type: 'actions', value: obj.seq_event as number | string, path: `${base}${pointer}/seq_event` });
  });
  return links;
}

const cohort = defineKind({
  kind: 'Cohort',
  cliName: 'cohort',
  folder: 'cohorts',
  apiPath: 'cohorts/',
  pagination: 'offset',
  rateBucket: 'crud',
  scope: 'cohort',
  deleteStyle: 'soft',
  refsType: 'cohorts',
  idFormat: 'integer',
  // Cohorts name cohorts and actions, and actions name cohorts: they wait for each other one by one.
  dependsOn: [],
  refersTo: ['Cohort', 'Action'],
  autoAdopt: false,
  createOnly: [],
  fieldOrder: ['name', 'description', 'filters'],
  schema: 'cohort.schema.json',

  // A static cohort is a list of people, which PostHog fills from uploads and queries: data, not configuration.
  unmanagedReason: (raw) => (raw.is_static === true ? 'a static cohort: it holds people, not configuration' : undefined),
  remoteId: (raw) => raw.id as number,
  keyHint: (raw) => text(raw.name) || `cohort-${String(raw.id)}`,
  naturalKey: (spec) => text(spec.name) || undefined,

  toSpec: (raw) => pick(raw, WRITABLE),
  normalize,
  toBody: (spec, _refs, mode) => (mode === 'update' ? fillDefaults(spec, CLEARED) : { ...spec, is_static: false }),

  codePaths: () => [],
  varPaths: () => [],
  secrets: () => [],
  links: (spec) => filterLinks(spec.filters ?? null, '/filters'),
});

export default cohort;

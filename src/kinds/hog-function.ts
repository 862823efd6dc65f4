import { isObject, pointer, type Json, type JsonObject } from '../json.js';
import { dropDefaults, fillDefaults, normalizeCode, omit, pick, text, trimFields } from './normalize.js';
import { linksIn } from './query-refs.js';
import { VAR_REFERENCE } from './var-syntax.js';
import { defineKind } from './define.js';
import type { CheckProblem, Link, SecretSlot } from './types.js';

// Writable fields of HogFunctionSerializer (posthog-api.md §4.1). `template_id` is
// write-only on create and read back through `template.id`.
const WRITABLE = [
  'name',
  'description',
  'type',
  'enabled',
  'template_id',
  'icon_url',
  'execution_order',
  'hog',
  'inputs_schema',
  'inputs',
  'filters',
  'masking',
  'mappings',
] as const;

const DEFAULTS: Record<string, Json> = {
  description: '',
  icon_url: null,
  template_id: null,
  execution_order: null,
  inputs_schema: [],
  inputs: {},
  filters: {},
  masking: null,
  mappings: [],
};

// Sent on update for fields a file removed.
const CLEARED: Record<string, Json> = {
  description: '',
  inputs_schema: [],
  inputs: {},
  filters: {},
  masking: null,
};

// TYPES_WITH_EXECUTION_ORDER (posthog-api.md §10): each type is ordered on its own.
const ORDERED_TYPES = new Set(['transformation', 'transformation_log']);
const SITE_TYPES = new Set(['site_destination', 'site_app']);
const MAPPING_TYPES = new Set(['destination', 'site_destination']);
const INTEGRATION_INPUTS = new Set(['integration', 'integration_multi']);

type Schema = Map<string, JsonObject>;

function schemaOf(items: Json | undefined): Schema | undefined {
  if (!Array.isArray(items)) return undefined;
  const map: Schema = new Map();
  for (const item of items) if (isObject(item) && typeof item.key === 'string') map.set(item.key, item);
  return map;
}

/** Schema items come back with `required/secret/hidden: false` filled in (validation.py defaults). */
function normalizeSchemaItem(item: Json): Json {
  if (!isObject(item)) return item;
  return dropDefaults(item, { required: false, secret: false, hidden: false });
}

/**
 * Inputs as the user authors them: compiled `bytecode`, `order` and `transpiled` are
 * server output, keys missing from the schema are dropped by PostHog (§4.2), and an
 * input with nothing in it says nothing.
 */
function normalizeInputs(inputs: Json | undefined, schema: Schema | undefined): JsonObject | undefined {
  if (!isObject(inputs)) return undefined;
  const out: JsonObject = {};
  for (const key of Object.keys(inputs).sort()) {
    if (schema && !schema.has(key)) continue;
    const input = inputs[key];
    if (!isObject(input)) continue;
    const item = omit(input, ['bytecode', 'order', 'transpiled']);
    if (Object.keys(item).length === 0) continue;
    out[key] = item;
  }
  return out;
}

function normalizeFilters(filters: Json | undefined): Json | undefined {
  if (!isObject(filters)) return undefined;
  const out = omit(filters, ['bytecode', 'transpiled', 'bytecode_error']);
  // The server fills `source: "events"` and treats a missing list as empty (§4.4).
  if (out.source === 'events') delete out.source;
  for (const list of ['events', 'actions', 'data_warehouse', 'properties']) {
    const v = out[list];
    if (Array.isArray(v) && v.length === 0) delete out[list];
  }
  return dropDefaults(out, { filter_test_accounts: false });
}

function normalizeMapping(mapping: Json): Json {
  if (!isObject(mapping)) return mapping;
  const out: JsonObject = { ...mapping };
  if (Array.isArray(out.inputs_schema)) out.inputs_schema = out.inputs_schema.map(normalizeSchemaItem);
  const inputs = normalizeInputs(out.inputs, schemaOf(out.inputs_schema));
  if (inputs !== undefined) out.inputs = inputs;
  const filters = normalizeFilters(out.filters);
  if (filters !== undefined) out.filters = filters;
  return dropDefaults(out, { inputs: {}, filters: {}, inputs_schema: [] });
}

function normalize(spec: JsonObject): JsonObject {
  const out = pick(spec, WRITABLE);
  out.type ??= 'destination';
  out.enabled ??= false;
  trimFields(out, ['name', 'description']);
  const hog = normalizeCode(out.hog);
  if (hog !== undefined) out.hog = hog;
  // Execution order only orders transformations; elsewhere the server value is noise.
  if (!ORDERED_TYPES.has(String(out.type))) delete out.execution_order;
  if (Array.isArray(out.inputs_schema)) out.inputs_schema = out.inputs_schema.map(normalizeSchemaItem);
  const inputs = normalizeInputs(out.inputs, schemaOf(out.inputs_schema));
  if (inputs !== undefined) out.inputs = inputs;
  const filters = normalizeFilters(out.filters);
  if (filters !== undefined) out.filters = filters;
  if (isObject(out.masking)) out.masking = dropDefaults(omit(out.masking, ['bytecode']), { threshold: null });
  if (Array.isArray(out.mappings)) out.mappings = out.mappings.map(normalizeMapping);
  return dropDefaults(out, DEFAULTS);
}

function secretSlots(spec: JsonObject): SecretSlot[] {
  const slots: SecretSlot[] = [];
  const scan = (schemaItems: Json | undefined, base: (string | number)[], prefix: string, serverKeeps: boolean) => {
    if (!Array.isArray(schemaItems)) return;
    for (const item of schemaItems) {
      if (!isObject(item) || item.secret !== true || typeof item.key !== 'string') continue;
      slots.push({
        path: pointer([...base, 'inputs', item.key]),
        name: `${prefix}${item.key}`,
        required: item.required === true,
        serverKeeps,
      });
    }
  };
  // Only top-level inputs are encrypted and masked by PostHog (move_secret_inputs and
  // to_representation read the top-level inputs_schema); mapping inputs come back in clear.
  scan(spec.inputs_schema, [], '', true);
  if (Array.isArray(spec.mappings))
    spec.mappings.forEach((m, i) => isObject(m) && scan(m.inputs_schema, ['mappings', i], `mappings[${i}].`, false));
  return slots;
}

/** String leaves of input values: where `${VAR}` may stand for a per-environment value. */
function inputValuePaths(spec: JsonObject): string[] {
  const paths: string[] = [];
  const leaves = (v: Json | undefined, at: (string | number)[]) => {
    if (typeof v === 'string') paths.push(pointer(at));
    else if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...at, i]));
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) leaves(x, [...at, k]);
  };
  const scan = (inputs: Json | undefined, base: (string | number)[]) => {
    if (!isObject(inputs)) return;
    for (const [key, input] of Object.entries(inputs)) if (isObject(input)) leaves(input.value, [...base, 'inputs', key, 'value']);
  };
  scan(spec.inputs, []);
  if (Array.isArray(spec.mappings)) spec.mappings.forEach((m, i) => isObject(m) && scan(m.inputs, ['mappings', i]));
  return paths;
}

/** String leaves of an input value that PostHog compiles as Hog templates (those with `{`). */
function templateLeaves(value: Json | undefined, at: (string | number)[], visit: (text: string, at: (string | number)[]) => void): void {
  if (typeof value === 'string') {
    if (value.includes('{')) visit(value, at);
  } else if (Array.isArray(value)) value.forEach((v, i) => templateLeaves(v, [...at, i], visit));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) templateLeaves(v, [...at, k], visit);
}

/**
 * The alert an alert's notification destination fires for: PostHog's alert form makes an
 * `internal_destination` whose filters hold `{key: "alert_id", value: <alert id>}` (the alert
 * check's `$insight_alert_firing` event carries it; `cleanup_alert_hog_functions` in
 * products/alerts/backend/activity_logging.py deletes such destinations with their alert).
 */
function alertLinks(spec: JsonObject): Link[] {
  const props = isObject(spec.filters) ? spec.filters.properties : undefined;
  if (!Array.isArray(props)) return [];
  return props.flatMap((p, i) =>
    isObject(p) && p.key === 'alert_id' && typeof p.value === 'string' && p.value !== ''
      ? [{ type: 'alerts', value: p.value, path: `/filters/properties/${i}/value` }]
      : [],
  );
}

function integrationLinks(spec: JsonObject): Link[] {
  const refs: Link[] = [];
  const scan = (schemaItems: Json | undefined, inputs: Json | undefined, base: (string | number)[]) => {
    const schema = schemaOf(schemaItems);
    if (!schema || !isObject(inputs)) return;
    for (const [key, item] of schema) {
      if (!INTEGRATION_INPUTS.has(String(item.type))) continue;
      const input = inputs[key];
      const value = isObject(input) ? input.value : undefined;
      const ids = Array.isArray(value) ? value : [value];
      ids.forEach((id, i) => {
        if (typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id)))
          refs.push({
            type: 'integrations',
            value: id,
            path: pointer([...base, 'inputs', key, 'value', ...(Array.isArray(value) ? [i] : [])]),
          });
      });
    }
  };
  scan(spec.inputs_schema, spec.inputs, []);
  if (Array.isArray(spec.mappings)) spec.mappings.forEach((m, i) => isObject(m) && scan(m.inputs_schema, m.inputs, ['mappings', i]));
  return refs;
}

const hogFunction = defineKind({
  kind: 'HogFunction',
  cliName: 'hog-function',
  folder: 'hog-functions',
  apiPath: 'hog_functions/',
  pagination: 'offset',
  // The list serializer omits inputs, schema, mappings and masking without it (§4.1).
  listQuery: { full: 'true' },
  rateBucket: 'crud',
  scope: 'hog_function',
  deleteStyle: 'soft',
  refsType: 'hog_functions',
  idFormat: 'uuid',
  // Its filters name actions (and cohorts): those exist first.
  dependsOn: ['Action', 'Cohort'],
  // An alert's notification destination filters on the alert's id: it waits for that alert in a
  // push, and names it by key once alerts are read (after hog functions: alerts follow insights).
  refersTo: ['Alert'],
  autoAdopt: false,
  createOnly: ['type', 'template_id'],
  updateTogether: [['inputs', 'inputs_schema']],
  // Files list the fields in the serializer's order.
  fieldOrder: [...WRITABLE],
  schema: 'hog-function.schema.json',
  reorder: {
    style: 'rearrange',
    field: 'execution_order',
    group: (spec) => (ORDERED_TYPES.has(String(spec.type ?? 'destination')) ? String(spec.type) : undefined),
  },

  // perform_update's optimistic concurrency (posthog-api.md §10): an edit made in the UI after
  // this run read the function is refused with 409 rather than overwritten. It came with drafts
  // and revisions, whose `version` and `draft` the full serializer returns; hog_function.py at
  // 97b1610 has none of the three, and DRF drops the unknown `base_updated_at` silently.
  updateGuard: { field: 'base_updated_at', from: 'updated_at', servedWith: ['version', 'draft'] },
  capabilities: { test: true, health: true, icons: true },
  naturalKeyName: 'type, template and name',
  remoteId: (raw) => raw.id as string,
  keyHint: (raw) => text(raw.name) || `hog-function-${String(raw.id).slice(0, 8)}`,
  naturalKey: (spec) => {
    const name = text(spec.name);
    return name ? `${text(spec.type) || 'destination'}/${text(spec.template_id)}/${name}` : undefined;
  },

  toSpec(raw) {
    const template = isObject(raw.template) ? raw.template : undefined;
    return { ...pick(raw, WRITABLE), template_id: typeof template?.id === 'string' ? template.id : null };
  },
  normalize,
  toBody(spec, _refs, mode) {
    // Execution order is applied by one `rearrange` call after all writes (§4.6).
    const body = omit(spec, ['execution_order']);
    if (mode === 'create') return body;
    const update = fillDefaults(omit(body, ['type', 'template_id']), CLEARED);
    if (MAPPING_TYPES.has(String(spec.type))) update.mappings ??= null;
    return update;
  },

  codePaths: (spec) => [
    ...(typeof spec.hog === 'string' ? ['/hog'] : []),
    ...(isObject(spec.masking) && typeof spec.masking.hash === 'string' ? ['/masking/hash'] : []),
  ],
  varPaths: inputValuePaths,
  secrets: secretSlots,
  check(spec, ctx) {
    const problems: CheckProblem[] = [];
    // site_destination and site_app code is TypeScript, compiled elsewhere.
    if (typeof spec.hog === 'string' && !SITE_TYPES.has(String(spec.type))) {
      const syntax = ctx.syntax.program(spec.hog);
      if (syntax) problems.push({ pointer: '/hog', offset: syntax.offset, message: `Hog syntax error: ${syntax.message}` });
    }
    if (isObject(spec.masking) && typeof spec.masking.hash === 'string') {
      const syntax = ctx.syntax.template(spec.masking.hash);
      if (syntax) problems.push({ pointer: '/masking/hash', offset: syntax.offset, message: `Hog template error: ${syntax.message}` });
    }
    const checkInputs = (schemaItems: Json | undefined, inputs: Json | undefined, base: (string | number)[]) => {
      const schema = schemaOf(schemaItems);
      if (!isObject(inputs)) return;
      for (const [key, input] of Object.entries(inputs)) {
        const item = schema?.get(key);
        if (schema && !item) {
          problems.push({
            pointer: pointer([...base, 'inputs', key]),
            message: `input "${key}" is not in inputs_schema; PostHog would drop it`,
          });
          continue;
        }
        if (!isObject(input) || item?.secret === true) continue;
        const templating = input.templating ?? item?.templating;
        if (templating === 'liquid' || templating === false) continue;
        templateLeaves(input.value, [...base, 'inputs', key, 'value'], (text, at) => {
          // ${VAR} is replaced before PostHog sees the value: check the template without it (same length, same offsets).
          const syntax = ctx.syntax.template(text.replace(new RegExp(VAR_REFERENCE.source, 'g'), (m) => 'x'.repeat(m.length)));
          if (syntax)
            problems.push({
              pointer: pointer(at),
              offset: syntax.offset,
              message: `Hog template error in input "${key}": ${syntax.message}`,
            });
        });
      }
      for (const [key, item] of schema ?? []) {
        const input = isObject(inputs) ? inputs[key] : undefined;
        const missing = !isObject(input) || (input.value === undefined && input.secret !== true);
        if (item.required === true && missing && item.default === undefined && item.secret !== true) {
          problems.push({ pointer: pointer([...base, 'inputs']), message: `required input "${key}" has no value` });
        }
      }
    };
    checkInputs(spec.inputs_schema, spec.inputs, []);
    if (Array.isArray(spec.mappings))
      spec.mappings.forEach((m, i) => isObject(m) && checkInputs(m.inputs_schema, m.inputs, ['mappings', i]));
    return problems;
  },
  links(spec) {
    const links = linksIn(spec.filters ?? null, '/filters');
    if (Array.isArray(spec.mappings))
      spec.mappings.forEach((m, i) => isObject(m) && links.push(...linksIn(m.filters ?? null, `/mappings/${i}/filters`)));
    return [...links, ...alertLinks(spec), ...integrationLinks(spec)];
  },
});

export default hogFunction;

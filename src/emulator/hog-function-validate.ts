// HogFunctionSerializer.to_internal_value / validate (products/cdp/backend/api/hog_function.py):
// what a create, update or test invocation accepts, and the fields it stores.
import { booleanField, charField, choiceField, ErrorCollector, integerField, nestedObject } from './drf-fields.js';
import { fail } from './errors.js';
import { programBytecode, transpiledStandIn } from './hog-bytecode.js';
import { validateFilters, validateMappings, validateMasking, type FiltersContext } from './hog-function-filters.js';
import { JAVASCRIPT_TYPES, validateInputs, validateInputsSchema } from './hog-function-inputs.js';
import { findTemplate } from './hog-function-template-data.js';
import { logTransformationCodeError, reservedFunctionsUsed } from './hog-globals.js';
import { clone, isObject, pyTruthy, type Json, type JsonObject } from './json.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredHogFunction } from './types.js';

const FUNCTION_TYPES = [
  'destination',
  'site_destination',
  'internal_destination',
  'source_webhook',
  'warehouse_source_webhook',
  'site_app',
  'transformation',
  'transformation_log',
] as const;
/** Types that run in sequence during ingestion; each type has its own `execution_order` scale. */
export const TYPES_WITH_EXECUTION_ORDER = ['transformation', 'transformation_log'];
/** `MAX_ENABLED_FUNCTIONS_PER_TEAM_BY_TYPE`. */
const MAX_ENABLED_BY_TYPE: Readonly<Record<string, number>> = { transformation: 20, transformation_log: 5 };
/** `LOGS_TRANSFORMATIONS_FEATURE_FLAG`: creating a `transformation_log` needs it on for the team. */
const LOGS_TRANSFORMATIONS_FLAG = 'logs-transformations';
/** Internal events owned by the alerts product (`is_managed_alert_internal_event`; insight alerts are exempt). */
const MANAGED_ALERT_EVENTS = ['billing', 'logs'].flatMap((p) =>
  ['firing', 'resolved', 'errored', 'auto_disabled'].map((k) => `$${p}_alert_${k}`),
);
const DATA_WAREHOUSE_VIEW = 'data-warehouse-view';
const MAX_HOG_BYTES = 100 * 1024;
const TEXT = { allowNull: true, allowBlank: true, maxLength: 400 };
/** Schema keys that bind an input to an integration, refilled when a caller leaves them out. */
const INTEGRATION_SCHEMA_KEYS = ['integration', 'integration_key', 'integration_field', 'requires_field', 'requiredScopes'];

export interface HogFunctionWriteContext {
  store: EmulatorStore;
  project: ProjectStore;
  /** The stored function being updated (or tested); undefined on create. */
  instance?: StoredHogFunction;
  isCreate: boolean;
  /**
   * The serializer is bound to `instance` (an update), not only told of it in its context as a
   * test invocation's nested configuration is: checks on `self.instance` run for updates only.
   */
  updating?: boolean;
  /**
   * A seed row: it may be one PostHog's API no longer creates (a function from a hidden template,
   * made before that was blocked), as PostHog's own tests make such rows through the ORM.
   */
  seeded?: boolean;
}

/** What validation produced: the fields to store. Keys are only present when written. */
export type ValidatedHogFunction = Partial<Omit<StoredHogFunction, 'id' | 'created_at' | 'created_by' | 'updated_at' | 'version'>> & {
  /** `base_updated_at` (write-only): the updated_at the caller last read, in microseconds. */
  base_updated_at?: number;
};

const has = (o: JsonObject, k: string) => Object.hasOwn(o, k);

function looseBool(v: unknown): boolean | undefined {
  try {
    return booleanField(v, []) ?? undefined;
  } catch {
    return undefined;
  }
}

/** `_with_integration_metadata`: integration keys the caller left out come back from `reference`. */
function withIntegrationMetadata(schema: Json, reference: Json | undefined): Json {
  if (!Array.isArray(schema) || !Array.isArray(reference)) return schema;
  const byKey = new Map(
    reference
      .filter(isObject)
      .filter((r) => pyTruthy(r.key))
      .map((r) => [r.key, r]),
  );
  return schema.map((item) => {
    const source = isObject(item) ? byKey.get(item.key as Json) : undefined;
    if (!isObject(item) || !source || source.type !== item.type) return item;
    const missing = Object.fromEntries(
      INTEGRATION_SCHEMA_KEYS.filter((k) => k in source && !(k in item)).map((k) => [k, source[k] as Json]),
    );
    return Object.keys(missing).length ? { ...item, ...missing } : item;
  });
}

function mappingsWithIntegrationMetadata(mappings: Json | undefined, reference: Json | undefined): Json | undefined {
  if (!Array.isArray(mappings) || !Array.isArray(reference)) return mappings;
  const byName = new Map(
    reference
      .filter(isObject)
      .filter((m) => pyTruthy(m.name))
      .map((m) => [m.name, m.inputs_schema as Json]),
  );
  return mappings.map((m) => {
    if (!isObject(m) || !byName.has(m.name as Json) || !('inputs_schema' in m)) return m;
    return { ...m, inputs_schema: withIntegrationMetadata(m.inputs_schema as Json, byName.get(m.name as Json)) };
  });
}

/** DRF DateTimeField (ISO 8601) as microseconds since the epoch. */
function parseDrfDateTime(value: unknown, path: Array<string | number>): number {
  const m =
    typeof value === 'string'
      ? /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim())
      : null;
  const ms = m ? Date.parse(`${m[1]}T${m[2]}:${m[3] ?? '00'}${m[5] ? m[5].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z'}`) : NaN;
  if (!m || Number.isNaN(ms)) {
    fail(path, 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].');
  }
  return ms * 1000 + Number((m[4] ?? '').padEnd(6, '0'));
}

function namedWarehouseTables(entries: Json | undefined): Json[] {
  if (!Array.isArray(entries)) return [];
  return entries.filter((e) => isObject(e) && pyTruthy(e.table_name) && e.name !== 'Select a table');
}

export function validateHogFunction(ctx: HogFunctionWriteContext, raw: unknown): ValidatedHogFunction {
  const { instance, isCreate, project, store } = ctx;
  const data: JsonObject = { ...nestedObject(raw, []) };
  const pick = (k: string, fallback: Json): Json => (has(data, k) ? (data[k] as Json) : fallback);
  const or = (k: string, fallback: Json): Json => (pyTruthy(data[k]) ? (data[k] as Json) : fallback);
  // to_internal_value: values the instance (or the defaults) always provide.
  data.type = pick('type', instance?.type ?? 'destination');
  data.template_id = instance ? instance.template_id : pick('template_id', null);
  data.inputs_schema = pick('inputs_schema', instance?.inputs_schema ?? []);
  data.inputs = pick('inputs', instance?.inputs ?? {});
  data.filters = pick('filters', instance?.filters ?? {}) || {};
  const deleted = data.deleted !== undefined && data.deleted !== null ? (looseBool(data.deleted) ?? false) : false;
  const enabled = data.enabled !== undefined && data.enabled !== null ? (looseBool(data.enabled) ?? false) : (instance?.enabled ?? false);
  const willBeEnabled = deleted ? false : enabled;
  const filters = isObject(data.filters) ? data.filters : {};
  if (filters.source === DATA_WAREHOUSE_VIEW && willBeEnabled && !namedWarehouseTables(filters.data_warehouse).length) {
    fail(['filters'], 'Select the materialized view to trigger on.');
  }
  const templateId = data.template_id;
  const template = typeof templateId === 'string' && templateId ? findTemplate(templateId) : undefined;
  if (pyTruthy(templateId) && !template) fail(['template_id'], `No template found for id '${String(templateId)}'`);
  if (isCreate) {
    data.inputs_schema = or('inputs_schema', []);
    data.inputs = or('inputs', {});
    data.mappings = or('mappings', null);
    if (template) {
      if (template.status === 'hidden' && !ctx.seeded)
        fail(['template_id'], `Template '${template.id}' is internal and cannot be used to create a function.`);
      data.hog = or('hog', template.code);
      data.inputs_schema = or('inputs_schema', clone(template.inputs_schema));
      data.icon_url = or('icon_url', template.icon_url);
      data.description = or('description', template.description);
      data.name = or('name', template.name);
    }
  }
  // The stored config first, then the template, fill integration metadata the caller left out.
  for (const [schemaRef, mappingsRef] of [
    [instance?.inputs_schema, instance?.mappings ?? undefined],
    [template?.inputs_schema, template?.mapping_templates ?? undefined],
  ] as Array<[Json | undefined, Json | undefined]>) {
    data.inputs_schema = withIntegrationMetadata(data.inputs_schema, schemaRef);
    const mappings = mappingsWithIntegrationMetadata(data.mappings, mappingsRef);
    if (mappings !== undefined) data.mappings = mappings;
  }

  const out: ValidatedHogFunction = {};
  const c = new ErrorCollector();
  c.run(() => {
    const type = data.type === null ? 'destination' : choiceField(data.type, ['type'], FUNCTION_TYPES);
    if (type === 'warehouse_source_webhook') fail(['type'], 'Cannot create or modify warehouse source webhook functions via this API.');
    if (!isCreate && instance && instance.type !== type) fail(['type'], 'Cannot modify the type of an existing function');
    out.type = type as string;
  });
  const functionType = String(out.type ?? data.type ?? 'destination');
  const fctx: FiltersContext = {
    parser: store.parser,
    functionType,
    storedSecrets: instance?.encrypted_inputs ?? {},
    project,
    willBeEnabled,
  };
  if (has(data, 'name')) c.run(() => (out.name = charField(data.name, ['name'], TEXT)));
  if (has(data, 'description'))
    c.run(() => (out.description = charField(data.description, ['description'], { allowBlank: true }) as string));
  if (has(data, 'enabled')) c.run(() => (out.enabled = booleanField(data.enabled, ['enabled']) as boolean));
  if (has(data, 'deleted')) c.run(() => (out.deleted = booleanField(data.deleted, ['deleted']) as boolean));
  if (has(data, 'hog')) c.run(() => (out.hog = charField(data.hog, ['hog']) as string));
  let schemaOk = true;
  c.run(() => {
    try {
      out.inputs_schema = validateInputsSchema(data.inputs_schema, ['inputs_schema']);
    } catch (e) {
      schemaOk = false;
      throw e;
    }
  });
  if (schemaOk) c.run(() => (out.inputs = validateInputs(fctx, out.inputs_schema ?? [], data.inputs, ['inputs'])));
  c.run(() => (out.filters = validateFilters(data.filters, fctx, ['filters'])));
  if (has(data, 'masking')) c.run(() => (out.masking = validateMasking(data.masking, fctx, ['masking'])));
  if (has(data, 'mappings')) c.run(() => (out.mappings = validateMappings(data.mappings, fctx, ['mappings'])));
  if (has(data, 'icon_url')) c.run(() => (out.icon_url = charField(data.icon_url, ['icon_url'], { allowNull: true, allowBlank: true })));
  c.run(() => (out.template_id = data.template_id === null ? null : charField(data.template_id, ['template_id'], TEXT)));
  if (has(data, 'execution_order')) {
    c.run(() => (out.execution_order = integerField(data.execution_order, ['execution_order'], { allowNull: true, min: 0, max: 32767 })));
  }
  if (has(data, '_create_in_folder')) c.run(() => charField(data._create_in_folder, ['_create_in_folder'], { allowBlank: true }));
  if (has(data, 'batch_export_id')) {
    c.run(() => {
      const v = data.batch_export_id;
      if (v !== null && !(typeof v === 'string' && /^[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}$/i.test(v)))
        fail(['batch_export_id'], 'Must be a valid UUID.');
      out.batch_export_id = v as string | null;
    });
  }
  // A PostHog without drafts has no such field: DRF drops it like any unknown key, unread.
  if (has(data, 'base_updated_at') && project.hogFunctionDrafts) {
    c.run(() => (out.base_updated_at = parseDrfDateTime(data.base_updated_at, ['base_updated_at'])));
  }
  c.throwIfAny();
  validateObject(ctx, out, functionType);
  return out;
}

function refersToManagedAlert(filters: Json | undefined): boolean {
  const events = isObject(filters) ? filters.events : undefined;
  return Array.isArray(events) && events.some((e) => isObject(e) && typeof e.id === 'string' && MANAGED_ALERT_EVENTS.includes(e.id));
}

/** `HogFunctionSerializer.validate`: runs only once every field is valid. */
function validateObject(ctx: HogFunctionWriteContext, out: ValidatedHogFunction, type: string): void {
  const { instance, isCreate, project } = ctx;
  if (refersToManagedAlert(instance?.filters) || refersToManagedAlert(out.filters ?? instance?.filters)) {
    fail(['filters'], 'Alert notification destinations are managed through the alert API.');
  }
  // `_validate_hidden_template_not_enabled`: a function built from a hidden (internal) template may
  // be disabled or deleted, and edited while disabled, but no update may leave it enabled, even one
  // that does not send `enabled`.
  if (ctx.updating && instance && out.deleted !== true && (out.enabled ?? instance.enabled) === true) {
    const template = instance.template_id ? findTemplate(instance.template_id) : undefined;
    if (template?.status === 'hidden') {
      fail(['enabled'], 'This function was created from an internal template and can only be disabled or deleted, not kept enabled.');
    }
  }
  if (isCreate && type === 'transformation_log' && !project.featureFlags.includes(LOGS_TRANSFORMATIONS_FLAG)) {
    fail(['type'], 'Log transformations are not enabled for this team.');
  }
  const cap = MAX_ENABLED_BY_TYPE[type];
  if (cap !== undefined) {
    // The cap covers the state after the write: restoring an enabled function re-enters it too.
    const willBeEnabled = out.enabled ?? instance?.enabled ?? false;
    const willBeDeleted = out.deleted ?? instance?.deleted ?? false;
    const wasActive = Boolean(instance?.enabled && !instance.deleted);
    if (willBeEnabled && !willBeDeleted && !wasActive) {
      const count = project.hogFunctions.filter((f) => f.type === type && !f.deleted && f.enabled).length;
      if (count >= cap) {
        fail(
          ['type'],
          `Maximum of ${cap} enabled ${type.replace(/_/g, ' ')} functions allowed per team. Please contact support if you need this limit increased, or disable some existing ones.`,
        );
      }
    }
  }
  if (out.mappings !== undefined && out.mappings !== null) {
    // Items migrated to mappings must not keep top-level event filters.
    if (out.filters) {
      delete out.filters.events;
      delete out.filters.actions;
    }
    if (type !== 'site_destination' && type !== 'destination') fail(['mappings'], 'Mappings are only allowed for destinations.');
  }
  if (out.hog !== undefined) checkHog(ctx, out, type);
  if (isCreate && !out.hog) fail(['hog'], 'Required.');
}

function checkHog(ctx: HogFunctionWriteContext, out: ValidatedHogFunction, type: string): void {
  const hog = out.hog as string;
  if (Buffer.byteLength(hog, 'utf8') > MAX_HOG_BYTES) {
    fail(['hog'], 'HOG code exceeds maximum size of 100KB. Please simplify your code or contact support if you need this limit increased.');
  }
  if (JAVASCRIPT_TYPES.includes(type)) {
    out.transpiled = transpiledStandIn(hog);
    out.bytecode = null;
    return;
  }
  const parsed = ctx.store.parser.program(hog);
  if (parsed.ok) {
    const used = reservedFunctionsUsed(parsed.ast);
    const templateId = out.template_id ?? ctx.instance?.template_id;
    const templateCode = templateId ? findTemplate(templateId)?.code : undefined;
    const templateParsed = templateCode ? ctx.store.parser.program(templateCode) : undefined;
    const allowed = templateParsed?.ok ? reservedFunctionsUsed(templateParsed.ast) : new Set<string>();
    const unexpected = [...used].filter((f) => !allowed.has(f)).sort();
    if (unexpected.length) {
      fail(
        ['hog'],
        `Reserved for PostHog's own use and not callable from a function's code: ${unexpected.join(', ')}. Use the matching workflow step or destination template instead.`,
      );
    }
  }
  if (!parsed.ok) fail(['hog'], 'Hog code has errors.');
  if (type === 'transformation_log') {
    const error = logTransformationCodeError(parsed.ast);
    if (error) fail(['hog'], error);
  }
  out.bytecode = programBytecode(hog);
  out.transpiled = null;
}

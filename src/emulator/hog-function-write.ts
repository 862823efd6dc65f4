// HogFunctionSerializer.to_internal_value / validate / create / update (posthog-api.md §4).
import { nowDrf } from './dates.js';
import { booleanField, charField, choiceField, ErrorCollector, integerField, nestedObject } from './drf-fields.js';
import { fail } from './errors.js';
import { programBytecode, transpiledStandIn } from './hog-bytecode.js';
import { validateFilters, validateMappings, validateMasking, type FiltersContext } from './hog-function-filters.js';
import { JAVASCRIPT_TYPES, splitSecrets, validateInputs, validateInputsSchema } from './hog-function-inputs.js';
import { findTemplate } from './hog-function-template-data.js';
import { clone, pyTruthy, type Json, type JsonObject } from './json.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredHogFunction } from './types.js';

export const FUNCTION_TYPES = [
  'destination', 'site_destination', 'internal_destination', 'source_webhook', 'warehouse_source_webhook', 'site_app', 'transformation',
] as const;
export const TYPES_WITH_EXECUTION_ORDER = ['transformation'];
export const MAX_ENABLED_TRANSFORMATIONS = 20;
const MAX_HOG_BYTES = 100 * 1024;
const TEXT = { allowNull: true, allowBlank: true, maxLength: 400 };

export interface HogFunctionWriteContext {
  store: EmulatorStore;
  project: ProjectStore;
  /** The stored function being updated (or tested); undefined on create. */
  instance?: StoredHogFunction;
  isCreate: boolean;
}

/** What validation produced: the fields to store. Keys are only present when written. */
export type ValidatedHogFunction = Partial<Omit<StoredHogFunction, 'id' | 'created_at' | 'created_by' | 'updated_at'>>;

const has = (o: JsonObject, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function looseBool(v: unknown): boolean | undefined {
  try {
    return booleanField(v, []) ?? undefined;
  } catch {
    return undefined;
  }
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
  const templateId = data.template_id;
  const template = typeof templateId === 'string' && templateId ? findTemplate(templateId) : undefined;
  if (pyTruthy(templateId) && !template) fail(['template_id'], `No template found for id '${String(templateId)}'`);
  if (isCreate) {
    data.inputs_schema = or('inputs_schema', []);
    data.inputs = or('inputs', {});
    data.mappings = or('mappings', null);
    if (template) {
      if (template.status === 'hidden') fail(['template_id'], `Template '${template.id}' is internal and cannot be used to create a function.`);
      data.hog = or('hog', template.code);
      data.inputs_schema = or('inputs_schema', clone(template.inputs_schema));
      data.icon_url = or('icon_url', template.icon_url);
      data.description = or('description', template.description);
      data.name = or('name', template.name);
    }
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
    willBeEnabled: deleted ? false : enabled,
  };
  if (has(data, 'name')) c.run(() => (out.name = charField(data.name, ['name'], TEXT)));
  if (has(data, 'description')) c.run(() => (out.description = charField(data.description, ['description'], { allowBlank: true }) as string));
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
      if (v !== null && !(typeof v === 'string' && /^[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}$/i.test(v))) fail(['batch_export_id'], 'Must be a valid UUID.');
      out.batch_export_id = v as string | null;
    });
  }
  c.throwIfAny();
  validateObject(ctx, out, functionType);
  return out;
}

/** `HogFunctionSerializer.validate`: runs only once every field is valid. */
function validateObject(ctx: HogFunctionWriteContext, out: ValidatedHogFunction, type: string): void {
  const { instance, isCreate, project } = ctx;
  if (type === 'transformation') {
    const willBeEnabled = out.enabled ?? instance?.enabled ?? false;
    const willBeDeleted = out.deleted ?? instance?.deleted ?? false;
    const wasActive = Boolean(instance && instance.enabled && !instance.deleted);
    if (willBeEnabled && !willBeDeleted && !wasActive) {
      const count = project.hogFunctions.filter((f) => f.type === type && !f.deleted && f.enabled).length;
      if (count >= MAX_ENABLED_TRANSFORMATIONS) {
        fail(
          ['type'],
          `Maximum of ${MAX_ENABLED_TRANSFORMATIONS} enabled transformation functions allowed per team. Please contact support if you need this limit increased, or disable some existing ones.`,
        );
      }
    }
  }
  if (out.mappings !== undefined && out.mappings !== null) {
    if (out.filters) {
      delete out.filters.events;
      delete out.filters.actions;
    }
    if (type !== 'site_destination' && type !== 'destination') fail(['mappings'], 'Mappings are only allowed for destinations.');
  }
  if (out.hog !== undefined) {
    if (Buffer.byteLength(out.hog, 'utf8') > MAX_HOG_BYTES) {
      fail(['hog'], 'HOG code exceeds maximum size of 100KB. Please simplify your code or contact support if you need this limit increased.');
    }
    if (JAVASCRIPT_TYPES.includes(type)) {
      out.transpiled = transpiledStandIn(out.hog);
      out.bytecode = null;
    } else {
      if (!ctx.store.parser.program(out.hog).ok) fail(['hog'], 'Hog code has errors.');
      out.bytecode = programBytecode(out.hog);
      out.transpiled = null;
    }
  }
  if (isCreate && !out.hog) fail(['hog'], 'Required.');
}

function highestExecutionOrder(project: ProjectStore, type: string): number {
  const orders = project.hogFunctions.filter((f) => f.type === type && !f.deleted).map((f) => f.execution_order ?? 0);
  return orders.length ? Math.max(...orders) : 0;
}

export interface HogFunctionExtras {
  id?: string;
  created_at?: string;
}

export function createHogFunction(ctx: HogFunctionWriteContext, raw: unknown, userId: number, extras: HogFunctionExtras = {}): StoredHogFunction {
  const v = validateHogFunction({ ...ctx, isCreate: true }, raw);
  const type = v.type ?? 'destination';
  let executionOrder = v.execution_order ?? null;
  if (TYPES_WITH_EXECUTION_ORDER.includes(type) && executionOrder === null) executionOrder = highestExecutionOrder(ctx.project, type) + 1;
  const schema = v.inputs_schema ?? [];
  const split = splitSecrets(schema, v.inputs ?? {});
  const now = extras.created_at ?? nowDrf();
  const id = extras.id ?? ctx.store.nextUuid();
  if (ctx.project.hogFunctions.some((f) => f.id === id)) throw new Error(`Hog function id ${id} already exists in project ${ctx.project.id}`);
  const fn: StoredHogFunction = {
    id,
    type,
    name: v.name ?? null,
    description: v.description ?? '',
    enabled: v.enabled ?? false,
    deleted: v.deleted ?? false,
    hog: v.hog ?? '',
    bytecode: v.bytecode ?? null,
    transpiled: v.transpiled ?? null,
    inputs_schema: schema,
    inputs: split.inputs,
    encrypted_inputs: split.secrets,
    filters: v.filters ?? {},
    masking: v.masking ?? null,
    mappings: v.mappings ?? null,
    icon_url: v.icon_url ?? null,
    template_id: v.template_id ?? null,
    execution_order: executionOrder,
    batch_export_id: v.batch_export_id ?? null,
    created_at: now,
    created_by: userId,
    updated_at: now,
  };
  ctx.project.hogFunctions.push(fn);
  return fn;
}

export function updateHogFunction(ctx: HogFunctionWriteContext, fn: StoredHogFunction, raw: unknown): StoredHogFunction {
  const v = validateHogFunction({ ...ctx, instance: fn, isCreate: false }, raw);
  // Undeleting, or enabling without an explicit order, puts a transformation at the end.
  if (
    TYPES_WITH_EXECUTION_ORDER.includes(fn.type) &&
    ((fn.deleted && v.deleted === false) || (!fn.enabled && v.enabled === true && v.execution_order === undefined))
  ) {
    v.execution_order = highestExecutionOrder(ctx.project, fn.type) + 1;
  }
  const schema = v.inputs_schema ?? fn.inputs_schema;
  const split = splitSecrets(schema, v.inputs ?? {});
  const assign = <K extends keyof StoredHogFunction>(k: K, value: StoredHogFunction[K] | undefined) => {
    if (value !== undefined) fn[k] = value;
  };
  assign('name', v.name);
  assign('description', v.description);
  assign('enabled', v.enabled);
  assign('deleted', v.deleted);
  assign('hog', v.hog);
  assign('bytecode', v.bytecode);
  assign('transpiled', v.transpiled);
  assign('filters', v.filters);
  assign('masking', v.masking);
  assign('mappings', v.mappings);
  assign('icon_url', v.icon_url);
  assign('execution_order', v.execution_order);
  assign('batch_export_id', v.batch_export_id);
  fn.inputs_schema = schema;
  fn.inputs = split.inputs;
  fn.encrypted_inputs = split.secrets;
  fn.updated_at = nowDrf();
  return fn;
}

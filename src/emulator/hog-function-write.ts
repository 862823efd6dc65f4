// HogFunctionSerializer.create / update and HogFunctionViewSet.perform_update
// (products/cdp/backend/api/hog_function.py).
import { nowDrf } from './dates.js';
import { ApiError, envelope } from './errors.js';
import { splitSecrets } from './hog-function-inputs.js';
import { TYPES_WITH_EXECUTION_ORDER, validateHogFunction, type HogFunctionWriteContext } from './hog-function-validate.js';
import { canonical, isObject, type Json, type JsonObject } from './json.js';
import type { ProjectStore, StoredHogFunction } from './types.js';

/**
 * `_get_highest_execution_order`: `order_by("-execution_order").first() or 0`. Postgres sorts
 * NULLs first when descending, so one function of the type without an order makes this 0.
 */
function highestExecutionOrder(project: ProjectStore, type: string): number {
  const orders = project.hogFunctions.filter((f) => f.type === type && !f.deleted).map((f) => f.execution_order);
  if (!orders.length || orders.includes(null)) return 0;
  return Math.max(...(orders as number[]));
}

/** The live config without values validation derives (`comparable_content`), secrets excluded. */
function comparableContent(fn: StoredHogFunction): string {
  const without = (v: Json, keys: string[]): Json =>
    isObject(v) ? Object.fromEntries(Object.entries(v).filter(([k]) => !keys.includes(k))) : v;
  const inputs = (v: Json): Json =>
    isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, without(x, ['bytecode', 'transpiled', 'order'])])) : v;
  const derivedFilters = ['bytecode', 'bytecode_error', 'transpiled'];
  return canonical({
    hog: fn.hog,
    inputs_schema: fn.inputs_schema,
    inputs: inputs(fn.inputs),
    filters: without(fn.filters, derivedFilters),
    masking: without(fn.masking, ['bytecode']),
    mappings: Array.isArray(fn.mappings)
      ? fn.mappings.map((m) =>
          isObject(m) ? { ...m, filters: without(m.filters ?? null, derivedFilters), inputs: inputs(m.inputs ?? null) } : m,
        )
      : fn.mappings,
  } as JsonObject);
}

/** `StaleHogFunctionUpdateError` as drf-exceptions-hog renders it. */
function staleUpdate(): ApiError {
  return new ApiError(
    409,
    envelope(
      'invalid_request',
      'stale_update',
      'This function changed since you previewed the publish, either the draft or the live config. Preview again to see where things stand now.',
    ),
  );
}

/** DRF datetime text (`2024-01-02T03:04:05.678000Z`) as microseconds since the epoch. */
function micros(drf: string): number {
  const m = /\.(\d{1,6})Z$/.exec(drf);
  return Math.floor(Date.parse(drf) / 1000) * 1_000_000 + Number((m?.[1] ?? '').padEnd(6, '0'));
}

export interface HogFunctionExtras {
  id?: string;
  created_at?: string;
}

export function createHogFunction(
  ctx: HogFunctionWriteContext,
  raw: unknown,
  userId: number,
  extras: HogFunctionExtras = {},
): StoredHogFunction {
  const v = validateHogFunction({ ...ctx, isCreate: true }, raw);
  const type = v.type ?? 'destination';
  let executionOrder = v.execution_order ?? null;
  if (TYPES_WITH_EXECUTION_ORDER.includes(type) && executionOrder === null) executionOrder = highestExecutionOrder(ctx.project, type) + 1;
  const schema = v.inputs_schema ?? [];
  const split = splitSecrets(schema, v.inputs ?? {});
  const now = extras.created_at ?? nowDrf();
  const id = extras.id ?? ctx.store.nextUuid();
  if (ctx.project.hogFunctions.some((f) => f.id === id))
    throw new Error(`Hog function id ${id} already exists in project ${ctx.project.id}`);
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
    version: 1,
    created_at: now,
    created_by: userId,
    updated_at: now,
  };
  ctx.project.hogFunctions.push(fn);
  return fn;
}

export function updateHogFunction(ctx: HogFunctionWriteContext, fn: StoredHogFunction, raw: unknown): StoredHogFunction {
  const v = validateHogFunction({ ...ctx, instance: fn, isCreate: false, updating: true }, raw);
  // perform_update's optimistic concurrency: the stored side strictly newer than the caller's base.
  if (v.base_updated_at !== undefined && micros(fn.updated_at) > v.base_updated_at) throw staleUpdate();
  const before = comparableContent(fn);
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
  // `_record_revision`: the version moves only when the live config really changed.
  if (comparableContent(fn) !== before) fn.version += 1;
  return fn;
}

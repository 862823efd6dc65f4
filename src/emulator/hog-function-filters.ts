// `filters`, `masking` and `mappings` of a hog function (posthog-api.md §4.1, §4.4): the
// HogFunctionFiltersSerializer, HogFunctionMaskingSerializer and MappingsSerializer of
// posthog/cdp/validation.py.
import { booleanField, charField, choiceField, ErrorCollector, integerField, listField, nestedObject } from './drf-fields.js';
import { fail } from './errors.js';
import { filtersBytecode, templateBytecode } from './hog-bytecode.js';
import { validateInputs, validateInputsSchema, type InputsContext } from './hog-function-inputs.js';
import { clone, isObject, pyTruthy, pyTypeName, type Json, type JsonObject } from './json.js';
import type { ProjectStore } from './types.js';

const SOURCES = ['events', 'person-updates', 'data-warehouse-table', 'data-warehouse-view'] as const;
// Everything but the site_* types compiles filters to bytecode (`HogFunction.save`).
const COMPILED_FILTER_TYPES = ['destination', 'internal_destination', 'transformation', 'transformation_log', 'source_webhook'];
const TRANSPILED_FILTER_TYPES = ['site_destination', 'site_app'];
const DICT_LISTS = ['actions', 'events', 'data_warehouse', 'properties'];

export interface FiltersContext extends InputsContext {
  project: ProjectStore;
  /** Uncompilable filters only block a save that leaves the function enabled. */
  willBeEnabled: boolean;
}

function hasCohortFilter(value: Json): boolean {
  if (Array.isArray(value)) return value.some(hasCohortFilter);
  if (!isObject(value)) return false;
  if (value.type === 'cohort' || value.type === 'static-cohort' || value.type === 'precalculated-cohort') return true;
  return Object.values(value).some(hasCohortFilter);
}

/** Why `compile_filters_bytecode` would fail for these filters, if it would. */
function compileError(filters: JsonObject, project: ProjectStore): string | undefined {
  for (const a of (filters.actions as Json[] | undefined) ?? []) {
    if (!isObject(a) || !('id' in a)) continue; // no id: compiles to "1 = 2", not an error
    const id = typeof a.id === 'number' ? a.id : typeof a.id === 'string' && /^\s*-?\d+\s*$/.test(a.id) ? Number(a.id) : NaN;
    if (Number.isNaN(id)) return `invalid literal for int() with base 10: '${String(a.id)}'`;
    if (!project.actions.some((x) => x.id === id)) return 'Action matching query does not exist.';
  }
  if (hasCohortFilter([filters.properties ?? null, filters.events ?? null, filters.actions ?? null])) {
    return (
      "Cohort membership can't be evaluated in real-time filters. Replace cohorts with equivalent inline person " +
      `property filters. Update your filters at: http://localhost:8010/project/${project.id}/settings/project#internal-user-filtering`
    );
  }
  return undefined;
}

/** Adds the compiled form (or `bytecode_error`) that every save stores. */
function compileFilters(filters: JsonObject, ctx: FiltersContext, path: Array<string | number>): JsonObject {
  const out = clone(filters);
  if (COMPILED_FILTER_TYPES.includes(ctx.functionType)) {
    const error = compileError(out, ctx.project);
    if (error) {
      out.bytecode = null;
      out.bytecode_error = error;
      if (ctx.willBeEnabled) fail([...path, 'non_field_errors'], `Invalid filter configuration: ${error}`);
    } else {
      const { bytecode: _b, bytecode_error: _e, transpiled: _t, ...source } = out;
      out.bytecode = filtersBytecode(source);
      delete out.bytecode_error;
    }
  } else if (TRANSPILED_FILTER_TYPES.includes(ctx.functionType)) {
    out.transpiled = { lang: 'ts', code: 'true', stl: [] };
    delete out.bytecode;
  }
  return out;
}

/** `HogFunctionFiltersSerializer`: declared keys only, `source` defaulting to `events`. */
export function validateFilters(raw: unknown, ctx: FiltersContext, path: Array<string | number>): JsonObject {
  const body = nestedObject(raw, [...path, 'non_field_errors']);
  const out: JsonObject = {};
  const c = new ErrorCollector();
  c.run(() => (out.source = 'source' in body ? choiceField(body.source, [...path, 'source'], SOURCES) : 'events'));
  for (const key of DICT_LISTS) {
    if (!(key in body)) continue;
    c.run(() => {
      const list = listField(body[key], [...path, key]);
      list.forEach((item, i) => {
        if (!isObject(item)) fail([...path, key, i], `Expected a dictionary of items but got type "${pyTypeName(item)}".`, 'not_a_dict');
      });
      out[key] = clone(list);
    });
  }
  if ('filter_test_accounts' in body)
    c.run(() => (out.filter_test_accounts = booleanField(body.filter_test_accounts, [...path, 'filter_test_accounts'])));
  c.throwIfAny();
  if (ctx.functionType === 'transformation_log') {
    // Filter bytecode reads event globals, which log records do not have.
    const disallowed = ['events', 'actions', 'properties', 'data_warehouse', 'filter_test_accounts'].filter((k) => pyTruthy(out[k]));
    if (disallowed.length) {
      fail(
        [...path, 'non_field_errors'],
        `Filters are not supported for log transformations (got: ${disallowed.join(', ')}). Use conditions in the Hog code instead.`,
      );
    }
  }
  // Each source keeps only the lists it can use, and the UI's unpicked "Select a table"
  // placeholder goes (HogFunctionFiltersSerializer.validate, posthog/cdp/validation.py).
  if (out.source === 'events') delete out.data_warehouse;
  if (out.source === 'person-updates') for (const k of ['events', 'actions', 'data_warehouse']) delete out[k];
  if (out.source === 'data-warehouse-table' || out.source === 'data-warehouse-view') for (const k of ['events', 'actions']) delete out[k];
  if (Array.isArray(out.data_warehouse))
    out.data_warehouse = out.data_warehouse.filter((e) => !(isObject(e) && e.name === 'Select a table'));
  return compileFilters(out, ctx, path);
}

/** `HogFunctionMaskingSerializer`: ttl 60..86400, hash required and compiled as a template. */
export function validateMasking(raw: unknown, ctx: InputsContext, path: Array<string | number>): JsonObject | null {
  if (raw === null) return null;
  const body = nestedObject(raw, [...path, 'non_field_errors']);
  const out: JsonObject = {};
  const c = new ErrorCollector();
  c.run(() => {
    if (!('ttl' in body)) fail([...path, 'ttl'], 'This field is required.', 'required');
    out.ttl = integerField(body.ttl, [...path, 'ttl'], { min: 60, max: 86400 });
  });
  if ('threshold' in body) c.run(() => (out.threshold = integerField(body.threshold, [...path, 'threshold'], { allowNull: true })));
  c.run(() => {
    if (!('hash' in body)) fail([...path, 'hash'], 'This field is required.', 'required');
    out.hash = charField(body.hash, [...path, 'hash']);
  });
  c.throwIfAny();
  out.bytecode = templateBytecode(ctx.parser, out.hash as string, new Set(), [...path, 'hash']);
  return out;
}

/** `MappingsSerializer` items: their own schema, inputs and filters. */
export function validateMappings(raw: unknown, ctx: FiltersContext, path: Array<string | number>): JsonObject[] | null {
  if (raw === null) return null;
  const list = listField(raw, path);
  const c = new ErrorCollector();
  const out: JsonObject[] = [];
  list.forEach((m, i) => {
    c.run(() => {
      const p = [...path, i];
      const body = nestedObject(m, [...p, 'non_field_errors']);
      const mapping: JsonObject = {};
      if ('name' in body) mapping.name = charField(body.name, [...p, 'name']);
      const schema = 'inputs_schema' in body ? validateInputsSchema(body.inputs_schema, [...p, 'inputs_schema']) : [];
      if ('inputs_schema' in body) mapping.inputs_schema = schema;
      if ('inputs' in body) {
        // The mapping's InputsSerializer reads its sibling raw `inputs_schema` and the function's
        // top-level encrypted inputs (the serializer context is shared): secrets inside mappings
        // are looked up there by key, and a mapping's own secret values stay in plain text.
        if (!('inputs_schema' in body)) fail([...p, 'inputs'], 'Missing inputs_schema.');
        mapping.inputs = validateInputs(ctx, schema, body.inputs, [...p, 'inputs']);
      }
      if ('filters' in body) mapping.filters = validateFilters(body.filters, ctx, [...p, 'filters']);
      out.push(mapping);
    });
  });
  c.throwIfAny();
  return out;
}

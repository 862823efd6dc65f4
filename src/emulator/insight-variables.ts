// InsightVariableViewSet (products/product_analytics/backend/api/insight_variable.py): code_name
// derived once at create, List values coerced to strings, hard DELETE, page-number pagination.
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { nowDrf } from './dates.js';
import { booleanField, charField, choiceField, ErrorCollector, nestedObject } from './drf-fields.js';
import { fail, notFound } from './errors.js';
import { clone, isObject, type Json, type JsonObject } from './json.js';
import { orderWithUnorderedTies } from './ordering.js';
import { pageNumber } from './pagination.js';
import type { Route } from './router.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredVariable } from './types.js';

const VARIABLE_TYPES = ['String', 'Number', 'Boolean', 'List', 'Date'] as const;

/** Python's `isalnum()` counts every Unicode letter and number. */
function deriveCodeName(name: string): string {
  return [...name]
    .filter((ch) => /[\p{L}\p{N}]/u.test(ch) || ch === ' ' || ch === '_')
    .join('')
    .replace(/ /g, '_')
    .toLowerCase();
}

interface VariableFields {
  name?: string;
  type?: string;
  default_value?: Json;
  values?: Json;
  is_multi?: boolean;
  values_query?: string | null;
  values_query_connection_id?: string | null;
}

/** `json.dumps` with Python's default separators and ASCII escaping. */
function pyJsonDumps(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(pyJsonDumps).join(', ')}]`;
  if (isObject(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyJsonDumps(k)}: ${pyJsonDumps(x)}`)
      .join(', ')}}`;
  if (typeof v === 'string')
    return JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return v === null ? 'null' : String(v);
}

/** `_scalar_to_str`: strings as they are, booleans lower-case, numbers as `str()`. */
function scalarToStr(v: Json): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** `_coerce_list_value_lenient`: never raises; option objects use value/label, others become JSON. */
function lenient(v: Json): string | null {
  if (v === null) return null;
  const scalar = scalarToStr(v);
  if (scalar !== undefined) return scalar;
  if (isObject(v)) {
    for (const key of ['value', 'label']) {
      const inner = scalarToStr((v[key] ?? null) as Json);
      if (inner !== undefined) return inner;
    }
  }
  return pyJsonDumps(v);
}

/** `_coerce_list_values`: null elements dropped, objects and arrays refused. */
function coerceListValues(values: Json[]): string[] {
  const out: string[] = [];
  values.forEach((v, index) => {
    if (v === null) return;
    const scalar = scalarToStr(v);
    if (scalar === undefined) {
      const shape = isObject(v) ? 'an object' : 'an array';
      fail(
        ['values'],
        `List variable values must be strings or numbers (got ${shape} at index ${index}). Enter each value as plain text or a number.`,
      );
    }
    out.push(scalar);
  });
  return out;
}

function fieldsOf(raw: unknown, partial: boolean): VariableFields {
  const body = nestedObject(raw, []);
  const out: VariableFields = {};
  const c = new ErrorCollector();
  const has = (k: string) => Object.hasOwn(body, k);
  c.run(() => {
    if (!has('name')) {
      if (!partial) fail(['name'], 'This field is required.', 'required');
      return;
    }
    out.name = charField(body.name, ['name'], { maxLength: 400 }) as string;
  });
  c.run(() => {
    if (!has('type')) {
      if (!partial) fail(['type'], 'This field is required.', 'required');
      return;
    }
    out.type = choiceField(body.type, ['type'], VARIABLE_TYPES) as string;
  });
  if (has('default_value')) out.default_value = clone(body.default_value as Json);
  if (has('values')) out.values = clone(body.values as Json);
  if (has('is_multi')) c.run(() => (out.is_multi = booleanField(body.is_multi, ['is_multi']) as boolean));
  if (has('values_query'))
    c.run(() => (out.values_query = charField(body.values_query, ['values_query'], { allowNull: true, allowBlank: true })));
  if (has('values_query_connection_id')) {
    c.run(
      () =>
        (out.values_query_connection_id = charField(body.values_query_connection_id, ['values_query_connection_id'], {
          allowNull: true,
          allowBlank: true,
        })),
    );
  }
  c.throwIfAny();
  return out;
}

/** `InsightVariableSerializer.validate`: List coercions, and non-List types lose the List-only fields. */
function validate(raw: unknown, partial: boolean, instance?: StoredVariable): VariableFields {
  const attrs = fieldsOf(raw, partial);
  const type = attrs.type ?? instance?.type;
  if (type === 'List') {
    const isMulti = attrs.is_multi ?? instance?.is_multi ?? false;
    if (attrs.is_multi !== undefined && attrs.default_value === undefined && instance) attrs.default_value = clone(instance.default_value);
    else if (isMulti && attrs.default_value === undefined && !instance) attrs.default_value = [];
    if (attrs.values !== undefined) attrs.values = Array.isArray(attrs.values) ? coerceListValues(attrs.values) : [];
    if (typeof attrs.values_query === 'string' && !attrs.values_query.trim()) attrs.values_query = null;
    const effectiveQuery = attrs.values_query !== undefined ? attrs.values_query : (instance?.values_query ?? null);
    if (effectiveQuery === null) attrs.values_query_connection_id = null;
    if (attrs.default_value !== undefined) {
      const d = attrs.default_value;
      if (isMulti) attrs.default_value = (Array.isArray(d) ? d : [d]).map(lenient).filter((x): x is string => x !== null);
      else if (Array.isArray(d)) attrs.default_value = d.length ? lenient(d[0] as Json) : '';
      else attrs.default_value = lenient(d) || '';
    }
  } else {
    attrs.is_multi = false;
    attrs.values_query = null;
    attrs.values_query_connection_id = null;
  }
  return attrs;
}

function variableOut(v: StoredVariable): JsonObject {
  let values = clone(v.values);
  let defaultValue = clone(v.default_value);
  // to_representation normalises List rows so they round-trip through the stricter write checks.
  if (v.type === 'List') {
    values = Array.isArray(values) ? values.map(lenient).filter((x): x is string => x !== null) : [];
    defaultValue = v.is_multi
      ? (Array.isArray(defaultValue) ? defaultValue : [defaultValue]).map(lenient).filter((x): x is string => x !== null)
      : lenient(defaultValue);
  }
  return {
    id: v.id,
    name: v.name,
    type: v.type,
    default_value: defaultValue,
    created_by: v.created_by,
    created_at: v.created_at,
    code_name: v.code_name,
    values,
    is_multi: v.is_multi,
    values_query: v.values_query,
    values_query_connection_id: v.values_query_connection_id,
  };
}

export interface VariableExtras {
  id?: string;
  created_at?: string;
}

export function createVariable(
  store: EmulatorStore,
  project: ProjectStore,
  raw: unknown,
  userId: number,
  extras: VariableExtras = {},
): StoredVariable {
  const f = validate(raw, false);
  const name = f.name as string;
  const codeName = deriveCodeName(name);
  if (project.insightVariables.some((v) => v.code_name === codeName)) fail([], 'Variable with this code name already exists');
  const now = extras.created_at ?? nowDrf();
  const variable: StoredVariable = {
    id: extras.id ?? store.nextUuid(),
    name,
    type: f.type as string,
    default_value: f.default_value ?? null,
    values: f.values ?? null,
    is_multi: f.is_multi ?? false,
    values_query: f.values_query ?? null,
    values_query_connection_id: f.values_query_connection_id ?? null,
    code_name: codeName,
    created_by: userId,
    created_at: now,
    updated_at: now,
  };
  project.insightVariables.push(variable);
  return variable;
}

function find(project: ProjectStore, id: string): StoredVariable {
  const v = project.insightVariables.find((x) => x.id === id);
  if (!v) throw notFound();
  return v;
}

function update(req: ApiRequest): ApiResponse {
  const v = find(req.project, req.params.id as string);
  const f = validate(req.body(), req.method === 'PATCH', v);
  // Renaming keeps code_name: it is derived at create only.
  for (const key of ['name', 'type', 'default_value', 'values', 'is_multi', 'values_query', 'values_query_connection_id'] as const) {
    if (f[key] !== undefined) (v as unknown as Record<string, unknown>)[key] = f[key];
  }
  v.updated_at = nowDrf();
  return json(200, variableOut(v), true);
}

function remove(req: ApiRequest): ApiResponse {
  const v = find(req.project, req.params.id as string);
  req.project.insightVariables = req.project.insightVariables.filter((x) => x !== v);
  return { status: 204, body: null, committed: true };
}

const base = { scope: 'insight_variable', bucket: 'crud' } as const;

export const insightVariableRoutes: Route[] = [
  {
    ...base,
    path: 'insight_variables',
    methods: {
      // The queryset has no ordering at all: rows come back in whatever order Postgres picks.
      GET: {
        action: 'list',
        write: false,
        handler: (req) => json(200, pageNumber(req.url, orderWithUnorderedTies(req.project.insightVariables, req.random), variableOut)),
      },
      POST: {
        action: 'create',
        write: true,
        handler: (req) => json(201, variableOut(createVariable(req.store, req.project, req.body(), req.userId)), true),
      },
    },
  },
  {
    ...base,
    path: 'insight_variables/:id',
    methods: {
      GET: { action: 'retrieve', write: false, handler: (req) => json(200, variableOut(find(req.project, req.params.id as string))) },
      PATCH: { action: 'partial_update', write: true, handler: update },
      PUT: { action: 'update', write: true, handler: update },
      DELETE: { action: 'destroy', write: true, handler: remove },
    },
  },
];

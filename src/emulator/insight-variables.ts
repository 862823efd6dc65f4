// InsightVariableViewSet (posthog-api.md §3): code_name derived once at create, hard DELETE,
// page-number pagination.
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { nowDrf } from './dates.js';
import { charField, choiceField, ErrorCollector, nestedObject } from './drf-fields.js';
import { fail, notFound } from './errors.js';
import { clone, type Json, type JsonObject } from './json.js';
import { pageNumber } from './pagination.js';
import type { Route } from './router.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredVariable } from './types.js';

export const VARIABLE_TYPES = ['String', 'Number', 'Boolean', 'List', 'Date'] as const;

/** Python's `isalnum()` counts every Unicode letter and number. */
export function deriveCodeName(name: string): string {
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
}

function validate(raw: unknown, partial: boolean): VariableFields {
  const body = nestedObject(raw, []);
  const out: VariableFields = {};
  const c = new ErrorCollector();
  const has = (k: string) => Object.prototype.hasOwnProperty.call(body, k);
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
  c.throwIfAny();
  return out;
}

/** List variables always carry an array of allowed values. */
function normaliseValues(type: string, values: Json): Json {
  return type === 'List' && !Array.isArray(values) ? [] : values;
}

export function variableOut(v: StoredVariable): JsonObject {
  return {
    id: v.id,
    name: v.name,
    type: v.type,
    default_value: clone(v.default_value),
    created_by: v.created_by,
    created_at: v.created_at,
    code_name: v.code_name,
    values: normaliseValues(v.type, clone(v.values)),
  };
}

export interface VariableExtras {
  id?: string;
  created_at?: string;
}

export function createVariable(store: EmulatorStore, project: ProjectStore, raw: unknown, userId: number, extras: VariableExtras = {}): StoredVariable {
  const f = validate(raw, false);
  const name = f.name as string;
  const type = f.type as string;
  const codeName = deriveCodeName(name);
  if (project.insightVariables.some((v) => v.code_name === codeName)) fail([], 'Variable with this code name already exists');
  const now = extras.created_at ?? nowDrf();
  const variable: StoredVariable = {
    id: extras.id ?? store.nextUuid(),
    name,
    type,
    default_value: f.default_value ?? null,
    values: normaliseValues(type, f.values ?? null),
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
  const f = validate(req.body(), req.method === 'PATCH');
  // Renaming keeps code_name: it is derived at create only.
  if (f.name !== undefined) v.name = f.name;
  if (f.type !== undefined) v.type = f.type;
  if (f.default_value !== undefined) v.default_value = f.default_value;
  if (f.values !== undefined || f.type !== undefined) v.values = normaliseValues(v.type, f.values ?? v.values);
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
      GET: { action: 'list', write: false, handler: (req) => json(200, pageNumber(req.url, req.project.insightVariables, variableOut)) },
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

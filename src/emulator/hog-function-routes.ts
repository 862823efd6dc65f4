// HogFunctionViewSet CRUD and `rearrange` (posthog-api.md §4.4–4.6).
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { nowDrf } from './dates.js';
import { integerField } from './drf-fields.js';
import { fail, notFound } from './errors.js';
import { hogFunctionFull, hogFunctionMinimal } from './hog-function-read.js';
import { createHogFunction, TYPES_WITH_EXECUTION_ORDER, updateHogFunction } from './hog-function-write.js';
import { isObject, type Json } from './json.js';
import { limitOffset } from './pagination.js';
import type { Route } from './router.js';
import type { ProjectStore, StoredHogFunction } from './types.js';

/** Soft-deleted rows and warehouse webhooks are invisible, except to a restoring PATCH. */
export function findHogFunction(project: ProjectStore, id: string, includeDeleted = false): StoredHogFunction {
  const fn = project.hogFunctions.find((f) => f.id === id && f.type !== 'warehouse_source_webhook' && (includeDeleted || !f.deleted));
  if (!fn) throw notFound();
  return fn;
}

/** Postgres JSONB containment (`filters__contains`). */
function contains(container: Json | undefined, sub: Json): boolean {
  if (Array.isArray(sub)) return Array.isArray(container) && sub.every((s) => container.some((c) => contains(c, s)));
  if (isObject(sub)) return isObject(container) && Object.entries(sub).every(([k, v]) => contains(container[k], v));
  return container === sub;
}

function jsonParam(req: ApiRequest, name: 'filters' | 'filter_groups'): Json | undefined {
  const raw = req.url.searchParams.get(name);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Json;
    if (name === 'filter_groups' && !Array.isArray(parsed)) throw new Error('not a list');
    return parsed;
  } catch {
    fail([name], `Invalid ${name}`);
  }
}

function byExecutionOrder(a: StoredHogFunction, b: StoredHogFunction): number {
  return (a.execution_order ?? Infinity) - (b.execution_order ?? Infinity);
}

function list(req: ApiRequest): ApiResponse {
  const q = req.url.searchParams;
  let items = req.project.hogFunctions.filter((f) => !f.deleted && f.type !== 'warehouse_source_webhook');
  const types = q.get('type');
  if (types) {
    const wanted = types.split(',');
    items = items.filter((f) => wanted.includes(f.type));
  }
  const enabled = q.get('enabled');
  if (enabled !== null && ['true', 'false', '1', '0', 'True', 'False'].includes(enabled)) {
    items = items.filter((f) => f.enabled === ['true', '1', 'True'].includes(enabled));
  }
  const id = q.get('id');
  if (id) items = items.filter((f) => f.id === id);
  const search = q.get('search')?.toLowerCase();
  if (search) items = items.filter((f) => `${f.name ?? ''} ${f.description}`.toLowerCase().includes(search));
  const groups: Json[] = [];
  const fg = jsonParam(req, 'filter_groups');
  if (Array.isArray(fg)) groups.push(...fg);
  const single = jsonParam(req, 'filters');
  if (single !== undefined) groups.push(single);
  const nonEmpty = groups.filter((g) => !(isObject(g) && Object.keys(g).length === 0) && g !== null);
  if (nonEmpty.length) items = items.filter((f) => nonEmpty.some((g) => contains(f.filters, g)));
  items = [...items].sort((a, b) => byExecutionOrder(a, b) || b.updated_at.localeCompare(a.updated_at));
  const full = req.url.searchParams.get('full') === 'true';
  return json(200, limitOffset(req.url, items, full ? hogFunctionFull : hogFunctionMinimal));
}

function ctx(req: ApiRequest) {
  return { store: req.store, project: req.project, isCreate: false };
}

function create(req: ApiRequest): ApiResponse {
  const fn = createHogFunction({ ...ctx(req), isCreate: true }, req.body(), req.userId);
  return json(201, hogFunctionFull(fn), true);
}

function update(req: ApiRequest): ApiResponse {
  const body = req.body();
  const restoring = req.method === 'PATCH' && isObject(body) && body.deleted === false;
  const fn = findHogFunction(req.project, req.params.id as string, restoring);
  updateHogFunction(ctx(req), fn, body);
  return json(200, hogFunctionFull(fn), true);
}

/** PATCH rearrange: new execution orders; answers every function of that type, unpaginated. */
function rearrange(req: ApiRequest): ApiResponse {
  const body = req.body();
  const orders = isObject(body) ? body.orders : undefined;
  if (!isObject(orders) || Object.keys(orders).length === 0) fail([], 'No orders provided');
  const functions = new Map<string, StoredHogFunction>();
  for (const f of req.project.hogFunctions) {
    if (f.id in orders && TYPES_WITH_EXECUTION_ORDER.includes(f.type) && !f.deleted) functions.set(f.id, f);
  }
  const missing = Object.keys(orders).find((id) => !functions.has(id));
  if (missing !== undefined) fail([], `HogFunction with id ${missing} does not exist`);
  const types = new Set([...functions.values()].map((f) => f.type));
  if (types.size > 1) fail([], 'Cannot rearrange functions of different types in one request');
  const type = [...types][0] as string;
  const newOrders = new Map<string, number>();
  for (const [id, value] of Object.entries(orders)) newOrders.set(id, integerField(value, ['orders', id]) as number);
  const now = nowDrf();
  for (const [id, f] of functions) {
    const next = newOrders.get(id) as number;
    if (f.execution_order !== next) {
      f.execution_order = next;
      f.updated_at = now;
    }
  }
  const all = req.project.hogFunctions.filter((f) => f.type === type && !f.deleted).sort(byExecutionOrder);
  return json(200, all.map(hogFunctionFull), true);
}

const forbidDestroy = (): ApiResponse => ({ status: 405, body: null });

export const hogFunctionCrudRoutes: Route[] = [
  {
    path: 'hog_functions',
    scope: 'hog_function',
    bucket: 'crud',
    methods: { GET: { action: 'list', write: false, handler: list }, POST: { action: 'create', write: true, handler: create } },
  },
  {
    path: 'hog_functions/rearrange',
    scope: 'hog_function',
    bucket: 'crud',
    methods: { PATCH: { action: 'rearrange', write: true, handler: rearrange } },
  },
];

export const hogFunctionDetailRoutes: Route[] = [
  {
    path: 'hog_functions/:id',
    scope: 'hog_function',
    bucket: 'crud',
    methods: {
      GET: { action: 'retrieve', write: false, handler: (req) => json(200, hogFunctionFull(findHogFunction(req.project, req.params.id as string))) },
      PATCH: { action: 'partial_update', write: true, handler: update },
      PUT: { action: 'update', write: true, handler: update },
      DELETE: { action: 'destroy', write: true, handler: forbidDestroy },
    },
  },
];

// HogFunctionViewSet CRUD and `rearrange` (products/cdp/backend/api/hog_function.py).
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { nowDrf } from './dates.js';
import { integerField } from './drf-fields.js';
import { fail, notFound } from './errors.js';
import { hogFunctionFull, hogFunctionMinimal, readContext } from './hog-function-read.js';
import { TYPES_WITH_EXECUTION_ORDER } from './hog-function-validate.js';
import { createHogFunction, updateHogFunction } from './hog-function-write.js';
import { isObject, type Json } from './json.js';
import { byColumn, orderWithUnorderedTies } from './ordering.js';
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

/** `order_by("execution_order")`: NULLs last, ties in no particular order. */
const byExecutionOrder = byColumn<StoredHogFunction>((f) => f.execution_order);
const MAX_SEARCH_LENGTH = 200;

/** Substring search on name, then description; the trigram "similar" tier is not emulated. */
function searchRank(f: StoredHogFunction, term: string): number | undefined {
  const t = term.toLowerCase();
  if ((f.name ?? '').toLowerCase().includes(t)) return 0;
  if (f.description.toLowerCase().includes(t)) return 1;
  return undefined;
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
  const search = q.get('search');
  if (search && search.length > MAX_SEARCH_LENGTH) fail(['search'], `Search query must be ${MAX_SEARCH_LENGTH} characters or fewer.`);
  const groups: Json[] = [];
  const fg = jsonParam(req, 'filter_groups');
  if (Array.isArray(fg)) groups.push(...fg);
  const single = jsonParam(req, 'filters');
  if (single !== undefined) groups.push(single);
  const nonEmpty = groups.filter((g) => !(isObject(g) && Object.keys(g).length === 0) && g !== null);
  if (nonEmpty.length) items = items.filter((f) => nonEmpty.some((g) => contains(f.filters, g)));
  const term = search?.trim();
  const ranks = new Map<StoredHogFunction, number>();
  if (term) {
    for (const f of items) {
      const rank = searchRank(f, term);
      if (rank !== undefined) ranks.set(f, rank);
    }
    items = orderWithUnorderedTies(
      items.filter((f) => ranks.has(f)),
      req.random,
      byColumn((f) => ranks.get(f) ?? 9),
      byColumn((f) => f.name),
    );
  } else {
    // A blank ?search= is no search: apply_trigram_search returns the queryset unchanged.
    // ("execution_order", "-updated_at"), no tie-breaker: an edit during a paged read moves the row.
    items = orderWithUnorderedTies(
      items,
      req.random,
      byExecutionOrder,
      byColumn((f) => f.updated_at, true),
    );
  }
  const full = q.get('full') === 'true';
  const searched = { ...readContext(req.project), ...(term ? { searchMatchType: 'exact' as const } : {}) };
  return json(
    200,
    limitOffset(req.url, items, (f) => (full ? hogFunctionFull(f, searched) : hogFunctionMinimal(f, searched))),
  );
}

function ctx(req: ApiRequest) {
  return { store: req.store, project: req.project, isCreate: false };
}

function create(req: ApiRequest): ApiResponse {
  const fn = createHogFunction({ ...ctx(req), isCreate: true }, req.body(), req.userId);
  return json(201, hogFunctionFull(fn, readContext(req.project)), true);
}

function update(req: ApiRequest): ApiResponse {
  const body = req.body();
  const restoring = req.method === 'PATCH' && isObject(body) && body.deleted === false;
  const fn = findHogFunction(req.project, req.params.id as string, restoring);
  updateHogFunction(ctx(req), fn, body);
  return json(200, hogFunctionFull(fn, readContext(req.project)), true);
}

/**
 * PATCH rearrange: new execution orders for functions of one type (transformation or
 * transformation_log); answers every non-deleted function of that type, unpaginated, ordered by
 * execution_order with no tie-breaker.
 */
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
  const all = orderWithUnorderedTies(
    req.project.hogFunctions.filter((f) => f.type === type && !f.deleted),
    req.random,
    byExecutionOrder,
  );
  return json(
    200,
    all.map((f) => hogFunctionFull(f, readContext(req.project))),
    true,
  );
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
      GET: {
        action: 'retrieve',
        write: false,
        handler: (req) => json(200, hogFunctionFull(findHogFunction(req.project, req.params.id as string), readContext(req.project))),
      },
      PATCH: { action: 'partial_update', write: true, handler: update },
      PUT: { action: 'update', write: true, handler: update },
      DELETE: { action: 'destroy', write: true, handler: forbidDestroy },
    },
  },
];

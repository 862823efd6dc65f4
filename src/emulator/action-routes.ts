// ActionViewSet (products/actions/backend/api/action.py; routes in products/actions/backend/
// routes.py: `routers.projects` only): ForbidDestroyModel, soft delete through PATCH, default
// throttles, and a `list` of its own that is not DRF-paginated.
import { actionOut, findActionReferences, referenceOut } from './action-read.js';
import { createAction, updateAction } from './action-write.js';
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { epochMicros } from './drf-datetime.js';
import { notFound } from './errors.js';
import { byColumn, orderWithUnorderedTies, type Comparator } from './ordering.js';
import type { Route } from './router.js';
import type { ProjectStore, StoredAction } from './types.js';
import { userBasic } from './users.js';

/** `get_object` over `safely_get_queryset`: outside `list`, soft-deleted actions are found too. */
function findAction(project: ProjectStore, ref: string): StoredAction {
  const action = /^\d+$/.test(ref) ? project.actions.find((a) => a.id === Number(ref)) : undefined;
  if (!action) throw notFound();
  return action;
}

/** `_parse_non_negative_int`: `int(raw)`, negatives and garbage ignored. */
function nonNegative(raw: string | null): number | null {
  if (raw === null || !/^\s*[-+]?\d+\s*$/.test(raw)) return null;
  const n = parseInt(raw, 10);
  return n >= 0 ? n : null;
}

const ORDERABLE = ['name', 'created_at', 'pinned_at', 'created_by'];

/** `_ordering_from_request`: a whitelisted field (creator by full name), then `name` to break ties. */
function requestedOrder(raw: string | null): Array<Comparator<StoredAction>> | null {
  if (!raw) return null;
  const field = raw.replace(/^-+/, '');
  if (!ORDERABLE.includes(field)) return null;
  const desc = raw.startsWith('-');
  const out: Array<Comparator<StoredAction>> = [];
  if (field === 'name') out.push(byColumn((a) => a.name, desc));
  if (field === 'created_at') out.push(byColumn((a) => epochMicros(a.created_at), desc));
  if (field === 'pinned_at') out.push(byColumn((a) => (a.pinned_at === null ? null : epochMicros(a.pinned_at)), desc));
  if (field === 'created_by') {
    out.push(byColumn((a) => (userBasic(a.created_by)?.first_name as string | undefined) ?? null, desc));
    out.push(byColumn((a) => (userBasic(a.created_by)?.last_name as string | undefined) ?? null, desc));
  }
  if (field !== 'name') out.push(byColumn((a) => a.name));
  return out;
}

function jsonTags(raw: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) && parsed.length ? parsed.map(String) : null;
  } catch {
    return null;
  }
}

/**
 * `list`: live actions ordered `-last_calculated_at, name` (no further tie-breaker), every row
 * unless `limit`/`offset` ask for a slice, in `{count, results}`; `search`, `created_by`, `tags`,
 * `ordering` and `include_reference_count` are opt-in.
 */
function list(req: ApiRequest): ApiResponse {
  const q = req.url.searchParams;
  const project = req.project;
  let items = project.actions.filter((a) => !a.deleted);
  const search = q.get('search');
  if (search) items = items.filter((a) => (a.name ?? '').toLowerCase().includes(search.toLowerCase()));
  const creators = (q.get('created_by') ?? '')
    .split(',')
    .filter((v) => /^\d+$/.test(v.trim()))
    .map(Number);
  if (creators.length) items = items.filter((a) => a.created_by !== null && creators.includes(a.created_by));
  const tags = q.get('tags') ? jsonTags(q.get('tags') as string) : null;
  if (tags) items = items.filter((a) => project.tagging && a.tags.some((t) => tags.includes(t)));
  const order = requestedOrder(q.get('ordering')) ?? [
    byColumn((a: StoredAction) => epochMicros(a.last_calculated_at), true),
    byColumn((a: StoredAction) => a.name),
  ];
  items = orderWithUnorderedTies(items, req.random, ...order);
  const offset = nonNegative(q.get('offset')) ?? 0;
  const limit = nonNegative(q.get('limit'));
  const total = items.length;
  const page = limit === null ? items.slice(offset) : items.slice(offset, offset + limit);
  const withCounts = Boolean(q.get('include_reference_count'));
  const results = page.map((a) => ({
    ...actionOut(project, a, req.userId),
    ...(withCounts ? { reference_count: findActionReferences(project, a.id, () => 0, Infinity).length } : {}),
  }));
  return json(200, { count: limit === null ? offset + results.length : total, results });
}

function create(req: ApiRequest): ApiResponse {
  const action = createAction(req.store, req.project, req.body(), req.userId);
  return json(201, actionOut(req.project, action, req.userId), true);
}

function retrieve(req: ApiRequest): ApiResponse {
  return json(200, actionOut(req.project, findAction(req.project, req.params.id as string), req.userId));
}

function update(req: ApiRequest): ApiResponse {
  const action = findAction(req.project, req.params.id as string);
  const { pinnedAnswer } = updateAction(req.project, action, req.body());
  return json(200, actionOut(req.project, action, req.userId, pinnedAnswer), true);
}

/** `references` (scope `action:read`, `pagination_class=None`): a bare array. */
function references(req: ApiRequest): ApiResponse {
  const action = findAction(req.project, req.params.id as string);
  return json(200, findActionReferences(req.project, action.id, req.random).map(referenceOut));
}

/** ForbidDestroyModel: 405 with no body. */
const forbidDestroy = (): ApiResponse => ({ status: 405, body: null });

const base = { scope: 'action', bucket: 'crud', projectsOnly: true } as const;

export const actionRoutes: Route[] = [
  {
    ...base,
    path: 'actions',
    methods: { GET: { action: 'list', write: false, handler: list }, POST: { action: 'create', write: true, handler: create } },
  },
  { ...base, path: 'actions/:id/references', methods: { GET: { action: 'references', write: false, handler: references } } },
  {
    ...base,
    path: 'actions/:id',
    methods: {
      GET: { action: 'retrieve', write: false, handler: retrieve },
      PATCH: { action: 'partial_update', write: true, handler: update },
      PUT: { action: 'update', write: true, handler: update },
      DELETE: { action: 'destroy', write: true, handler: forbidDestroy },
    },
  },
];

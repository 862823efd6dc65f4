// DashboardsViewSet (products/dashboards/backend/api/dashboard.py), registered with
// `register_legacy_dual_route_team_nested_viewset` (both URL forms, posthog/api/__init__.py):
// scope `dashboard`, the default CRUD throttles, ForbidDestroyModel, LimitOffset pagination.
// `dangerously_get_queryset` hides soft-deleted dashboards except from an update whose body's
// `deleted` reads false (`str_to_bool`), filters `?creation_mode=` on every action and hides
// unlisted ones from the list; `queryset.order_by("-pinned", "name")` has no tie-breaker.
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { dashboardBasic, dashboardFull } from './dashboard-read.js';
import { createDashboard, updateDashboard } from './dashboard-write.js';
import { nowDrf } from './dates.js';
import { fail, notFound } from './errors.js';
import { isObject, pyTruthy } from './json.js';
import { byColumn, orderWithUnorderedTies } from './ordering.js';
import { limitOffset } from './pagination.js';
import type { Route } from './router.js';
import type { StoredDashboard } from './types.js';

const MAX_SEARCH_LENGTH = 200;
const GENERATED_DASHBOARD_PREFIX = 'Generated Dashboard';

/** posthog/utils.py `str_to_bool` on whatever JSON value was sent. */
function strToBool(value: unknown): boolean {
  if (!pyTruthy(value)) return false;
  const text = typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
  return ['y', 'yes', 't', 'true', 'on', '1'].includes(text.toLowerCase());
}

/** The queryset every action starts from. */
function visible(req: ApiRequest, includeDeleted: boolean): StoredDashboard[] {
  const q = req.url.searchParams;
  let rows = req.project.dashboards.filter((d) => includeDeleted || !d.deleted);
  const mode = q.get('creation_mode');
  if (mode) rows = rows.filter((d) => d.creation_mode === mode);
  return rows;
}

function find(req: ApiRequest, includeDeleted = false): StoredDashboard {
  const ref = req.params.id as string;
  // A pk that is not an integer is a ValueError that get_object_or_404 turns into 404.
  const found = /^\d+$/.test(ref) ? visible(req, includeDeleted).find((d) => d.id === Number(ref)) : undefined;
  if (!found) throw notFound();
  return found;
}

function searchable(d: StoredDashboard, term: string, tagging: boolean): boolean {
  const t = term.toLowerCase();
  return [d.name ?? '', d.description, ...(tagging ? d.tags : [])].some((f) => f.toLowerCase().includes(t));
}

/**
 * `list`: unlisted ones hidden unless `?creation_mode=` asks, `?exclude_generated=true`,
 * `?search=` (trigram search; the emulator matches substrings only, all `exact`), repeated `?tags=`.
 */
function list(req: ApiRequest): ApiResponse {
  const q = req.url.searchParams;
  let rows = visible(req, false);
  if (!q.get('creation_mode')) rows = rows.filter((d) => d.creation_mode !== 'unlisted');
  if (q.get('exclude_generated') === 'true') rows = rows.filter((d) => !(d.name ?? '').startsWith(GENERATED_DASHBOARD_PREFIX));
  const search = q.get('search');
  if (search && search.length > MAX_SEARCH_LENGTH) fail(['search'], `Search query must be ${MAX_SEARCH_LENGTH} characters or fewer.`);
  const term = search?.trim();
  if (term) rows = rows.filter((d) => searchable(d, term, req.project.tagging));
  const tags = q.getAll('tags');
  if (tags.length) rows = rows.filter((d) => req.project.tagging && d.tags.some((t) => tags.includes(t)));
  // NULL names sort last ascending, as in Postgres; equal (pinned, name) pairs come back in any order.
  rows = orderWithUnorderedTies(
    rows,
    req.random,
    byColumn((d) => d.pinned, true),
    byColumn((d) => d.name),
  );
  return json(
    200,
    limitOffset(req.url, rows, (d) => dashboardBasic(req.project, d, Boolean(term))),
  );
}

function full(req: ApiRequest, status: number, d: StoredDashboard, committed: boolean): ApiResponse {
  const { body, items } = dashboardFull(req.project, d, req.random);
  return { ...json(status, body, committed), itemCount: items };
}

function create(req: ApiRequest): ApiResponse {
  const dashboard = createDashboard(req.store, req.project, req.body(), req.userId);
  return full(req, 201, dashboard, true);
}

/** `retrieve` stamps `last_accessed_at` before serialising. */
function retrieve(req: ApiRequest): ApiResponse {
  const dashboard = find(req);
  dashboard.last_accessed_at = nowDrf();
  return full(req, 200, dashboard, false);
}

function update(req: ApiRequest): ApiResponse {
  const body = req.body();
  // `self.request.data.get("deleted")` runs before the serializer: a body that is not an object fails there.
  if (!isObject(body)) throw new TypeError(`'${Array.isArray(body) ? 'list' : typeof body}' object has no attribute 'get'`);
  const restoring = body.deleted !== undefined && body.deleted !== null && !strToBool(body.deleted);
  const dashboard = find(req, restoring);
  updateDashboard(req.store, req.project, dashboard, body, req.userId);
  return full(req, 200, dashboard, true);
}

/** ForbidDestroyModel: 405 with no body, whatever the id. */
const forbidDestroy = (): ApiResponse => ({ status: 405, body: null });

const base = { scope: 'dashboard', bucket: 'crud' } as const;

export const dashboardRoutes: Route[] = [
  {
    ...base,
    path: 'dashboards',
    methods: { GET: { action: 'list', write: false, handler: list }, POST: { action: 'create', write: true, handler: create } },
  },
  {
    ...base,
    path: 'dashboards/:id',
    methods: {
      GET: { action: 'retrieve', write: false, handler: retrieve },
      PATCH: { action: 'partial_update', write: true, handler: update },
      PUT: { action: 'update', write: true, handler: update },
      DELETE: { action: 'destroy', write: true, handler: forbidDestroy },
    },
  },
];

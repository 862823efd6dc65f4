// InsightViewSet (posthog-api.md §2.2): ForbidDestroyModel, lookup by id or short_id,
// soft delete through PATCH, ClickHouse throttles for every endpoint.
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { notFound } from './errors.js';
import { insightBasic, insightFull } from './insight-read.js';
import { createInsight, updateInsight } from './insight-write.js';
import { isObject } from './json.js';
import { limitOffset } from './pagination.js';
import { queryFlag, type Route } from './router.js';
import type { ProjectStore, StoredInsight } from './types.js';

/** `safely_get_object`: a numeric id is tried as the primary key first, then as a short_id. */
function findInsight(project: ProjectStore, ref: string, includeDeleted: boolean): StoredInsight {
  const candidates = project.insights.filter((i) => includeDeleted || !i.deleted);
  if (/^\d+$/.test(ref)) {
    const byId = candidates.find((i) => i.id === Number(ref));
    if (byId) return byId;
  }
  const byShort = candidates.find((i) => i.short_id === ref);
  if (!byShort) throw notFound();
  return byShort;
}

function render(req: ApiRequest) {
  const basic = queryFlag(req.url, 'basic');
  return (i: StoredInsight) => (basic ? insightBasic(req.project, i) : insightFull(req.project, i));
}

function list(req: ApiRequest): ApiResponse {
  const q = req.url.searchParams;
  let items = req.project.insights.filter((i) => !i.deleted);
  const shortId = q.get('short_id');
  if (shortId !== null) items = items.filter((i) => i.short_id === shortId);
  const search = q.get('search')?.toLowerCase();
  if (search) {
    items = items.filter((i) =>
      [i.name, i.derived_name, i.description, ...i.tags].some((t) => (t ?? '').toLowerCase().includes(search)),
    );
  }
  if (q.has('favorited')) items = items.filter((i) => i.favorited === queryFlag(req.url, 'favorited'));
  if (q.has('saved')) items = items.filter((i) => i.saved === queryFlag(req.url, 'saved'));
  // order_by("order"): Postgres puts NULLs last; ties fall back to creation order.
  items = [...items].sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.id - b.id);
  return json(200, limitOffset(req.url, items, render(req)));
}

function create(req: ApiRequest): ApiResponse {
  const insight = createInsight(req.store, req.project, req.body(), req.userId);
  return json(201, insightFull(req.project, insight), true);
}

function retrieve(req: ApiRequest): ApiResponse {
  return json(200, render(req)(findInsight(req.project, req.params.id as string, false)));
}

function update(req: ApiRequest): ApiResponse {
  const body = req.body();
  // Only a PATCH that restores ({"deleted": false}) can see a soft-deleted insight.
  const restoring = req.method === 'PATCH' && isObject(body) && body.deleted === false;
  const insight = findInsight(req.project, req.params.id as string, restoring);
  updateInsight(req.store, req.project, insight, body, req.userId);
  return json(200, insightFull(req.project, insight), true);
}

/** ForbidDestroyModel: 405 with no body, whatever the id. */
const forbidDestroy = (): ApiResponse => ({ status: 405, body: null });

const base = { scope: 'insight', bucket: 'insights' } as const;

export const insightRoutes: Route[] = [
  {
    ...base,
    path: 'insights',
    methods: { GET: { action: 'list', write: false, handler: list }, POST: { action: 'create', write: true, handler: create } },
  },
  {
    ...base,
    path: 'insights/:id',
    methods: {
      GET: { action: 'retrieve', write: false, handler: retrieve },
      PATCH: { action: 'partial_update', write: true, handler: update },
      PUT: { action: 'update', write: true, handler: update },
      DELETE: { action: 'destroy', write: true, handler: forbidDestroy },
    },
  },
];

// InsightViewSet (products/product_analytics/backend/api/insight.py; posthog-api.md §2.2):
// ForbidDestroyModel, lookup by id or short_id,
// soft delete through PATCH, ClickHouse throttles for every endpoint.
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { notFound } from './errors.js';
import { insightBasic, insightFull } from './insight-read.js';
import { createInsight, updateInsight } from './insight-write.js';
import { isObject } from './json.js';
import { limitOffsetInTurns } from './pagination.js';
import { listInsights, strToBool } from './insight-list.js';
import type { Route } from './router.js';
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

function basicRequested(req: ApiRequest): boolean {
  return strToBool(req.url.searchParams.get('basic') ?? '0');
}

async function list(req: ApiRequest): Promise<ApiResponse> {
  const { items, searched } = listInsights(req);
  const ctx = { listed: true, random: req.random, ...(searched ? { searchMatch: 'exact' as const } : {}) };
  const basic = basicRequested(req);
  const render = (i: StoredInsight) => (basic ? insightBasic(req.project, i, ctx) : insightFull(req.project, i, ctx));
  return { ...json(200, await limitOffsetInTurns(req.url, items, (i) => ({ ...i }), render)), lightRows: basic };
}

function create(req: ApiRequest): ApiResponse {
  const insight = createInsight(req.store, req.project, req.body(), req.userId);
  return json(201, insightFull(req.project, insight), true);
}

function retrieve(req: ApiRequest): ApiResponse {
  const insight = findInsight(req.project, req.params.id as string, false);
  const basic = basicRequested(req);
  return {
    ...json(200, basic ? insightBasic(req.project, insight) : insightFull(req.project, insight, { random: req.random })),
    lightRows: basic,
  };
}

function update(req: ApiRequest): ApiResponse {
  const body = req.body();
  // Only a PATCH that restores ({"deleted": false}) can see a soft-deleted insight.
  const restoring = req.method === 'PATCH' && isObject(body) && body.deleted === false;
  const insight = findInsight(req.project, req.params.id as string, restoring);
  const alertsBefore = req.project.alerts.filter((a) => a.insight_id === insight.id).map((a) => structuredClone(a));
  updateInsight(req.store, req.project, insight, body, req.userId);
  return json(200, insightFull(req.project, insight, { random: req.random, alertsBefore }), true);
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

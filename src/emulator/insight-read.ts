// InsightSerializer / InsightBasicSerializer output (products/product_analytics/backend/api/insight.py).
import { queryOnDashboard } from './dashboard-context.js';
import { liveInsightTiles } from './dashboard-store.js';
import { shortHash } from './ids.js';
import { insightAlerts } from './alert-read.js';
import { readQueryAndFilters } from './insight-query.js';
import { canonical, type JsonObject } from './json.js';
import type { ProjectStore, StoredAlert, StoredDashboard, StoredInsight } from './types.js';
import { userBasic } from './users.js';

/** How the insight is being rendered: list rows carry annotations a retrieve does not. */
export interface ReadContext {
  /** `last_viewed_at` is an annotation of the list queryset only; elsewhere it reads null. */
  listed?: boolean;
  /** Set when the list was searched: `search_match_type` is only present then. */
  searchMatch?: 'exact' | 'similar';
  /** Rendered on a dashboard's tile: the dashboard's filters and variables apply to the query. */
  dashboard?: StoredDashboard;
  /** Draws for the unordered prefetch of `alerts`. */
  random?: () => number;
  /** An update's answer lists the alerts prefetched before it (see alert-read.ts `insightAlerts`). */
  alertsBefore?: StoredAlert[];
}

function common(project: ProjectStore, insight: StoredInsight, ctx: ReadContext) {
  // `insight.dashboard_tiles` goes through DashboardTileManager: no soft-deleted tiles, none on soft-deleted dashboards.
  const tiles = liveInsightTiles(project, insight.id);
  const read = readQueryAndFilters(insight, project.insightVariables);
  return {
    ...read,
    ...(ctx.dashboard ? { query: queryOnDashboard(read.query, ctx.dashboard, project.insightVariables) } : {}),
    tags: project.tagging ? [...insight.tags] : [],
    dashboards: tiles.map((t) => t.dashboard_id),
    dashboard_tiles: tiles.map((t) => ({ id: t.id, dashboard_id: t.dashboard_id, deleted: t.deleted })),
    last_viewed_at: ctx.listed ? insight.last_viewed_at : null,
    search: (ctx.searchMatch ? { search_match_type: ctx.searchMatch } : {}) as JsonObject,
  };
}

/** A stand-in for the query cache key, which covers the dashboard's filters when shown on one. */
function cacheKey(project: ProjectStore, insight: StoredInsight, dashboard: StoredDashboard | undefined): string {
  const onDashboard = dashboard && Object.keys(dashboard.filters).length ? canonical(dashboard.filters) : '';
  return `cache_${shortHash(`${project.id}:${canonical(insight.query ?? insight.filters)}${onDashboard}`, 32)}`;
}

export function insightBasic(project: ProjectStore, insight: StoredInsight, ctx: ReadContext = {}): JsonObject {
  const c = common(project, insight, ctx);
  return {
    id: insight.id,
    short_id: insight.short_id,
    name: insight.name,
    derived_name: insight.derived_name,
    filters: c.filters,
    query: c.query,
    dashboards: c.dashboards,
    dashboard_tiles: c.dashboard_tiles,
    description: insight.description,
    last_refresh: null,
    refreshing: false,
    saved: insight.saved,
    tags: c.tags,
    updated_at: insight.updated_at,
    created_by: userBasic(insight.created_by),
    created_at: insight.created_at,
    last_modified_at: insight.last_modified_at,
    favorited: insight.favorited,
    user_access_level: 'editor',
    last_viewed_at: c.last_viewed_at,
    ...c.search,
  };
}

export function insightFull(project: ProjectStore, insight: StoredInsight, ctx: ReadContext = {}): JsonObject {
  const c = common(project, insight, ctx);
  const alerts = insightAlerts(project, insight, insightBasic(project, insight), {
    ...(ctx.random ? { random: ctx.random } : {}),
    ...(ctx.alertsBefore ? { before: ctx.alertsBefore } : {}),
  });
  return {
    id: insight.id,
    short_id: insight.short_id,
    name: insight.name,
    derived_name: insight.derived_name,
    filters: c.filters,
    query: c.query,
    order: insight.order,
    deleted: insight.deleted,
    dashboards: c.dashboards,
    dashboard_tiles: c.dashboard_tiles,
    // The default refresh mode (force_cache) never computes, and the emulator has no cache.
    last_refresh: null,
    cache_target_age: null,
    next_allowed_client_refresh: null,
    result: null,
    hasMore: null,
    columns: null,
    created_at: insight.created_at,
    created_by: userBasic(insight.created_by),
    description: insight.description,
    updated_at: insight.updated_at,
    tags: c.tags,
    favorited: insight.favorited,
    saved: insight.saved,
    last_modified_at: insight.last_modified_at,
    last_modified_by: userBasic(insight.last_modified_by),
    is_sample: insight.is_sample,
    effective_restriction_level: 21,
    effective_privilege_level: 37,
    user_access_level: 'editor',
    timezone: 'UTC',
    is_cached: false,
    query_status: null,
    hogql: null,
    types: null,
    resolved_date_range: null,
    alerts,
    last_viewed_at: c.last_viewed_at,
    ...c.search,
    filters_hash: cacheKey(project, insight, ctx.dashboard),
  };
}

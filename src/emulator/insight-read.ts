// InsightSerializer / InsightBasicSerializer output (posthog-api.md §2.1).
import { shortHash } from './ids.js';
import { readQuery } from './insight-query.js';
import { canonical, clone, type JsonObject } from './json.js';
import type { ProjectStore, StoredInsight } from './types.js';
import { userBasic } from './users.js';

function tilesOf(project: ProjectStore, insight: StoredInsight): JsonObject[] {
  return project.dashboardTiles
    .filter((t) => t.insight_id === insight.id)
    .map((t) => ({ id: t.id, dashboard_id: t.dashboard_id, deleted: t.deleted }));
}

function dashboardsOf(project: ProjectStore, insight: StoredInsight): number[] {
  return project.dashboardTiles.filter((t) => t.insight_id === insight.id && !t.deleted).map((t) => t.dashboard_id);
}

/** Shared by both serializers: `filters` reads `{}` once a query exists. */
function common(project: ProjectStore, insight: StoredInsight) {
  const query = readQuery(insight.query, project.insightVariables);
  return {
    query,
    filters: query ? {} : clone(insight.filters),
    tags: project.tagging ? [...insight.tags] : [],
    dashboards: dashboardsOf(project, insight),
    dashboard_tiles: tilesOf(project, insight),
  };
}

export function insightFull(project: ProjectStore, insight: StoredInsight): JsonObject {
  const c = common(project, insight);
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
    alerts: [],
    last_viewed_at: null,
    filters_hash: `cache_${shortHash(`${project.id}:${canonical(insight.query ?? insight.filters)}`, 32)}`,
  };
}

export function insightBasic(project: ProjectStore, insight: StoredInsight): JsonObject {
  const c = common(project, insight);
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
    last_viewed_at: null,
    search_match_type: null,
  };
}

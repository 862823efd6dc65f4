// DashboardBasicSerializer (list) and DashboardSerializer (everything else), with `get_tiles`
// (products/dashboards/backend/api/dashboard.py), DashboardTileSerializer and
// `DashboardTile.dashboard_queryset` / `sort_tiles_by_layout` (products/dashboards/backend/models/
// dashboard_tile.py).
import { dashboardVariables } from './dashboard-context.js';
import { isManagerTile } from './dashboard-store.js';
import { buttonOut, textOut } from './dashboard-tile-content.js';
import { insightFull } from './insight-read.js';
import { clone, isObject, pyTruthy, type Json, type JsonObject } from './json.js';
import { byColumn, orderWithUnorderedTies } from './ordering.js';
import type { ProjectStore, StoredDashboard, StoredTile } from './types.js';
import { userBasic } from './users.js';

/** The fields both serializers share, for a caller who can edit (the emulator's users are admins). */
function shared(project: ProjectStore, d: StoredDashboard): JsonObject {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    pinned: d.pinned,
    created_at: d.created_at,
    created_by: userBasic(d.created_by),
    last_accessed_at: d.last_accessed_at,
    // Annotated from FileSystemViewLog, which only the web app writes.
    last_viewed_at: null,
    is_shared: false,
    deleted: d.deleted,
    creation_mode: d.creation_mode,
    tags: project.tagging ? [...d.tags] : [],
    restriction_level: d.restriction_level,
    effective_restriction_level: d.restriction_level,
    effective_privilege_level: 37,
    user_access_level: 'editor',
    access_control_version: d.restriction_level > 21 ? 'v1' : 'v2',
    last_refresh: d.last_refresh,
    team_id: project.id,
  };
}

export function dashboardBasic(project: ProjectStore, d: StoredDashboard, searched: boolean): JsonObject {
  return { ...shared(project, d), ...(searched ? { search_match_type: 'exact' } : {}) };
}

/** Python's `==` between two sort keys (numbers and booleans compare as numbers). */
function pyEqual(a: Json, b: Json): boolean {
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean'))
    return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEqual(x, b[i] as Json));
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Python's `<`: a TypeError (500) where Python cannot order the two values. */
function pyLess(a: Json, b: Json): boolean {
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')) return Number(a) < Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++)
      if (!pyEqual(a[i] as Json, b[i] as Json)) return pyLess(a[i] as Json, b[i] as Json);
    return a.length < b.length;
  }
  throw new TypeError(`'<' not supported between the layout values ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
}

/** `(layouts["sm"]["y"], layouts["sm"]["x"])`, 100 where missing; a layouts that is not a dict fails `.get`. */
function layoutKey(tile: StoredTile): Json[] {
  const layouts = tile.layouts;
  if (!isObject(layouts)) throw new TypeError(`'${typeof layouts}' object has no attribute 'get'`);
  const sm = layouts.sm === undefined ? {} : layouts.sm;
  if (!isObject(sm)) throw new TypeError(`'${typeof sm}' object has no attribute 'get'`);
  return [sm.y === undefined ? 100 : sm.y, sm.x === undefined ? 100 : sm.x];
}

function compareKeys(a: Json[], b: Json[]): number {
  return pyLess(a, b) ? -1 : pyLess(b, a) ? 1 : 0;
}

/**
 * `dashboard_queryset(dashboard.tiles.all())`: live tiles whose insight is not soft-deleted (or
 * that have none), ordered by the insight's `order` (NULLs last, ties unordered), then sorted by
 * layout (a stable sort).
 */
function sortedTiles(project: ProjectStore, d: StoredDashboard, random: () => number): StoredTile[] {
  const insightOf = (t: StoredTile) => project.insights.find((i) => i.id === t.insight_id);
  const tiles = project.dashboardTiles.filter(
    (t) => t.dashboard_id === d.id && isManagerTile(project, t) && (t.insight_id === null || insightOf(t)?.deleted === false),
  );
  const byOrder = orderWithUnorderedTies(
    tiles,
    random,
    byColumn((t) => insightOf(t)?.order ?? null),
  );
  const keys = new Map(byOrder.map((t) => [t, layoutKey(t)]));
  return [...byOrder].sort((a, b) => compareKeys(keys.get(a) as Json[], keys.get(b) as Json[]));
}

function tileOut(project: ProjectStore, d: StoredDashboard, tile: StoredTile, order: number): JsonObject {
  const insight = tile.insight_id === null ? undefined : project.insights.find((i) => i.id === tile.insight_id);
  const text = tile.text_id === null ? undefined : project.dashboardTexts.find((t) => t.id === tile.text_id);
  const button = tile.button_tile_id === null ? undefined : project.buttonTiles.find((b) => b.id === tile.button_tile_id);
  const shown = insight ? insightFull(project, insight, { dashboard: d }) : null;
  return {
    id: tile.id,
    insight: shown,
    text: text ? textOut(project, text) : null,
    button_tile: button ? buttonOut(project, button) : null,
    widget: null,
    layouts: clone(tile.layouts),
    color: tile.color,
    filters_overrides: clone(tile.filters_overrides),
    show_description: tile.show_description,
    transparent_background: tile.transparent_background,
    order,
    last_refresh: shown ? (shown.last_refresh ?? null) : null,
    is_cached: shown ? (shown.is_cached ?? false) : false,
  };
}

export interface FullDashboard {
  body: JsonObject;
  /** Rows serialised: the dashboard and each insight of its tiles (a full InsightSerializer each). */
  items: number;
}

export function dashboardFull(project: ProjectStore, d: StoredDashboard, random: () => number): FullDashboard {
  const tiles = sortedTiles(project, d, random);
  const body: JsonObject = {
    ...shared(project, d),
    filters: clone(d.filters),
    variables: dashboardVariables(d, project.insightVariables),
    breakdown_colors: clone(d.breakdown_colors),
    data_color_theme_id: d.data_color_theme_id,
    persisted_filters: pyTruthy(d.filters) ? clone(d.filters) : null,
    persisted_variables: pyTruthy(d.variables) ? clone(d.variables) : null,
    quick_filter_ids: d.quick_filter_ids ? [...d.quick_filter_ids] : [],
    tiles: tiles.map((t, i) => tileOut(project, d, t, i)),
  };
  return { body, items: 1 + tiles.filter((t) => t.insight_id !== null).length };
}

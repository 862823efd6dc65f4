// DashboardSerializer.create / update (products/dashboards/backend/api/dashboard.py). Neither runs
// in one transaction: a failure after a write leaves that write in place (AfterWrites), as PostHog's
// autocommit would.
import { copyTile, deepCopyTile } from './dashboard-copy.js';
import { validateDashboard, type DashboardFields } from './dashboard-fields.js';
import { isManagerTile } from './dashboard-store.js';
import { patchTiles } from './dashboard-tiles.js';
import { pkValue } from './dashboard-tile-content.js';
import { nowDrf } from './dates.js';
import { AfterWrites, fail, ValidationFailure } from './errors.js';
import { clone, isObject, pyTruthy, type Json, type JsonObject } from './json.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredDashboard } from './types.js';

export interface DashboardExtras {
  id?: number;
  created_at?: string;
  creation_mode?: string;
}

/** `request.data["filters"]` / `["variables"]`: used only when truthy, and then it must be a dict. */
function rawDict(body: JsonObject, key: 'filters' | 'variables'): JsonObject | undefined {
  const value = body[key];
  if (!pyTruthy(value)) return undefined;
  // Both checks say "Filters" in PostHog (the variables one too).
  if (!isObject(value)) fail([], 'Filters must be a dictionary');
  return clone(value);
}

/** The model fields `super().update` / `Dashboard.objects.create` write from validated data. */
function modelFields(f: DashboardFields, tagging: boolean): Partial<StoredDashboard> {
  const out: Partial<StoredDashboard> = {};
  const keys = [
    'name',
    'description',
    'pinned',
    'last_accessed_at',
    'deleted',
    'breakdown_colors',
    'data_color_theme_id',
    'restriction_level',
    'last_refresh',
    'quick_filter_ids',
  ] as const;
  for (const k of keys) if (f[k] !== undefined) Object.assign(out, { [k]: f[k] });
  if (f.tags !== undefined && tagging) out.tags = f.tags;
  return out;
}

function dashboardIdTaken(store: EmulatorStore, id: number): boolean {
  return [...store.projects.values()].some((p) => p.dashboards.some((d) => d.id === id));
}

export function createDashboard(
  store: EmulatorStore,
  project: ProjectStore,
  raw: unknown,
  callerId: number,
  extras: DashboardExtras = {},
): StoredDashboard {
  const f = validateDashboard(raw);
  const body = raw as JsonObject;
  const template = pyTruthy(f.use_template) ? (f.use_template as string) : undefined;
  const sourceId = pyTruthy(f.use_dashboard) ? (f.use_dashboard as number) : undefined;
  // `Dashboard.objects` (no soft-deleted rows) of this project.
  const source = sourceId === undefined ? undefined : project.dashboards.find((d) => d.id === sourceId && !d.deleted);
  if (sourceId !== undefined && !source) fail(['use_dashboard'], 'Invalid value provided');
  const filters = rawDict(body, 'filters') ?? (source ? clone(source.filters) : {});
  if (extras.id !== undefined && dashboardIdTaken(store, extras.id)) throw new Error(`Dashboard id ${extras.id} already exists`);
  const dashboard: StoredDashboard = {
    id: store.allocateId('dashboard', extras.id),
    name: null,
    description: '',
    pinned: false,
    created_at: extras.created_at ?? nowDrf(),
    created_by: callerId,
    deleted: false,
    last_accessed_at: null,
    last_refresh: null,
    filters,
    variables: {},
    breakdown_colors: [],
    data_color_theme_id: null,
    creation_mode: extras.creation_mode ?? (template ? 'template' : source ? 'duplicate' : 'default'),
    restriction_level: 21,
    quick_filter_ids: [],
    tags: [],
    ...modelFields({ ...f, tags: undefined }, project.tagging),
    // What the source dashboard has (when truthy) wins over the body; its quick filters are kept
    // only where they exist, and the emulator has none.
    ...(source && pyTruthy(source.variables) ? { variables: clone(source.variables) } : {}),
    ...(source && pyTruthy(source.breakdown_colors) ? { breakdown_colors: clone(source.breakdown_colors) } : {}),
    ...(source && pyTruthy(source.data_color_theme_id) ? { data_color_theme_id: source.data_color_theme_id } : {}),
    ...(source && pyTruthy(source.quick_filter_ids) ? { quick_filter_ids: [] } : {}),
  };
  project.dashboards.push(dashboard);
  // create_dashboard_from_template runs after the row is saved; the emulator has no templates.
  if (template)
    throw new AfterWrites(
      new ValidationFailure([{ path: ['use_template'], detail: `Invalid template provided: ${template}`, code: 'invalid' }]),
    );
  if (source) {
    const deep = pyTruthy(body.duplicate_tiles);
    const tiles = project.dashboardTiles.filter((t) => t.dashboard_id === source.id && isManagerTile(project, t));
    try {
      for (const tile of tiles) deep ? deepCopyTile(store, project, tile, dashboard, callerId) : copyTile(store, project, tile, dashboard);
    } catch (e) {
      throw new AfterWrites(e);
    }
  }
  if (f.tags !== undefined && project.tagging) dashboard.tags = f.tags;
  return dashboard;
}

/**
 * `_delete_related_tiles`: with `delete_insights`, the insights whose only tile not soft-deleted
 * (counted over every dashboard) is on this one are soft-deleted by a queryset update (their alerts
 * stay stored); then every tile of the dashboard is soft-deleted.
 */
function deleteRelatedTiles(project: ProjectStore, dashboard: StoredDashboard, deleteInsights: boolean): void {
  if (deleteInsights) {
    const onThis = project.dashboardTiles.filter(
      (t) => t.dashboard_id === dashboard.id && t.insight_id !== null && isManagerTile(project, t),
    );
    for (const tile of onThis) {
      const standing = project.dashboardTiles.filter((t) => t.insight_id === tile.insight_id && t.deleted !== true);
      const insight = project.insights.find((i) => i.id === tile.insight_id && !i.deleted);
      if (standing.length === 1 && insight) insight.deleted = true;
    }
  }
  for (const t of project.dashboardTiles) if (t.dashboard_id === dashboard.id) t.deleted = true;
}

/**
 * `_undo_delete_related_tiles`: every tile of the dashboard comes back (also ones removed one by
 * one before the delete), and every soft-deleted insight with a tile row on it is restored, however
 * it was deleted.
 */
function undoDeleteRelatedTiles(project: ProjectStore, dashboard: StoredDashboard): void {
  const tiles = project.dashboardTiles.filter((t) => t.dashboard_id === dashboard.id);
  for (const t of tiles) t.deleted = false;
  for (const i of project.insights) if (i.deleted && tiles.some((t) => t.insight_id === i.id)) i.deleted = false;
}

/** `duplicate_tiles: [{id, layouts}]` on update: each named live tile of this dashboard deep-copied onto it. */
function duplicateTiles(
  store: EmulatorStore,
  project: ProjectStore,
  dashboard: StoredDashboard,
  raw: Json | undefined,
  callerId: number,
): void {
  if (raw === undefined || !pyTruthy(raw)) return;
  if (!Array.isArray(raw)) throw new TypeError('duplicate_tiles must be iterable');
  for (const entry of raw) {
    if (!isObject(entry) || !('id' in entry)) throw new TypeError("KeyError: 'id'");
    const id = pkValue(entry.id);
    const tile = project.dashboardTiles.find((t) => t.id === id && t.dashboard_id === dashboard.id && isManagerTile(project, t));
    if (!tile) throw new Error('DashboardTile matching query does not exist.');
    deepCopyTile(store, project, tile, dashboard, callerId, entry.layouts === undefined ? {} : clone(entry.layouts));
  }
}

export function updateDashboard(
  store: EmulatorStore,
  project: ProjectStore,
  dashboard: StoredDashboard,
  raw: unknown,
  callerId: number,
): void {
  const f = validateDashboard(raw);
  const body = raw as JsonObject;
  // Changing restriction_level needs `can_restrict`: the emulator's users are project admins, who have it.
  let wrote = false;
  try {
    if (dashboard.deleted && f.deleted === false) {
      undoDeleteRelatedTiles(project, dashboard);
      wrote = true;
    }
    if (f.deleted) {
      deleteRelatedTiles(project, dashboard, f.delete_insights);
      wrote = true;
    }
    const filters = rawDict(body, 'filters');
    const variables = rawDict(body, 'variables');
    Object.assign(dashboard, modelFields(f, project.tagging), filters ? { filters } : {}, variables ? { variables } : {});
    wrote = true;
    patchTiles(store, project, dashboard, body.tiles, callerId);
    duplicateTiles(store, project, dashboard, body.duplicate_tiles, callerId);
  } catch (e) {
    throw wrote ? new AfterWrites(e) : e;
  }
}

// Dashboard, tile and text rows as PostHog's models keep them (products/dashboards/backend/models/
// dashboard.py, dashboard_tile.py): defaults, the managers' views, the database constraints a
// write can break (an IntegrityError is an unhandled 500 there), and old state files brought up
// to date.
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredDashboard, StoredTile } from './types.js';

/** A database error PostHog does not catch: the pipeline answers it 500, like Django. */
export class IntegrityError extends Error {}

function findDashboard(project: ProjectStore, id: number): StoredDashboard | undefined {
  return project.dashboards.find((d) => d.id === id);
}

/**
 * `DashboardTile.objects` (DashboardTileManager): tiles that are not soft-deleted and whose
 * dashboard is not soft-deleted. `objects_including_soft_deleted` is `project.dashboardTiles`.
 */
export function isManagerTile(project: ProjectStore, tile: StoredTile): boolean {
  return tile.deleted !== true && findDashboard(project, tile.dashboard_id)?.deleted !== true;
}

/** The insight's live tiles (`insight.dashboard_tiles.all()` goes through the manager). */
export function liveInsightTiles(project: ProjectStore, insightId: number): StoredTile[] {
  return project.dashboardTiles.filter((t) => t.insight_id === insightId && isManagerTile(project, t));
}

type Related = Pick<StoredTile, 'insight_id' | 'text_id' | 'button_tile_id'>;

/** `dash_tile_exactly_one_related_object` and the unique (dashboard, insight|text|button) constraints. */
export function checkTileConstraints(project: ProjectStore, tile: StoredTile): void {
  const related: Array<keyof Related> = ['insight_id', 'text_id', 'button_tile_id'];
  if (related.filter((k) => tile[k] !== null).length !== 1) {
    throw new IntegrityError(
      'new row for relation "posthog_dashboardtile" violates check constraint "dash_tile_exactly_one_related_object"',
    );
  }
  for (const k of related) {
    if (tile[k] === null) continue;
    const clash = project.dashboardTiles.find(
      (t) => t !== tile && t.id !== tile.id && t.dashboard_id === tile.dashboard_id && t[k] === tile[k],
    );
    if (clash) throw new IntegrityError(`duplicate key value violates unique constraint on (dashboard_id, ${k})`);
  }
}

/** Whether any project of this emulator has a tile with this primary key. */
function tileIdTaken(store: EmulatorStore, id: number): boolean {
  return [...store.projects.values()].some((p) => p.dashboardTiles.some((t) => t.id === id));
}

export type NewTile = Partial<Omit<StoredTile, 'id' | 'dashboard_id'>> & { dashboard_id: number };

/**
 * `DashboardTile.objects.create(...)`: model defaults (layouts `{}`, filters_overrides `{}`,
 * nullable booleans and `deleted` null), the constraints checked, and the id from the instance's
 * tile sequence unless one is given (an explicit id that exists is a primary-key violation).
 */
/** The model's column defaults of a tile row (fresh objects each time: rows are mutated in place). */
function tileDefaults(): Omit<StoredTile, 'id' | 'dashboard_id'> {
  return {
    insight_id: null,
    text_id: null,
    button_tile_id: null,
    layouts: {},
    color: null,
    filters_overrides: {},
    show_description: null,
    transparent_background: null,
    deleted: null,
  };
}

export function insertTile(store: EmulatorStore, project: ProjectStore, fields: NewTile, id?: number): StoredTile {
  if (id !== undefined && tileIdTaken(store, id)) {
    throw new IntegrityError(`duplicate key value violates unique constraint "posthog_dashboardtile_pkey": (id)=(${id})`);
  }
  const tile: StoredTile = { id: -1, ...tileDefaults(), ...fields };
  checkTileConstraints(project, tile);
  tile.id = store.allocateId('tile', id);
  project.dashboardTiles.push(tile);
  return tile;
}

/** Rows of state files written before dashboards were full rows get the models' defaults. */
export function restoreDashboardRows(p: ProjectStore): ProjectStore {
  const loaded: Partial<ProjectStore> = p;
  const dashboards = (loaded.dashboards ?? []).map((d) => {
    const old: Partial<StoredDashboard> & { id: number } = d;
    return {
      name: null,
      description: '',
      pinned: false,
      created_at: '2024-06-01T00:00:00Z',
      created_by: null,
      deleted: false,
      last_accessed_at: null,
      last_refresh: null,
      filters: {},
      variables: {},
      breakdown_colors: [],
      data_color_theme_id: null,
      creation_mode: 'default',
      restriction_level: 21,
      quick_filter_ids: [],
      tags: [],
      ...old,
    };
  });
  const tiles = (loaded.dashboardTiles ?? []).map((t) => {
    const old: Partial<StoredTile> & { id: number; dashboard_id: number } = t;
    return { ...tileDefaults(), ...old };
  });
  const { nextIds: _unused, ...rest } = p as ProjectStore & { nextIds?: unknown };
  return { ...rest, dashboards, dashboardTiles: tiles, dashboardTexts: loaded.dashboardTexts ?? [], buttonTiles: loaded.buttonTiles ?? [] };
}

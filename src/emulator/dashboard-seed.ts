// Seeded dashboards (fixtures/README.md): created as a POST would create them, then, once the
// project's insights exist, given their tiles as the insight's `dashboards` and a dashboard PATCH
// would give them.
import { insertTile } from './dashboard-store.js';
import { patchTiles } from './dashboard-tiles.js';
import { createDashboard } from './dashboard-write.js';
import { clone, isObject, pyTruthy, type JsonObject } from './json.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, SeedProject, StoredDashboard } from './types.js';

type SeedDashboard = NonNullable<SeedProject['dashboards']>[number];

const CREATION_MODES = ['default', 'template', 'duplicate', 'unlisted'];
const FIXED = ['id', 'created_at', 'creation_mode', 'tiles', 'variables'];

/** The seed's dashboard (one already there with its `id` is kept, as merged seed files may repeat it). */
export function seedDashboard(store: EmulatorStore, project: ProjectStore, seed: SeedDashboard, userId: number): StoredDashboard {
  const existing = project.dashboards.find((d) => d.id === seed.id);
  if (existing) return existing;
  if (seed.id !== undefined && !(typeof seed.id === 'number' && Number.isInteger(seed.id) && seed.id > 0))
    throw new Error('"id" must be a positive integer');
  if (seed.creation_mode !== undefined && !CREATION_MODES.includes(seed.creation_mode))
    throw new Error(`"creation_mode" must be one of ${CREATION_MODES.join(', ')}`);
  if (seed.created_at !== undefined && typeof seed.created_at !== 'string') throw new Error('"created_at" must be a string');
  const body = Object.fromEntries(Object.entries(seed).filter(([k]) => !FIXED.includes(k)));
  const dashboard = createDashboard(store, project, body, userId, {
    ...(seed.id !== undefined ? { id: seed.id } : {}),
    ...(seed.created_at !== undefined ? { created_at: seed.created_at } : {}),
    ...(seed.creation_mode !== undefined ? { creation_mode: seed.creation_mode } : {}),
  });
  // A POST ignores `variables`; a seed sets them as a PATCH would.
  if (pyTruthy(seed.variables)) {
    if (!isObject(seed.variables)) throw new Error('"variables" must be an object');
    dashboard.variables = clone(seed.variables);
  }
  return dashboard;
}

/** The insight a seed tile names: its integer id or its short_id. */
function seedInsightId(project: ProjectStore, ref: unknown): number {
  const found = project.insights.find((i) => i.id === ref || (typeof ref === 'string' && i.short_id === ref));
  if (!found) throw new Error(`tile insight ${JSON.stringify(ref)} is not an insight of this project`);
  return found.id;
}

/**
 * `tiles: [{insight, layouts?, color?, …}, {text: {body}, layouts?, …}]`: an insight not on the
 * dashboard yet is put there (as the insight's `dashboards` would), then its display fields are
 * set; text and button tiles are created as a PATCH with them would create them.
 */
export function seedDashboardTiles(
  store: EmulatorStore,
  project: ProjectStore,
  dashboard: StoredDashboard,
  tiles: unknown,
  userId: number,
): void {
  if (tiles === undefined) return;
  if (!Array.isArray(tiles)) throw new Error('"tiles" must be a list');
  for (const entry of tiles) {
    if (!isObject(entry)) throw new Error('each tile must be an object');
    if (entry.insight === undefined) {
      patchTiles(store, project, dashboard, [entry], userId);
      continue;
    }
    const insightId = seedInsightId(project, entry.insight);
    let tile = project.dashboardTiles.find((t) => t.insight_id === insightId && t.dashboard_id === dashboard.id);
    if (!tile) tile = insertTile(store, project, { dashboard_id: dashboard.id, insight_id: insightId });
    else if (tile.deleted) tile.deleted = false;
    const { insight: _insight, ...display } = entry;
    patchTiles(store, project, dashboard, [{ ...display, id: tile.id } as JsonObject], userId);
  }
}

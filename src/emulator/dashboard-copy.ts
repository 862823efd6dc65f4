// Tiles copied to a dashboard: `DashboardTile.copy_to_dashboard` (products/dashboards/backend/
// models/dashboard_tile.py: a new tile sharing the insight, Text or button row) and
// `DashboardSerializer._deep_duplicate_tiles` (products/dashboards/backend/api/dashboard.py: a
// new insight "<name> (Copy)", Text or button row). Soft-deleted insights are still reached
// through a tile (Django follows a foreign key with the plain base manager).
import { insertTile } from './dashboard-store.js';
import { nowDrf } from './dates.js';
import { insightFull } from './insight-read.js';
import { createInsight } from './insight-write.js';
import type { Json } from './json.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredDashboard, StoredTile } from './types.js';

function displayOf(
  tile: StoredTile,
): Pick<StoredTile, 'layouts' | 'color' | 'filters_overrides' | 'show_description' | 'transparent_background'> {
  const { layouts, color, filters_overrides, show_description, transparent_background } = structuredClone(tile);
  return { layouts, color, filters_overrides, show_description, transparent_background };
}

/** `copy_to_dashboard` onto a new dashboard: the same related row, the same display fields. */
export function copyTile(store: EmulatorStore, project: ProjectStore, tile: StoredTile, target: StoredDashboard): void {
  const { insight_id, text_id, button_tile_id } = tile;
  insertTile(store, project, { dashboard_id: target.id, insight_id, text_id, button_tile_id, ...displayOf(tile) });
}

/**
 * `_deep_duplicate_tiles`: the insight re-created through InsightSerializer from its own
 * serialisation (a copy PostHog's serializer would refuse fails its `save()`, a 500); a Text or
 * button copied without an author.
 */
export function deepCopyTile(
  store: EmulatorStore,
  project: ProjectStore,
  tile: StoredTile,
  target: StoredDashboard,
  callerId: number,
  layouts?: Json,
): void {
  const shown = { ...displayOf(tile), ...(layouts === undefined ? {} : { layouts }) };
  const insight = tile.insight_id === null ? undefined : project.insights.find((i) => i.id === tile.insight_id);
  if (insight) {
    const data = insightFull(project, insight);
    const body = {
      name: insight.name ? `${insight.name} (Copy)` : null,
      derived_name: data.derived_name ?? null,
      description: data.description ?? null,
      filters: data.filters ?? {},
      query: data.query ?? null,
      order: data.order ?? null,
      deleted: data.deleted ?? false,
      favorited: data.favorited ?? false,
      saved: data.saved ?? true,
      tags: data.tags ?? [],
    };
    let copy: ReturnType<typeof createInsight>;
    try {
      copy = createInsight(store, project, body, callerId);
    } catch (e) {
      throw new Error(`You cannot call \`.save()\` on a serializer with invalid data. (${e instanceof Error ? e.message : String(e)})`);
    }
    insertTile(store, project, { dashboard_id: target.id, insight_id: copy.id, ...shown });
    return;
  }
  const text = tile.text_id === null ? undefined : project.dashboardTexts.find((t) => t.id === tile.text_id);
  if (text) {
    const copy = { id: store.allocateId('text'), body: text.body, created_by: null, last_modified_at: nowDrf(), last_modified_by: null };
    project.dashboardTexts.push(copy);
    insertTile(store, project, { dashboard_id: target.id, text_id: copy.id, ...shown });
    return;
  }
  const button = tile.button_tile_id === null ? undefined : project.buttonTiles.find((b) => b.id === tile.button_tile_id);
  if (button) {
    const copy = { ...button, id: store.nextUuid(), created_by: null, last_modified_by: null, last_modified_at: nowDrf() };
    project.buttonTiles.push(copy);
    insertTile(store, project, { dashboard_id: target.id, button_tile_id: copy.id, ...shown });
  }
}

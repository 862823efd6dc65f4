// A dashboard PATCH's raw `tiles` (DashboardSerializer.update → `_update_tiles`, `_upsert_tile`,
// `_update_existing_tile_display_fields` in products/dashboards/backend/api/dashboard.py). Each
// entry is written on its own (no transaction): a failing entry leaves the earlier ones written.
// - `text` (truthy): a Text created or updated, then the tile upserted by `id`
//   (`objects_including_soft_deleted.update_or_create(id=..., dashboard=...)`): an `id` that is
//   not a tile of this dashboard is INSERTed with that id, so another dashboard's tile id is a
//   primary-key violation (500) and an unused one creates a tile with it;
// - `button_tile` the same; `widget`: dashboard widgets are not enabled for emulated projects;
// - otherwise, with a display field present, the tile with that `id` on this dashboard (soft-deleted
//   ones included, so `{id, deleted: false}` brings one back) gets the fields sent; an unknown id or
//   none at all is skipped without a word. `insight` is never changed here.
import { checkTileConstraints, insertTile, IntegrityError } from './dashboard-store.js';
import { pkValue, upsertButton, upsertText } from './dashboard-tile-content.js';
import { fail } from './errors.js';
import { clone, isObject, pyTruthy, type Json, type JsonObject } from './json.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredDashboard, StoredTile } from './types.js';

/** DashboardSerializer.TILE_DISPLAY_FIELDS */
const DISPLAY_FIELDS = ['color', 'layouts', 'filters_overrides', 'show_description', 'transparent_background', 'deleted'] as const;
type DisplayField = (typeof DISPLAY_FIELDS)[number];
type Display = Partial<Pick<StoredTile, DisplayField>>;

/** Django BooleanField.to_python as `save()` runs it: anything else is a ValidationError there (500). */
function modelBoolean(value: unknown, field: string): boolean | null {
  if (value === null) return null;
  if (value === true || value === 1 || value === 't' || value === 'True' || value === '1') return true;
  if (value === false || value === 0 || value === 'f' || value === 'False' || value === '0') return false;
  throw new TypeError(`“${String(value)}” value must be either True, False, or None. (${field})`);
}

/** The tile columns as the model stores what `update_or_create`/`save` is given. */
function display(tile: JsonObject): Display {
  const out: Display = {};
  for (const field of DISPLAY_FIELDS) {
    if (!Object.hasOwn(tile, field)) continue;
    const value = tile[field] as Json;
    if (field === 'color') {
      // CharField(max_length=400, null=True): str() of a scalar; varchar(400) refuses longer text.
      if (value !== null && typeof value === 'object') throw new TypeError('the emulator does not store a Python repr in color');
      const color = value === null ? null : typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value);
      if (color !== null && [...color].length > 400) throw new IntegrityError('value too long for type character varying(400)');
      out.color = color;
    } else if (field === 'layouts') {
      // JSONField(default=dict), NOT NULL.
      if (value === null)
        throw new IntegrityError('null value in column "layouts" of relation "posthog_dashboardtile" violates not-null constraint');
      out.layouts = clone(value);
    } else if (field === 'filters_overrides') out.filters_overrides = clone(value);
    else out[field] = modelBoolean(value, field);
  }
  return out;
}

/** `_upsert_tile(instance, tile_data, text=... | button_tile=...)` */
function upsert(
  store: EmulatorStore,
  project: ProjectStore,
  dashboard: StoredDashboard,
  tile: JsonObject,
  related: Pick<StoredTile, 'text_id'> | Pick<StoredTile, 'button_tile_id'>,
): void {
  const fields = { ...display(tile), ...related };
  const id = tile.id === undefined || tile.id === null ? null : pkValue(tile.id);
  const existing = id === null ? undefined : project.dashboardTiles.find((t) => t.id === id && t.dashboard_id === dashboard.id);
  if (!existing) {
    insertTile(store, project, { dashboard_id: dashboard.id, ...fields }, id ?? undefined);
    return;
  }
  // The UPDATE must still satisfy the table's constraints (an insight tile given a text has two related rows).
  checkTileConstraints(project, { ...existing, ...fields });
  Object.assign(existing, fields);
}

/** `_update_existing_tile_display_fields`: never inserts; unknown ids are skipped. */
function updateDisplay(project: ProjectStore, dashboard: StoredDashboard, tile: JsonObject): void {
  if (tile.id === undefined || tile.id === null) return;
  const id = pkValue(tile.id);
  const existing = project.dashboardTiles.find((t) => t.id === id && t.dashboard_id === dashboard.id);
  if (existing) Object.assign(existing, display(tile));
}

function patchTile(store: EmulatorStore, project: ProjectStore, dashboard: StoredDashboard, raw: unknown, callerId: number): void {
  if (!isObject(raw)) throw new TypeError(`'${typeof raw}' object has no attribute 'pop'`);
  const { is_cached: _cached, order: _order, ...tile } = raw;
  const content = (key: string): JsonObject => {
    if (!isObject(tile[key])) throw new TypeError(`'${typeof tile[key]}' object has no attribute 'get'`);
    return tile[key];
  };
  if (pyTruthy(tile.text)) {
    const text = upsertText(store, project, dashboard, content('text'), callerId);
    upsert(store, project, dashboard, tile, { text_id: text.id });
  } else if (pyTruthy(tile.button_tile)) {
    const button = upsertButton(store, project, dashboard, content('button_tile'), callerId);
    upsert(store, project, dashboard, tile, { button_tile_id: button.id });
  } else if (pyTruthy(tile.widget)) {
    fail(['widget'], 'Dashboard widgets are not enabled for this project.');
  } else if (DISPLAY_FIELDS.some((f) => Object.hasOwn(tile, f))) {
    updateDisplay(project, dashboard, tile);
  }
}

/**
 * `for tile_data in initial_data.pop("tiles", [])`: Python iterates whatever was sent, so an empty
 * object or string is nothing to do and any other non-list is a 500.
 */
export function patchTiles(store: EmulatorStore, project: ProjectStore, dashboard: StoredDashboard, raw: unknown, callerId: number): void {
  if (raw === undefined || raw === '' || (isObject(raw) && Object.keys(raw).length === 0)) return;
  if (!Array.isArray(raw)) throw new TypeError(`cannot iterate over the tiles sent (${typeof raw})`);
  for (const tile of raw) patchTile(store, project, dashboard, tile, callerId);
}

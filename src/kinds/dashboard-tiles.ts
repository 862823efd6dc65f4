import { deepEqual, isObject, type Json, type JsonObject } from '../json.js';
import { dropDefaults, omit, pick, text } from './normalize.js';

// A dashboard's tiles (products/dashboards/backend/models/dashboard_tile.py; posthog-api-kinds.md §2).
// Which insights sit on a dashboard is the insight's to say (its `dashboards`, the only way PostHog
// puts one there); the dashboard's file says how each tile looks (layouts, colour, display flags)
// and holds its text tiles. A tile is `{insight: <key>, …}` or `{text: <markdown>, …}`.

const DISPLAY = ['layouts', 'color', 'show_description', 'transparent_background', 'filters_overrides'] as const;
const DISPLAY_DEFAULTS: Record<string, Json> = { layouts: {}, filters_overrides: {} };

/**
 * A layout as the user made it: PostHog's frontend saves react-grid-layout's whole item per
 * breakpoint (dashboardLogic `layoutsByTile`), with `i` (the tile's own id, which differs in every
 * project) and `moved`/`static` flags that are false unless a drag is under way.
 */
function normalizeLayouts(layouts: Json): Json {
  if (!isObject(layouts)) return layouts;
  const out: JsonObject = {};
  for (const size of Object.keys(layouts).sort()) {
    const item = layouts[size];
    if (!isObject(item)) continue;
    out[size] = dropDefaults(omit(item, ['i']), { moved: false, static: false });
  }
  return out;
}

/** One tile in canonical form; undefined for a tile that says nothing (an insight tile with no display of its own). */
function normalizeTile(tile: Json): Json | undefined {
  if (!isObject(tile)) return tile;
  const out = pick(tile, ['insight', 'text', ...DISPLAY]);
  // TextSerializer's body is a trimmed CharField; a null body reads back empty.
  if ('text' in out) out.text = text(out.text);
  if (out.layouts !== undefined) out.layouts = normalizeLayouts(out.layouts);
  const clean = dropDefaults(out, DISPLAY_DEFAULTS);
  if ('insight' in clean && Object.keys(clean).length === 1) return undefined;
  return clean;
}

/** `sort_tiles_by_layout`: by the `sm` layout's row then column (missing: 100), then by what the tile shows. */
function position(tile: JsonObject): [number, number, string] {
  const sm = isObject(tile.layouts) && isObject(tile.layouts.sm) ? tile.layouts.sm : {};
  const at = (v: Json | undefined) => (typeof v === 'number' ? v : 100);
  return [at(sm.y), at(sm.x), 'insight' in tile ? `0${String(tile.insight)}` : `1${String(tile.text)}`];
}

export function normalizeTiles(tiles: Json): Json[] {
  if (!Array.isArray(tiles)) return [];
  const kept = tiles.map(normalizeTile).filter((t): t is Json => t !== undefined);
  return kept.sort((a, b) => {
    if (!isObject(a) || !isObject(b)) return 0;
    const [pa, pb] = [position(a), position(b)];
    return pa[0] - pb[0] || pa[1] - pb[1] || (pa[2] < pb[2] ? -1 : pa[2] > pb[2] ? 1 : 0);
  });
}

/** Tiles of PostHog's dashboard serializer → file form with the insight's id (its key comes later). */
export function tilesOf(raw: Json | undefined): Json[] {
  if (!Array.isArray(raw)) return [];
  const out: Json[] = [];
  for (const t of raw) {
    if (!isObject(t)) continue;
    const display = pick(t, DISPLAY);
    if (isObject(t.insight) && t.insight.id !== undefined) out.push({ insight: t.insight.id, ...display });
    else if (isObject(t.text)) out.push({ text: typeof t.text.body === 'string' ? t.text.body : '', ...display });
    // Button tiles are not kept: hogsync leaves them as they are.
  }
  return out;
}

/** The display fields of a tile as PostHog's `_upsert_tile` takes them: every one, so that a removed setting goes back to its default. */
function display(tile: JsonObject | undefined): JsonObject {
  return {
    layouts: {},
    color: null,
    show_description: null,
    transparent_background: null,
    filters_overrides: {},
    ...pick(tile ?? {}, DISPLAY),
  };
}

function sameDisplay(a: JsonObject | undefined, b: JsonObject | undefined): boolean {
  return deepEqual(normalizeTile({ insight: 0, ...display(a) }) ?? null, normalizeTile({ insight: 0, ...display(b) }) ?? null);
}

/**
 * The `tiles` a PATCH of the dashboard must carry so that PostHog's tiles (`current`, as its
 * serializer answers them) look as the file says (`wanted`, insights by id): insight tiles get
 * their display fields (an insight the file gives no tile entry goes back to PostHog's defaults),
 * text tiles are updated in place where one with the same text (or, failing that, position) is
 * there, created or removed otherwise. Undefined when nothing differs.
 */
export function tilesPatch(wanted: Json[], current: Json | undefined): JsonObject[] | undefined {
  const live = Array.isArray(current) ? current.filter(isObject) : [];
  const want = wanted.filter(isObject);
  const patch: JsonObject[] = [];
  for (const tile of live) {
    if (!isObject(tile.insight)) continue;
    const entry = want.find((w) => 'insight' in w && String(w.insight) === String((tile.insight as JsonObject).id));
    if (!sameDisplay(entry, tile)) patch.push({ id: tile.id as Json, ...display(entry) });
  }
  const texts = live.filter((t) => isObject(t.text));
  const wantedTexts = want.filter((w) => 'text' in w);
  const bodyOf = (t: JsonObject) => text((t.text as JsonObject).body);
  const pairs = new Map<JsonObject, JsonObject>();
  const free = (t: JsonObject) => ![...pairs.values()].includes(t);
  // Same text and look first, then same text, then what is left in order.
  for (const match of [
    (w: JsonObject, t: JsonObject) => text(w.text) === bodyOf(t) && sameDisplay(w, t),
    (w: JsonObject, t: JsonObject) => text(w.text) === bodyOf(t),
    () => true,
  ]) {
    for (const w of wantedTexts) {
      if (pairs.has(w)) continue;
      const t = texts.find((c) => free(c) && match(w, c));
      if (t) pairs.set(w, t);
    }
  }
  for (const w of wantedTexts) {
    const t = pairs.get(w);
    if (!t) patch.push({ text: { body: text(w.text) }, ...display(w) });
    else if (text(w.text) !== bodyOf(t) || !sameDisplay(w, t))
      patch.push({ id: t.id as Json, text: { id: (t.text as JsonObject).id as Json, body: text(w.text) }, ...display(w) });
  }
  for (const t of texts) if (free(t)) patch.push({ id: t.id as Json, deleted: true });
  return patch.length > 0 ? patch : undefined;
}

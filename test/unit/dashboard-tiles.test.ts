import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/json.js';
import { normalizeTiles, tilesPatch } from '../../src/kinds/dashboard-tiles.js';

/**
 * A dashboard's tiles (products/dashboards/backend/models/dashboard_tile.py, DashboardSerializer
 * `_update_tiles` in posthog/api/dashboards/dashboard.py): as files keep them, and the PATCH that
 * makes PostHog's tiles look as the file says.
 */

// What PostHog's frontend saves per breakpoint (dashboardLogic `layoutsByTile`): react-grid-layout's item.
const uiLayout = (tileId: number, x: number, y: number) => ({
  sm: { i: String(tileId), x, y, w: 6, h: 5, minW: 3, minH: 5, moved: false, static: false },
  xs: { i: String(tileId), x: 0, y: y * 2, w: 1, h: 5, minW: 1, minH: 5, moved: false, static: false },
});

describe('dashboard tiles', () => {
  it("leaves out the tile's own id and drag flags, tiles with nothing to say, and orders by row then column", () => {
    const tiles = normalizeTiles([
      { insight: 'b', layouts: uiLayout(9, 6, 0) },
      { insight: 'bare', layouts: {}, color: null, filters_overrides: {} },
      { text: '  ## Notes \n', layouts: uiLayout(10, 0, 5) },
      { insight: 'a', layouts: uiLayout(8, 0, 0), color: 'blue' },
    ]);
    expect(tiles).toEqual([
      {
        insight: 'a',
        layouts: { sm: { x: 0, y: 0, w: 6, h: 5, minW: 3, minH: 5 }, xs: { x: 0, y: 0, w: 1, h: 5, minW: 1, minH: 5 } },
        color: 'blue',
      },
      { insight: 'b', layouts: { sm: { x: 6, y: 0, w: 6, h: 5, minW: 3, minH: 5 }, xs: { x: 0, y: 0, w: 1, h: 5, minW: 1, minH: 5 } } },
      {
        text: '## Notes',
        layouts: { sm: { x: 0, y: 5, w: 6, h: 5, minW: 3, minH: 5 }, xs: { x: 0, y: 10, w: 1, h: 5, minW: 1, minH: 5 } },
      },
    ]);
  });

  const current = (): JsonObject[] => [
    {
      id: 1,
      insight: { id: 101 },
      text: null,
      layouts: {},
      color: null,
      show_description: null,
      transparent_background: null,
      filters_overrides: {},
    },
    {
      id: 2,
      insight: { id: 102 },
      text: null,
      layouts: uiLayout(2, 0, 0),
      color: 'green',
      show_description: null,
      transparent_background: null,
      filters_overrides: {},
    },
    { id: 3, insight: null, text: { id: 30, body: 'Keep me' }, layouts: uiLayout(3, 0, 5), color: null, filters_overrides: {} },
    { id: 4, insight: null, text: { id: 40, body: 'Old words' }, layouts: uiLayout(4, 6, 5), color: null, filters_overrides: {} },
    { id: 5, insight: null, text: { id: 50, body: 'Remove me' }, layouts: {}, color: null, filters_overrides: {} },
  ];

  it('is nothing when PostHog already holds the tiles as the file says', () => {
    const wanted = normalizeTiles([
      { insight: 102, layouts: uiLayout(2, 0, 0), color: 'green' },
      { text: 'Keep me', layouts: uiLayout(3, 0, 5) },
      { text: 'Old words', layouts: uiLayout(4, 6, 5) },
      { text: 'Remove me' },
    ]);
    expect(tilesPatch(wanted, current())).toBeUndefined();
  });

  it("sets insight tiles' looks by tile id, puts back the defaults where the file has no entry, and updates, adds and removes text tiles", () => {
    const sm = { x: 0, y: 0, w: 12, h: 6 };
    const wanted = normalizeTiles([
      { insight: 101, layouts: { sm } },
      { text: 'Keep me', layouts: uiLayout(3, 0, 5) },
      { text: 'New words', layouts: uiLayout(4, 6, 5) },
      { text: 'Brand new' },
    ]);
    const patch = tilesPatch(wanted, current());
    const defaults = { color: null, show_description: null, transparent_background: null, filters_overrides: {} };
    expect(patch).toEqual([
      { id: 1, layouts: { sm }, ...defaults },
      { id: 2, layouts: {}, ...defaults },
      // Other words: the text tile keeps its id, and so does its Text; its layout is sent as files keep it.
      {
        id: 4,
        text: { id: 40, body: 'New words' },
        ...defaults,
        layouts: normalizeTiles([{ text: 'x', layouts: uiLayout(4, 6, 5) }]).map((t) => (t as JsonObject).layouts)[0] as JsonObject,
      },
      { id: 5, text: { id: 50, body: 'Brand new' }, layouts: {}, ...defaults },
    ]);
  });

  it('creates text tiles a dashboard does not have yet, and removes those the file dropped', () => {
    const patch = tilesPatch(normalizeTiles([{ text: 'Hello' }]), [
      { id: 7, text: { id: 70, body: 'Bye' }, layouts: {} },
      { id: 8, text: { id: 80, body: 'Hello' }, layouts: { sm: { x: 0, y: 0, w: 2, h: 2 } } },
    ]);
    expect(patch).toEqual([
      {
        id: 8,
        text: { id: 80, body: 'Hello' },
        layouts: {},
        color: null,
        show_description: null,
        transparent_background: null,
        filters_overrides: {},
      },
      { id: 7, deleted: true },
    ]);
    expect(tilesPatch(normalizeTiles([{ text: 'Hello' }]), [])).toEqual([
      { text: { body: 'Hello' }, layouts: {}, color: null, show_description: null, transparent_background: null, filters_overrides: {} },
    ]);
  });
});

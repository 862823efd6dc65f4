// Dashboard tiles as the newest `_update_tiles` writes them and `get_tiles` reads them
// (products/dashboards/backend/api/dashboard.py, products/dashboards/backend/models/
// dashboard_tile.py), and the insight side (`_update_insight_dashboards` in
// products/product_analytics/backend/api/insight.py).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { call, project, start, trendsQuery } from './helpers.js';

let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({ seed: { projects: [{ id: 1, name: 'Test' }] } });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.clearRequests();
});

const dashboard = async (name = 'D') => (await api().post('dashboards/', { name })).body;
const insight = async (body: Record<string, unknown>) => (await api().post('insights/', { query: trendsQuery(), ...body })).body;
const tiles = async (id: number) => (await api().get(`dashboards/${id}/`)).body.tiles;
const patch = (id: number, tileList: unknown, extra: Record<string, unknown> = {}) =>
  api().patch(`dashboards/${id}/`, { ...extra, tiles: tileList });
const stored = () => emu.project(1)!;

describe('display fields through the dashboard PATCH', () => {
  it('skips an unknown tile id or none, revives a soft-deleted tile with {id, deleted: false}, and never changes the insight', async () => {
    const d = await dashboard();
    const i = await insight({ dashboards: [d.id] });
    const other = await insight({});
    const tileId = i.dashboard_tiles[0].id;
    expect((await patch(d.id, [{ id: 9999, color: 'red' }, { layouts: { sm: { x: 1 } } }])).status).toBe(200);
    expect((await patch(d.id, [{ id: tileId, deleted: true }])).body.tiles).toEqual([]);
    const back = (await patch(d.id, [{ id: tileId, deleted: false, insight: other.id, color: 'green' }])).body.tiles;
    expect(back).toMatchObject([{ id: tileId, color: 'green', insight: { id: i.id } }]);
    expect(stored().dashboardTiles.find((t) => t.id === tileId)?.deleted).toBe(false);
  });

  it('stores what the model columns make of the values, and a value they refuse is a 500', async () => {
    const d = await dashboard();
    const tileId = (await insight({ dashboards: [d.id] })).dashboard_tiles[0].id;
    const ok = await patch(d.id, [{ id: tileId, show_description: 'True', transparent_background: 0, color: 5, filters_overrides: null }]);
    expect(ok.body.tiles[0]).toMatchObject({ show_description: true, transparent_background: false, color: '5', filters_overrides: null });
    expect((await patch(d.id, [{ id: tileId, show_description: 'maybe' }])).status).toBe(500);
    expect((await patch(d.id, [{ id: tileId, layouts: null }])).status).toBe(500);
  });

  it('sorts tiles by layouts.sm y then x (missing: 100) with order = position; unorderable layouts are a 500', async () => {
    const d = await dashboard();
    const [a, b, c] = [await insight({ dashboards: [d.id] }), await insight({ dashboards: [d.id] }), await insight({ dashboards: [d.id] })];
    const id = (x: { dashboard_tiles: Array<{ id: number }> }) => x.dashboard_tiles[0]!.id;
    const r = await patch(d.id, [
      { id: id(a), layouts: {} },
      { id: id(b), layouts: { sm: { x: 6, y: 0 } } },
      { id: id(c), layouts: { sm: { x: 0, y: 0 } } },
    ]);
    expect(r.body.tiles.map((t: { id: number; order: number }) => [t.id, t.order])).toEqual([
      [id(c), 0],
      [id(b), 1],
      [id(a), 2],
    ]);
    expect((await patch(d.id, [{ id: id(a), layouts: { sm: { y: 'top' } } }])).status).toBe(500);
  });
});

describe('text, button and widget tiles', () => {
  it('creates and edits text tiles, refusing texts of other dashboards, unknown texts, long bodies and unknown users', async () => {
    const d = await dashboard();
    const elsewhere = await dashboard('E');
    const theirs = (await patch(elsewhere.id, [{ text: { body: 'theirs' } }])).body.tiles[0].text.id;
    const r = await patch(d.id, [{ text: { body: ' mine ' }, layouts: { sm: { x: 0, y: 0, w: 12, h: 1 } } }]);
    const [tile] = r.body.tiles;
    expect(tile.text).toMatchObject({ body: 'mine', last_modified_by: null });
    expect((await patch(d.id, [{ id: tile.id, text: { id: tile.text.id, body: 'edited' } }])).body.tiles[0].text.body).toBe('edited');
    const errors = [
      [{ text: { id: theirs, body: 'x' } }, 'text', 'Text tile not found.'],
      [{ text: { id: 12345, body: 'x' } }, 'text', 'Text tile not found in this team.'],
      [{ text: { body: 'x'.repeat(4001) } }, 'text__body', 'Text body cannot exceed 4000 characters'],
      [{ text: { body: 'x', created_by: { id: 77 } } }, null, 'User not found in this organization.'],
      [{ widget: { widget_type: 'error_tracking_list' } }, 'widget', 'Dashboard widgets are not enabled for this project.'],
      [{ button_tile: { text: 'Go' } }, 'button_tile__url', 'This field is required.'],
      [{ button_tile: { url: 'ftp://x', text: 'Go' } }, 'button_tile__url', 'Must be a valid URL or a pathname starting with /'],
    ] as const;
    for (const [entry, attr, detail] of errors) expect((await patch(d.id, [entry])).body).toMatchObject({ attr, detail });
  });

  it('creates button tiles', async () => {
    const d = await dashboard();
    const r = await patch(d.id, [{ button_tile: { url: '/insights', text: 'All insights' } }]);
    expect(r.body.tiles[0].button_tile).toMatchObject({
      url: '/insights',
      text: 'All insights',
      placement: 'left',
      style: 'primary',
      team: 1,
    });
  });

  it("upserts a text tile by id: another dashboard's tile id or an insight tile is a 500 (the Text stays written), an unused id becomes the tile's", async () => {
    const d = await dashboard();
    const elsewhere = await dashboard('E');
    const theirTile = (await insight({ dashboards: [elsewhere.id] })).dashboard_tiles[0].id;
    const myInsightTile = (await insight({ dashboards: [d.id] })).dashboard_tiles[0].id;
    const texts = stored().dashboardTexts.length;
    expect((await patch(d.id, [{ id: theirTile, text: { body: 'clash' } }])).status).toBe(500);
    expect((await patch(d.id, [{ id: myInsightTile, text: { body: 'two related rows' } }])).status).toBe(500);
    expect(stored().dashboardTexts.length).toBe(texts + 2);
    expect(emu.requests().at(-1)).toMatchObject({ status: 500, committed: true });
    expect((await patch(d.id, [{ id: 5000, text: { body: 'chosen id' } }])).body.tiles.map((t: { id: number }) => t.id)).toContain(5000);
    expect((await insight({ dashboards: [d.id] })).dashboard_tiles.find((t: { dashboard_id: number }) => t.dashboard_id === d.id).id).toBe(
      5001,
    );
  });

  it('iterates whatever `tiles` is: {} and "" do nothing, another non-list is a 500 after the fields were saved', async () => {
    const d = await dashboard();
    expect((await patch(d.id, {})).status).toBe(200);
    expect((await patch(d.id, '')).status).toBe(200);
    expect((await patch(d.id, 'x', { name: 'Renamed' })).status).toBe(500);
    expect((await api().get(`dashboards/${d.id}/`)).body.name).toBe('Renamed');
  });

  it('duplicate_tiles on update deep-copies a live tile of this dashboard onto it; an unknown one is a 500', async () => {
    const d = await dashboard();
    const i = await insight({ name: 'Original', dashboards: [d.id] });
    const r = await api().patch(`dashboards/${d.id}/`, {
      duplicate_tiles: [{ id: i.dashboard_tiles[0].id, layouts: { sm: { x: 6, y: 0 } } }],
    });
    expect(r.body.tiles.map((t: { insight: { name: string } }) => t.insight.name).sort()).toEqual(['Original', 'Original (Copy)']);
    expect((await api().patch(`dashboards/${d.id}/`, { duplicate_tiles: [{ id: 9999 }] })).status).toBe(500);
  });
});

describe('the insight side', () => {
  it('names live dashboards only, and one tile per dashboard however often it is listed', async () => {
    const d = await dashboard();
    const gone = await dashboard('Gone');
    await api().patch(`dashboards/${gone.id}/`, { deleted: true });
    const bad = await api().post('insights/', { dashboards: [gone.id] });
    expect(bad.body).toEqual({
      type: 'validation_error',
      code: 'does_not_exist',
      detail: `Invalid pk "${gone.id}" - object does not exist.`,
      attr: 'dashboards',
    });
    expect((await insight({ dashboards: [d.id, d.id] })).dashboard_tiles).toHaveLength(1);
  });

  it('re-adding a dashboard revives the old tile (id, layouts, deleted: false); a restored insight keeps its tiles deleted unless dashboards is sent', async () => {
    const d = await dashboard();
    const i = await insight({ dashboards: [d.id] });
    const tileId = i.dashboard_tiles[0].id;
    await patch(d.id, [{ id: tileId, layouts: { sm: { x: 0, y: 3 } } }]);
    await api().patch(`insights/${i.id}/`, { dashboards: [] });
    const back = (await api().patch(`insights/${i.id}/`, { dashboards: [d.id] })).body;
    expect(back.dashboard_tiles).toEqual([{ id: tileId, dashboard_id: d.id, deleted: false }]);
    expect((await tiles(d.id))[0].layouts).toEqual({ sm: { x: 0, y: 3 } });
    await api().patch(`insights/${i.id}/`, { deleted: true });
    expect((await api().patch(`insights/${i.id}/`, { deleted: false })).body.dashboards).toEqual([]);
    expect((await api().patch(`insights/${i.id}/`, { dashboards: [d.id] })).body.dashboard_tiles).toEqual([
      { id: tileId, dashboard_id: d.id, deleted: false },
    ]);
  });

  it("a dashboard deleted with delete_insights leaves the insights' alerts stored", async () => {
    const d = await dashboard();
    const i = await insight({ dashboards: [d.id] });
    const alert = {
      name: 'a',
      threshold: { configuration: { type: 'absolute', bounds: { upper: 1 } } },
      config: { type: 'TrendsAlertConfig', series_index: 0 },
    };
    expect((await call(emu, 'POST', `/_emulator/projects/1/insights/${i.id}/alerts`, alert)).status).toBeLessThan(300);
    await api().patch(`dashboards/${d.id}/`, { deleted: true, delete_insights: true });
    expect(stored().insights.find((x) => x.id === i.id)?.deleted).toBe(true);
    expect(stored().alerts.filter((a) => a.insight_id === i.id)).toHaveLength(1);
  });

  it("shows a tile's insight with the dashboard's filters and variables applied to its query", async () => {
    emu.seed({
      projects: [
        {
          id: 1,
          name: 'Test',
          insight_variables: [{ id: '01902a3e-5c1b-7000-8d2f-3c1a9e6b7f01', name: 'Country', type: 'String', default_value: 'GB' }],
        },
      ],
    });
    const varId = '01902a3e-5c1b-7000-8d2f-3c1a9e6b7f01';
    const d = (await api().post('dashboards/', { filters: { date_from: '-30d', properties: [{ key: 'a', value: 'b', type: 'event' }] } }))
      .body;
    await api().patch(`dashboards/${d.id}/`, { variables: { [varId]: { code_name: 'country', variableId: varId, value: 'FR' } } });
    const sql = {
      kind: 'DataVisualizationNode',
      source: {
        kind: 'HogQLQuery',
        query: 'select {variables.country}',
        variables: { [varId]: { code_name: 'country', variableId: varId } },
      },
    };
    const i = await insight({ query: sql, dashboards: [d.id] });
    const shown = (await tiles(d.id))[0].insight;
    expect(shown.query.source.filters).toEqual({
      dateRange: { date_from: '-30d', date_to: null, explicitDate: false },
      properties: [{ key: 'a', value: 'b', type: 'event' }],
    });
    expect(shown.query.source.variables[varId]).toEqual({ variableId: varId, code_name: 'country', value: 'FR' });
    expect(shown.filters_hash).not.toBe((await api().get(`insights/${i.id}/`)).body.filters_hash);
  });
});

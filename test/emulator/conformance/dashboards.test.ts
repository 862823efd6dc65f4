// Ported from PostHog's posthog/api/test/dashboards/test_dashboard.py (DashboardAPI helpers in
// posthog/api/test/dashboards/__init__.py). Rows PostHog creates with the ORM are created through
// the API or a seed here. The stored test file predates the newest serializer in
// products/dashboards/backend/api/dashboard.py, which the emulator follows: where the two differ
// (legacy insights read back through a query, undelete restores insights), the test says so.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { call, project, start, type Reply } from '../helpers.js';

/** An answer's JSON, narrowed by each expect() (helpers.ts Reply). */
type Answer = Reply['body'];

let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({
    seed: {
      projects: [
        { id: 1, name: 'Test' },
        { id: 2, name: 'Other' },
      ],
    },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function dashboard(body: Record<string, unknown>): Promise<Answer> {
  const r = await api().post('dashboards/', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
/** DashboardAPI.create_insight: a legacy pageview filter unless the test gives filters or a query. */
async function insight(body: Record<string, unknown>): Promise<Answer> {
  const r = await api().post('insights', { filters: { events: [{ id: '$pageview' }] }, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const get = async (id: number, status = 200) => {
  const r = await api().get(`dashboards/${id}`);
  expect(r.status).toBe(status);
  return r.body;
};
/** DashboardAPI.soft_delete: PATCH {deleted: true, ...extra}, then the GET is a 404. */
async function softDelete(kind: 'dashboards' | 'insights', id: number, extra: Record<string, unknown> = {}): Promise<void> {
  expect((await api().patch(`${kind}/${id}`, { deleted: true, ...extra })).status).toBe(200);
  expect((await api().get(`${kind}/${id}`)).status).toBe(404);
}

describe('test_dashboard.py: create, read, update', () => {
  it('test_dashboard.py::test_retrieve_dashboard_list', async () => {
    for (const name of ['a dashboard', 'b dashboard']) await dashboard({ name });
    expect((await api().get('dashboards/')).body.results.map((d: { name: string }) => d.name)).toEqual(['a dashboard', 'b dashboard']);
  });

  it('test_dashboard.py::test_retrieve_dashboard_list_includes_other_environments — the same list under /projects/ and /environments/', async () => {
    // Adapted: the emulator has one environment per project; the test's point is the dual route.
    const a = await dashboard({ name: 'A' });
    await project(emu, 2).post('dashboards/', { name: 'C' });
    for (const path of ['/api/projects/1/dashboards/', '/api/environments/1/dashboards/']) {
      expect((await call(emu, 'GET', path)).body.results.map((d: { id: number }) => d.id)).toEqual([a.id]);
    }
  });

  it('test_dashboard.py::test_retrieve_dashboard', async () => {
    const created = await dashboard({ name: 'private dashboard' });
    const r = await get(created.id);
    expect(r).toMatchObject({
      name: 'private dashboard',
      description: '',
      creation_mode: 'default',
      restriction_level: 21,
      effective_privilege_level: 37,
    });
    expect(r.created_by).toMatchObject({ id: 1, first_name: 'Hedgehog' });
  });

  it('test_dashboard.py::test_create_basic_dashboard', async () => {
    const r = await dashboard({ name: 'My new dashboard', description: '' });
    expect(r).toMatchObject({
      name: 'My new dashboard',
      description: '',
      tags: [],
      creation_mode: 'default',
      restriction_level: 21,
      effective_privilege_level: 37,
    });
    expect(emu.project(1)?.dashboards.find((d) => d.id === r.id)?.name).toBe('My new dashboard');
  });

  it('test_dashboard.py::test_update_dashboard — creation_mode is read-only', async () => {
    emu.seed({ projects: [{ id: 1, name: 'Test', dashboards: [{ id: 50, name: 'private dashboard', creation_mode: 'template' }] }] });
    const r = await api().patch('dashboards/50', { name: 'dashboard new name', creation_mode: 'duplicate' });
    expect(r.body).toMatchObject({
      name: 'dashboard new name',
      creation_mode: 'template',
      restriction_level: 21,
      effective_privilege_level: 37,
    });
    expect(r.body.created_by.id).toBe(1);
  });

  it('test_dashboard.py::test_cannot_update_dashboard_with_invalid_filters', async () => {
    const d = await dashboard({ name: 'private dashboard' });
    const r = await api().patch(`dashboards/${d.id}`, { filters: [{ key: 'brand', value: ['1'], operator: 'exact', type: 'event' }] });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ type: 'validation_error', code: 'invalid_input', detail: 'Filters must be a dictionary', attr: null });
    expect(emu.project(1)?.dashboards.find((x) => x.id === d.id)?.filters).toEqual({});
  });

  it('test_dashboard.py::test_listing_dashboards_does_not_include_tiles', async () => {
    const one = await dashboard({ name: 'dashboard-1' });
    const two = await dashboard({ name: 'dashboard-2' });
    await insight({ dashboards: [two.id, one.id], name: 'insight' });
    expect((await get(one.id)).tiles).toHaveLength(1);
    expect((await get(two.id)).tiles).toHaveLength(1);
    const results = (await api().get('dashboards/?limit=100')).body.results;
    expect(results.map((r: Record<string, unknown>) => [r.items, r.tiles, r.filters])).toEqual([
      [undefined, undefined, undefined],
      [undefined, undefined, undefined],
    ]);
  });
});

describe('test_dashboard.py: soft delete and restore', () => {
  it('test_dashboard.py::test_dashboard_endpoints — pinned "true", soft delete hides it, PATCH {deleted: false} restores it', async () => {
    const created = await dashboard({ name: 'Default', pinned: 'true' });
    expect(created).toMatchObject({ name: 'Default', creation_mode: 'default', pinned: true });
    expect((await api().get('dashboards/')).body.results[0]).toMatchObject({ id: created.id, name: 'Default' });
    await softDelete('dashboards', created.id);
    expect((await api().get('dashboards/')).body.results).toHaveLength(0);
    expect((await api().patch(`dashboards/${created.id}`, { deleted: false })).status).toBe(200);
    expect((await api().get('dashboards/')).body.results).toHaveLength(1);
    await get(created.id);
  });

  it('test_dashboard.py::test_delete_does_not_delete_insights_by_default', async () => {
    const d = await dashboard({ filters: { date_from: '-14d' } });
    const i = await insight({ filters: { hello: 'test', date_from: '-7d' }, dashboards: [d.id], name: 'some_item' });
    expect((await get(d.id)).tiles).toHaveLength(1);
    await softDelete('dashboards', d.id);
    expect((await api().get(`insights/${i.id}`)).status).toBe(200);
    const tile = emu.project(1)?.dashboardTiles.find((t) => t.dashboard_id === d.id && t.insight_id === i.id);
    expect(tile?.deleted).toBe(true);
  });

  it('test_dashboard.py::test_delete_dashboard_can_delete_tiles — delete_insights takes the insights only on this dashboard', async () => {
    const one = await dashboard({ filters: { date_from: '-14d' } });
    const two = await dashboard({ filters: { date_from: '-14d' } });
    const onOne = await insight({ name: 'on one dashboard', dashboards: [one.id] });
    const onBoth = await insight({ name: 'on two dashboards', dashboards: [one.id, two.id] });
    expect((await get(one.id)).tiles).toHaveLength(2);
    expect((await get(two.id)).tiles).toHaveLength(1);
    await softDelete('dashboards', one.id, { delete_insights: true });
    expect((await api().get(`insights/${onOne.id}`)).status).toBe(404);
    expect((await api().get(`insights/${onBoth.id}`)).status).toBe(200);
    expect((await get(two.id)).tiles).toHaveLength(1);
  });

  it('test_dashboard.py::test_hard_delete_is_forbidden', async () => {
    const d = await dashboard({ name: 'dashboard' });
    const r = await api().del(`dashboards/${d.id}`);
    expect(r.status).toBe(405);
    expect(r.text).toBe('');
    await get(d.id);
  });

  it('test_dashboard.py::test_soft_delete_can_be_reversed_with_patch — tiles come back', async () => {
    const d = await dashboard({ name: 'dashboard' });
    await insight({ dashboards: [d.id] });
    await api().patch(`dashboards/${d.id}`, { tiles: [{ text: { body: 'I AM TEXT!' } }] });
    expect((await get(d.id)).tiles).toHaveLength(2);
    await softDelete('dashboards', d.id);
    await api().patch(`dashboards/${d.id}`, { deleted: false });
    expect((await get(d.id)).tiles).toHaveLength(2);
  });

  it('test_dashboard.py::test_soft_delete_does_not_delete_tiles — the insights keep their other dashboards', async () => {
    const d = await dashboard({ name: 'to delete' });
    const other = await dashboard({ name: 'not to delete' });
    const one = await insight({ dashboards: [d.id, other.id] });
    const two = await insight({ dashboards: [d.id] });
    await api().patch(`dashboards/${d.id}`, { tiles: [{ text: { body: 'I AM TEXT!' } }] });
    await softDelete('dashboards', d.id);
    const oneJson = (await api().get(`insights/${one.id}`)).body;
    expect(oneJson.dashboard_tiles.map((t: { dashboard_id: number }) => t.dashboard_id)).toEqual([other.id]);
    expect(oneJson).toMatchObject({ dashboards: [other.id], deleted: false });
    expect((await api().get(`insights/${two.id}`)).body).toMatchObject({ dashboard_tiles: [], dashboards: [], deleted: false });
  });

  it('test_dashboard.py::test_relations_on_insights_when_dashboards_were_deleted', async () => {
    const one = await dashboard({ name: 'dashboard one' });
    const two = await dashboard({ name: 'dashboard two' });
    const i = await insight({ dashboards: [one.id, two.id] });
    await softDelete('dashboards', one.id);
    expect((await api().get(`insights/${i.id}`)).body.dashboards).toEqual([two.id]);
    expect((await get(two.id)).tiles[0].insight.dashboards).toEqual([two.id]);
  });
});

describe('test_dashboard.py: insights on dashboards', () => {
  it('test_dashboard.py::test_create_dashboard_item — an insight created with dashboards gets a tile', async () => {
    const d = await dashboard({ name: 'public dashboard' });
    const i = await insight({ dashboards: [d.id], name: 'dashboard item', last_refresh: new Date().toISOString() });
    expect(i.name).toBe('dashboard item');
    expect(i.dashboards).toEqual([d.id]);
    expect(i.short_id).toMatch(/^[0-9A-Za-z_-]{8}$/);
  });

  it('test_dashboard.py::test_dashboard_items — the dashboard filters reach the tile; a deleted insight leaves no tile', async () => {
    const d = await dashboard({ filters: { date_from: '-14d' } });
    const i = await insight({ filters: { hello: 'test', date_from: '-7d' }, dashboards: [d.id], name: 'some_item' });
    const r = await get(d.id);
    expect(r.tiles).toHaveLength(1);
    expect(r.tiles[0].insight.name).toBe('some_item');
    // Adapted: the newest InsightSerializer reads a legacy insight through its synthesised query
    // (filters `{}`), so the dashboard's date_from shows in the query's dateRange.
    expect(r.tiles[0].insight.query.source.dateRange.date_from).toBe('-14d');
    expect((await api().get('insights/')).body.results[0].name).toBe('some_item');
    await softDelete('insights', i.id);
    expect((await api().get('insights/')).body.results).toHaveLength(0);
    expect((await get(d.id)).tiles).toHaveLength(0);
  });

  it('test_dashboard.py::test_dashboard_filter_is_applied_even_if_insight_is_created_before_dashboard', async () => {
    const i = await insight({ filters: { hello: 'test', date_from: '-7d' }, name: 'some_item' });
    const d = await dashboard({ filters: { date_from: '-14d' } });
    expect((await api().patch(`insights/${i.id}`, { dashboards: [d.id] })).status).toBe(200);
    expect((await get(d.id)).tiles[0].insight.query.source.dateRange.date_from).toBe('-14d');
    expect((await api().get(`insights/${i.id}`)).body.query.source.dateRange.date_from).toBe('-7d');
  });

  it('test_dashboard.py::test_dashboard_filtering_on_properties', async () => {
    const d = await dashboard({ filters: { date_from: '-24h' } });
    const patched = await api().patch(`dashboards/${d.id}`, {
      filters: { date_from: '-24h', properties: [{ key: 'prop', value: 'val' }] },
    });
    expect(patched.body.filters.properties).toEqual([{ key: 'prop', value: 'val' }]);
    await insight({ filters: { hello: 'test', date_from: '-7d' }, dashboards: [d.id], name: 'some_item' });
    const tile = (await get(d.id)).tiles[0];
    expect(tile.insight.name).toBe('some_item');
    // Adapted as above: the properties land in the query (QueryRunner.apply_dashboard_filters).
    expect(tile.insight.query.source.properties).toEqual([{ key: 'prop', value: 'val' }]);
  });
});

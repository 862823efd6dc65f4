// Ported from PostHog's products/product_analytics/backend/api/test/test_insight.py. Rows PostHog
// creates with the ORM (no creator, saved=False, a fixed short_id) are created through the API or a
// seed here; freeze_time steps are replaced by comparing timestamps before and after.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_API_KEY, type Emulator } from '../../../src/emulator/index.js';
import { project, start } from '../helpers.js';

const OTHER_KEY = 'phx_fake_conformance_second_user';
let emu: Emulator;
const api = () => project(emu);
const other = () => project(emu, 1, { key: OTHER_KEY });

const FILTERS = { events: [{ id: '$pageview' }], properties: [{ key: '$browser', value: 'Mac OS X' }] };
const TRENDS = { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }] } };

beforeAll(async () => {
  emu = await start({
    keys: [
      { key: DEV_API_KEY, scopes: ['*'] },
      { key: OTHER_KEY, scopes: ['*'] },
    ],
    seed: {
      projects: [
        {
          id: 1,
          name: 'Test',
          dashboards: [
            { id: 1, name: 'dash 1' },
            { id: 2, name: 'dash 2' },
            { id: 3, name: 'd-template', creation_mode: 'template' },
            { id: 4, name: 'd-unlisted', creation_mode: 'unlisted' },
          ],
        },
      ],
    },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function insight(body: Record<string, unknown>, via = api()) {
  const r = await via.post('insights/', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const listIds = async (q: string) =>
  (await api().get(`insights/${q}`)).body.results.map((i: { id: number }) => i.id).sort((a: number, b: number) => a - b);

describe('test_insight.py: create, read, lookup', () => {
  it('test_insight.py::test_create_insight_items', async () => {
    const r = await insight({ name: 'a created dashboard', filters: { ...FILTERS, date_from: '-90d' } });
    expect(r.description).toBeNull();
    expect(r.tags).toEqual([]);
    const stored = emu.project(1)?.insights[0];
    expect((stored?.filters.events as Array<{ id: string }> | undefined)?.[0]?.id).toBe('$pageview');
    expect(stored?.filters.date_from).toBe('-90d');
    expect(stored?.short_id).toHaveLength(8);
  });

  it('test_insight.py::test_created_updated_and_last_modified — favorited bumps updated_at only; filters/name/description bump last_modified_*', async () => {
    const created = await insight({ name: 'test' });
    expect(created.updated_at).toBe(created.created_at);
    expect(created.last_modified_at).toBe(created.created_at);
    expect(created.last_modified_by).toEqual(created.created_by);
    const tick = () => new Promise((r) => setTimeout(r, 5));
    await tick();
    const fav = (await api().patch(`insights/${created.id}`, { favorited: true })).body;
    expect(fav.updated_at).not.toBe(created.updated_at);
    expect(fav.last_modified_at).toBe(created.last_modified_at);
    await tick();
    const filters = (await api().patch(`insights/${created.id}`, { filters: { events: [] } })).body;
    expect(filters.last_modified_at).toBe(filters.updated_at);
    expect(filters.last_modified_at).not.toBe(created.last_modified_at);
    await tick();
    const byOther = (await other().patch(`insights/${created.id}`, { description: 'Lorem ipsum.' })).body;
    expect(byOther.created_by.id).toBe(1);
    expect(byOther.last_modified_by.id).toBe(2);
    expect(byOther.last_modified_at).not.toBe(filters.last_modified_at);
  });

  it('test_insight.py::test_get_insight_by_short_id — legacy filters read back through the synthesised query', async () => {
    emu.seed({
      projects: [
        {
          id: 1,
          name: 'Test',
          insights: [
            { filters: { events: [{ id: '$pageview' }] }, short_id: '12345678' },
            { filters: { events: [{ id: '$pageview' }] }, short_id: 'not-that-one' },
          ],
        },
      ],
    });
    const r = await api().get('insights/?short_id=12345678');
    expect(r.body.results).toHaveLength(1);
    expect(r.body.results[0].short_id).toBe('12345678');
    expect(r.body.results[0].query.source.series[0].event).toBe('$pageview');
  });

  it.each([
    ['numeric_id', (i: { id: number }) => String(i.id)],
    ['short_id', () => 'abcd1234'],
  ])('test_insight.py::test_retrieve_insight_by_id_or_short_id (%s)', async (_name, lookup) => {
    emu.seed({
      projects: [
        { id: 1, name: 'Test', insights: [{ filters: { events: [{ id: '$pageview' }] }, short_id: 'abcd1234', name: 'dual-lookup' }] },
      ],
    });
    const stored = emu.project(1)?.insights[0] as { id: number };
    const r = await api().get(`insights/${lookup(stored)}/`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: stored.id, short_id: 'abcd1234', name: 'dual-lookup' });
  });

  it('test_insight.py::test_retrieve_insight_by_unknown_short_id_returns_404', async () => {
    expect((await api().get('insights/notthere/')).status).toBe(404);
  });

  it('test_insight.py::test_basic_results — the InsightBasicSerializer keys, no search_match_type without a search', async () => {
    await insight({ filters: { events: [{ id: '$pageview' }] } });
    await insight({ filters: { events: [{ id: '$pageview' }] }, saved: true });
    const r = await api().get('insights/?basic=true');
    expect(r.body.results).toHaveLength(2);
    expect(new Set(Object.keys(r.body.results[0]))).toEqual(
      new Set([
        'id',
        'short_id',
        'name',
        'derived_name',
        'favorited',
        'filters',
        'query',
        'dashboards',
        'dashboard_tiles',
        'description',
        'last_refresh',
        'refreshing',
        'saved',
        'updated_at',
        'created_by',
        'created_at',
        'last_modified_at',
        'tags',
        'user_access_level',
        'last_viewed_at',
      ]),
    );
  });
});

describe('test_insight.py: list filters and ordering', () => {
  it("test_insight.py::test_get_insight_items — ?user= keeps the caller's insights", async () => {
    await insight({ filters: FILTERS });
    await insight({ filters: FILTERS }, other());
    expect((await api().get('insights/?user=true')).body.results).toHaveLength(1);
  });

  it('test_insight.py::test_get_saved_insight_items — ?saved=true&user=true', async () => {
    await insight({ filters: FILTERS, saved: true });
    await insight({ filters: FILTERS });
    await insight({ filters: FILTERS }, other());
    const r = await api().get('insights/?saved=true&user=true');
    expect(r.status).toBe(200);
    expect(r.body.results).toHaveLength(2);
    expect(r.body.results[0].short_id).toHaveLength(8);
  });

  it('test_insight.py::test_get_favorited_insight_items', async () => {
    await insight({ filters: FILTERS, favorited: true });
    await insight({ filters: FILTERS });
    await insight({ filters: FILTERS }, other());
    const r = await api().get('insights/?favorited=true&user=true');
    expect(r.body.results).toHaveLength(1);
    expect(r.body.results[0].favorited).toBe(true);
  });

  it('test_insight.py::test_saved_filter_returns_saved_or_on_visible_dashboard', async () => {
    const filters = { events: [{ id: '$pageview' }] };
    const savedNoDashboard = await insight({ saved: true, filters });
    const unsavedOnDefault = await insight({ saved: false, filters, dashboards: [1] });
    const unsavedOnTemplate = await insight({ saved: false, filters, dashboards: [3] });
    await insight({ saved: false, filters, dashboards: [4] });
    await insight({ saved: false, filters });
    expect(await listIds('?saved=true')).toEqual([savedNoDashboard.id, unsavedOnDefault.id, unsavedOnTemplate.id]);
  });

  it('test_insight.py::test_listing_insights_shows_legacy_and_hogql_ones — ?insight=TRENDS matches legacy and query insights', async () => {
    await insight({ query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'select * from events' } } });
    await insight({ filters: { insight: 'TRENDS', events: [{ id: '$pageview' }] } });
    await insight({ query: TRENDS });
    const r = await project(emu, 1).get('insights/?insight=TRENDS');
    expect(r.body.results).toHaveLength(2);
  });

  it('test_insight.py::test_can_list_insights_by_which_dashboards_they_are_in — AND across dashboards, deleted tiles ignored', async () => {
    const one = await insight({ name: 'insight 1', filters: { events: [{ id: '$pageview' }] } });
    const two = await insight({ name: 'insight 2', filters: { events: [{ id: '$pageview' }] } });
    await insight({ name: 'insight 3', filters: { events: [{ id: '$pageview' }] } });
    await api().patch(`insights/${one.id}/`, { dashboards: [1] });
    await api().patch(`insights/${two.id}/`, { dashboards: [1, 2] });
    expect(await listIds('?dashboards=[1]')).toEqual([one.id, two.id]);
    expect(await listIds('?dashboards=[1, 2]')).toEqual([two.id]);
    await api().patch(`insights/${two.id}/`, { dashboards: [] });
    expect(await listIds('?dashboards=[1]')).toEqual([one.id]);
  });

  it.each([
    [200, 200],
    [201, 400],
    [10_000, 400],
  ])('test_insight.py::test_list_filter_by_search_enforces_length_cap (%i characters)', async (length, status) => {
    const r = await api().get(`insights/?search=${'a'.repeat(length)}`);
    expect(r.status).toBe(status);
    if (status === 400) {
      expect(r.body.attr).toBe('search');
      expect(r.body.detail).toContain('200 characters');
    }
  });

  it('test_insight.py::test_list_filter_by_search_match_type_absent_without_search', async () => {
    await insight({ name: 'Alpha', filters: { events: [{ id: '$pageview' }] } });
    const results = (await api().get('insights/')).body.results;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r).not.toHaveProperty('search_match_type');
  });

  it('test_insight.py::test_list_filter_by_search_explicit_order_overrides_relevance — order=-id', async () => {
    const older = await insight({ name: 'revenue funnel', filters: { events: [{ id: '$pageview' }] } });
    const newer = await insight({ name: 'revenue trends', filters: { events: [{ id: '$pageview' }] } });
    const ids = (await api().get('insights/?search=revenue&order=-id')).body.results.map((i: { id: number }) => i.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
  });
});

describe('test_insight.py: dashboards', () => {
  it('test_insight.py::test_dashboards_relation_is_tile_soft_deletion_aware — removed tiles leave dashboards and dashboard_tiles', async () => {
    const created = await insight({ name: 'start with two dashboards', dashboards: [1, 2] });
    const updated = (await api().patch(`insights/${created.id}/`, { dashboards: [1] })).body;
    expect(updated.dashboards).toEqual([1]);
    expect(updated.dashboard_tiles).toEqual([{ id: expect.any(Number), deleted: null, dashboard_id: 1 }]);
    const read = (await api().get(`insights/${created.id}/`)).body;
    expect(read.dashboards).toEqual([1]);
    expect(read.dashboard_tiles).toEqual([{ id: expect.any(Number), deleted: null, dashboard_id: 1 }]);
    const list = (await api().get('insights/')).body;
    expect(list.count).toBe(1);
    expect(list.results.map((i: { dashboards: number[] }) => i.dashboards)).toEqual([[1]]);
  });
});

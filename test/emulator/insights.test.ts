import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { project, start, trendsQuery } from './helpers.js';

let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({
    seed: {
      projects: [
        {
          id: 1,
          name: 'Test',
          dashboards: [
            { id: 7, name: 'Overview' },
            { id: 8, name: 'Growth' },
          ],
        },
        { id: 2, name: 'No tagging', tagging: false },
      ],
    },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const create = async (body: Record<string, unknown>) => {
  const r = await api().post('insights/', body);
  expect(r.status).toBe(201);
  return r.body;
};

describe('insights', () => {
  it('returns the full InsightSerializer fields, computed ones present with null/empty values and creators as UserBasic', async () => {
    const i = await create({ name: 'Pageviews', query: trendsQuery() });
    for (const k of [
      'result',
      'hasMore',
      'columns',
      'last_refresh',
      'cache_target_age',
      'next_allowed_client_refresh',
      'hogql',
      'types',
      'query_status',
      'resolved_date_range',
      'last_viewed_at',
    ]) {
      expect(i).toHaveProperty(k, null);
    }
    expect(i).toMatchObject({
      id: 1,
      order: null,
      deleted: false,
      dashboards: [],
      dashboard_tiles: [],
      tags: [],
      favorited: false,
      is_sample: false,
      alerts: [],
      effective_restriction_level: 21,
      effective_privilege_level: 37,
      timezone: 'UTC',
      is_cached: false,
    });
    expect(i.short_id).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(i.created_by).toEqual(
      expect.objectContaining({
        id: 1,
        uuid: expect.any(String),
        distinct_id: expect.any(String),
        first_name: expect.any(String),
        email: expect.any(String),
        is_email_verified: true,
      }),
    );
    expect(i.last_modified_by).toEqual(i.created_by);
    expect(i.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
  });

  it('looks detail routes up by numeric id first, then by short_id', async () => {
    const a = await create({ name: 'A' });
    const b = await create({ name: 'B' });
    expect((await api().get(`insights/${a.id}/`)).body.name).toBe('A');
    expect((await api().get(`insights/${b.short_id}/`)).body.name).toBe('B');
    expect((await api().patch(`insights/${b.short_id}/`, { name: 'B2' })).body.id).toBe(b.id);
    expect((await api().get('insights/12345/')).status).toBe(404);
  });

  it('paginates LimitOffset: default 100, any limit, absolute next/previous carrying limit and offset, count', async () => {
    for (let n = 0; n < 5; n++) await create({ name: `I${n}` });
    // order=id: the default order_by("order") leaves equal rows in no particular order.
    const page = await api().get('insights/?limit=2&offset=2&basic=true&order=id');
    expect(page.body.count).toBe(5);
    expect(page.body.results.map((r: { name: string }) => r.name)).toEqual(['I2', 'I3']);
    expect(page.body.next).toBe(`${emu.url}/api/projects/1/insights/?basic=true&limit=2&offset=4&order=id`);
    expect(page.body.previous).toBe(`${emu.url}/api/projects/1/insights/?basic=true&limit=2&order=id`);
    const all = await api().get('insights/');
    expect(all.body).toMatchObject({ count: 5, next: null, previous: null });
    expect((await api().get('insights/?limit=1000')).body.results).toHaveLength(5);
  });

  it('returns the InsightBasicSerializer subset with basic=true (search_match_type only when searching)', async () => {
    await create({ name: 'A', query: trendsQuery() });
    const r = (await api().get('insights/?basic=true')).body.results[0];
    const keys = [
      'id',
      'short_id',
      'name',
      'derived_name',
      'filters',
      'query',
      'dashboards',
      'dashboard_tiles',
      'description',
      'last_refresh',
      'refreshing',
      'saved',
      'tags',
      'updated_at',
      'created_by',
      'created_at',
      'last_modified_at',
      'favorited',
      'user_access_level',
      'last_viewed_at',
    ];
    expect(Object.keys(r).sort()).toEqual([...keys].sort());
    const searched = (await api().get('insights/?basic=true&search=a')).body.results[0];
    expect(Object.keys(searched).sort()).toEqual([...keys, 'search_match_type'].sort());
  });

  it('filters the list by exact short_id and accepts refresh', async () => {
    await create({ name: 'A' });
    const b = await create({ name: 'B' });
    const r = await api().get(`insights/?short_id=${b.short_id}&refresh=force_cache`);
    expect(r.body.count).toBe(1);
    expect(r.body.results[0].name).toBe('B');
    expect((await api().get(`insights/${b.id}/?refresh=blocking`)).status).toBe(200);
  });

  it('stores query verbatim but stamps `version` only on kinds with schema migrations (TrendsQuery 5, RetentionQuery 2; InsightVizNode, EventsNode none)', async () => {
    const i = await create({
      query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: 'a' }] } },
    });
    expect(i.query).toEqual({
      kind: 'InsightVizNode',
      source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: 'a' }], version: 5 },
    });
    expect(emu.project(1)?.insights[0]?.query).toEqual({
      kind: 'InsightVizNode',
      source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: 'a' }] },
    });
    const kept = await create({
      query: { kind: 'InsightVizNode', version: 3, source: { kind: 'RetentionQuery', version: 1, retentionFilter: {} } },
    });
    expect(kept.query.version).toBe(3);
    expect(kept.query.source.version).toBe(2);
  });

  it("re-keys DataVisualizationNode source.variables by code_name to this project's variable ids, dropping unknown code_names", async () => {
    const country = (await api().post('insight_variables/', { name: 'Country', type: 'String' })).body;
    const query = {
      kind: 'DataVisualizationNode',
      source: {
        kind: 'HogQLQuery',
        query: 'select {variables.country}, {variables.gone}',
        variables: {
          'stale-id-1': { variableId: 'stale-id-1', code_name: 'country', value: 'GB' },
          'stale-id-2': { variableId: 'stale-id-2', code_name: 'gone', value: 1 },
        },
      },
    };
    const i = await create({ name: 'SQL', query });
    expect(i.query.source.variables).toEqual({ [country.id]: { variableId: country.id, code_name: 'country', value: 'GB' } });
    expect(emu.project(1)?.insights[0]?.query).toEqual(query);
  });

  it('refuses a query QuerySchemaRoot cannot parse (no kind, unknown kind, wrong InsightVizNode source, not an object): 400 invalid_request parse_error', async () => {
    for (const query of [
      { source: {} },
      { kind: 'NopeQuery' },
      'select 1',
      { kind: 'InsightVizNode', source: { kind: 'HogQLQuery', query: 'select 1' } },
    ]) {
      const r = await api().post('insights/', { name: 'bad', query });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ type: 'invalid_request', code: 'parse_error', attr: null });
    }
    expect(emu.project(1)?.insights).toHaveLength(0);
    // Any QuerySchema kind passes the parser; the serializer stores it as sent.
    for (const query of [
      { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } },
      { kind: 'HogQuery', code: 'return 1' },
      { kind: 'TrendsQuery', series: [] },
    ]) {
      expect((await api().post('insights/', { query })).status).toBe(201);
    }
  });

  it('refuses unknown keys anywhere in a modelled query node (pydantic extra="forbid"): 400 parse_error naming the location', async () => {
    const r = await api().post('insights/', {
      query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: 'a', colour: 'red' }] } },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('parse_error');
    expect(r.body.detail).toContain('InsightVizNode.source.TrendsQuery.series.0.EventsNode.colour');
    expect(r.body.detail).toContain('Extra inputs are not permitted');
  });

  it('refuses a HogQLQuery whose SQL does not parse: 400 invalid_request parse_error', async () => {
    const r = await api().post('insights/', {
      query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'select from where' } },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('parse_error');
    expect(r.body.detail).toMatch(/line 1, column \d+/);
    const ok = await api().post('insights/', {
      query: {
        kind: 'DataVisualizationNode',
        source: { kind: 'HogQLQuery', query: 'select count() from events where properties.x = {variables.x}' },
      },
    });
    expect(ok.status).toBe(201);
  });

  it('trims name and description like a DRF CharField, and enforces max_length 400', async () => {
    const i = await create({ name: '  Spaced  ', description: '\n about \t' });
    expect(i).toMatchObject({ name: 'Spaced', description: 'about' });
    const long = await api().post('insights/', { name: 'x'.repeat(401) });
    expect(long.body).toEqual({
      type: 'validation_error',
      code: 'max_length',
      detail: 'Ensure this field has no more than 400 characters.',
      attr: 'name',
    });
  });

  it('reads filters as {} when a query exists, and a legacy filters-only insight as {} plus a query synthesised from them', async () => {
    const i = await create({ filters: { insight: 'TRENDS', events: [{ id: '$pageview' }] }, query: trendsQuery() });
    expect(i.filters).toEqual({});
    const legacy = await create({
      filters: {
        insight: 'TRENDS',
        events: [{ id: '$pageview', name: '$pageview' }],
        date_from: '-7d',
        interval: 'week',
        display: 'ActionsBar',
      },
    });
    expect(legacy.filters).toEqual({});
    expect(legacy.query).toEqual({
      kind: 'InsightVizNode',
      source: {
        kind: 'TrendsQuery',
        dateRange: { date_from: '-7d' },
        interval: 'week',
        series: [{ kind: 'EventsNode', event: '$pageview', name: '$pageview' }],
        trendsFilter: { display: 'ActionsBar' },
        version: 5,
      },
      full: true,
    });
    expect(emu.project(1)?.insights[1]?.query).toBeNull();
  });

  it('normalises tags (strip, lower-case, de-duplicate) and ignores them when the organisation lacks TAGGING', async () => {
    const i = await create({ tags: [' Growth', 'growth', 'KPI '] });
    expect(i.tags).toEqual(['growth', 'kpi']);
    const untagged = await project(emu, 2).post('insights/', { name: 'x', tags: ['a'] });
    expect(untagged.body.tags).toEqual([]);
    expect(emu.project(2)?.insights[0]?.tags).toEqual([]);
  });

  it('turns dashboards into tiles, diffs them on update, and refuses foreign ids (does_not_exist)', async () => {
    // DashboardTileManager hides soft-deleted tiles; a new tile reads deleted: null, a revived one false.
    const i = await create({ dashboards: [7] });
    expect(i.dashboards).toEqual([7]);
    expect(i.dashboard_tiles).toEqual([{ id: 1, dashboard_id: 7, deleted: null }]);
    const moved = (await api().patch(`insights/${i.id}/`, { dashboards: [8] })).body;
    expect(moved.dashboards).toEqual([8]);
    expect(moved.dashboard_tiles).toEqual([{ id: 2, dashboard_id: 8, deleted: null }]);
    const back = (await api().patch(`insights/${i.id}/`, { dashboards: [7, 8] })).body;
    expect(back.dashboard_tiles).toEqual([
      { id: 1, dashboard_id: 7, deleted: false },
      { id: 2, dashboard_id: 8, deleted: null },
    ]);
    const bad = await api().post('insights/', { dashboards: [99] });
    expect(bad.body).toEqual({
      type: 'validation_error',
      code: 'does_not_exist',
      detail: 'Invalid pk "99" - object does not exist.',
      attr: 'dashboards',
    });
  });

  it('bumps last_modified_at/by only when name, description or filters change (not for a query-only change)', async () => {
    const i = await create({ name: 'A', query: trendsQuery() });
    await new Promise((r) => setTimeout(r, 15));
    const q = (await api().patch(`insights/${i.id}/`, { query: trendsQuery('other') })).body;
    expect(q.last_modified_at).toBe(i.last_modified_at);
    expect(q.updated_at).not.toBe(i.updated_at);
    const n = (await api().patch(`insights/${i.id}/`, { name: 'B' })).body;
    expect(n.last_modified_at).not.toBe(i.last_modified_at);
  });

  it('soft-deletes with PATCH {"deleted": true} (then 404 and hidden from lists) and restores with PATCH {"deleted": false}', async () => {
    const i = await create({ name: 'Doomed', dashboards: [7] });
    const d = await api().patch(`insights/${i.id}/`, { deleted: true });
    expect(d.status).toBe(200);
    expect(d.body.deleted).toBe(true);
    expect((await api().get(`insights/${i.id}/`)).status).toBe(404);
    expect((await api().patch(`insights/${i.id}/`, { name: 'x' })).status).toBe(404);
    expect((await api().get('insights/')).body.count).toBe(0);
    expect(emu.project(1)?.insights[0]?.deleted).toBe(true);
    const restored = await api().patch(`insights/${i.id}/`, { deleted: false });
    expect(restored.status).toBe(200);
    expect((await api().get(`insights/${i.short_id}/`)).body.name).toBe('Doomed');
  });

  it('insights: DELETE answers 405 with an empty body (ForbidDestroyModel)', async () => {
    const i = await create({ name: 'Stays' });
    for (const id of [i.id, 999]) {
      const r = await api().del(`insights/${id}/`);
      expect(r.status).toBe(405);
      expect(r.text).toBe('');
    }
    expect((await api().get(`insights/${i.id}/`)).status).toBe(200);
  });

  it('ignores unknown and read-only keys', async () => {
    const i = await create({ name: 'A', bogus: 1, short_id: 'MINE1234', id: 77, created_at: '2000-01-01T00:00:00Z', result: [1] });
    expect(i.id).toBe(1);
    expect(i.short_id).not.toBe('MINE1234');
    expect(i).not.toHaveProperty('bogus');
    expect(i.result).toBeNull();
  });
});

// PostHog answers requests in many workers at once: a long insight page being serialised does
// not hold back a retrieve that arrives meanwhile. The emulator, with one thread, renders long
// pages a slice at a time (emulator/pagination.ts limitOffsetInTurns) to answer the same way.
// Rows as InsightViewSet.dangerously_get_queryset loads them (products/product_analytics/backend/api/insight.py):
// one query for the page's rows, so their own fields are those of that moment.
describe('insight pages and other requests', () => {
  let big: Emulator;
  beforeAll(async () => {
    big = await start({
      seed: {
        projects: [
          { id: 1, name: 'Big', insights: Array.from({ length: 6000 }, (_, i) => ({ name: `I${i}`, query: trendsQuery(`e${i}`) })) },
        ],
      },
    });
  });
  afterAll(() => big.close());

  it('a request sent while a 6,000-row page renders is answered before that page', async () => {
    big.clearRequests();
    const page = project(big).get('insights/?limit=6000');
    // A timer of this thread: it fires between the page's slices, or, were the page rendered in one go, after it.
    await new Promise((r) => setTimeout(r, 40));
    const small = project(big).get('actions/');
    const [p, s] = await Promise.all([page, small]);
    expect(p.body.results).toHaveLength(6000);
    expect(s.status).toBe(200);
    const ended = (path: string) => {
      const r = big.requests().find((x) => x.path.endsWith(path));
      return Date.parse(r?.startedAt ?? '') + (r?.durationMs ?? 0);
    };
    expect(ended('/actions/')).toBeLessThan(ended('/insights/'));
  });

  it('a page shows each row as its one query found it (insight.py dangerously_get_queryset): an edit during the render waits for the next read', async () => {
    big.reset();
    const last = big.project(1)?.insights.at(-1);
    const before = last?.name;
    const page = project(big).get('insights/?limit=6000&order=id');
    await new Promise((r) => setTimeout(r, 40));
    expect((await project(big).patch(`insights/${last?.id}/`, { name: 'Renamed meanwhile' })).status).toBe(200);
    const rows = (await page).body.results as Array<{ id: number; name: string }>;
    expect(before).toBe('I5999');
    expect(rows).toHaveLength(6000);
    expect(rows.find((r) => r.id === last?.id)?.name).toBe(before);
    expect((await project(big).get(`insights/${last?.id}/`)).body.name).toBe('Renamed meanwhile');
  });
});

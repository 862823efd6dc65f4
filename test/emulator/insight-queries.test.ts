// Insight queries: the pydantic key allowlist on write (QuerySchemaParser, schema-general.ts) and the
// schema migrations replayed on read (posthog/schema_migrations/0001–0005, upgrade.py).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { upgradeQuery } from '../../src/emulator/query-upgrade.js';
import { project, start } from './helpers.js';

let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({ seed: { projects: [{ id: 1, name: 'Test' }] } });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const viz = (source: Record<string, unknown>) => ({
  kind: 'InsightVizNode',
  source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: 'a' }], ...source },
});

describe('unknown query keys are refused (extra="forbid")', () => {
  it.each([
    ['TrendsQuery', viz({ bogus: 1 }), 'InsightVizNode.source.TrendsQuery.bogus'],
    [
      'trendsFilter',
      viz({ trendsFilter: { display: 'ActionsBar', colour: 'red' } }),
      'InsightVizNode.source.TrendsQuery.trendsFilter.colour',
    ],
    ['dateRange', viz({ dateRange: { date_from: '-7d', from: '-7d' } }), 'InsightVizNode.source.TrendsQuery.dateRange.from'],
    ['breakdownFilter', viz({ breakdownFilter: { breakdown: '$browser', breakdown_typ: 'event' } }), 'breakdownFilter.breakdown_typ'],
    [
      'property filter',
      viz({ properties: [{ key: '$browser', value: 'Chrome', type: 'event', operator: 'exact', negate: true }] }),
      'properties.0.negate',
    ],
    ['InsightVizNode', { ...viz({}), showEverything: true }, 'InsightVizNode.showEverything'],
    [
      'HogQLVariable',
      {
        kind: 'DataVisualizationNode',
        source: { kind: 'HogQLQuery', query: 'select 1', variables: { x: { variableId: 'x', code_name: 'x', val: 1 } } },
      },
      'variables.x.val',
    ],
    [
      'chartSettings',
      { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'select 1' }, chartSettings: { showPie: true } },
      'chartSettings.showPie',
    ],
  ])('%s', async (_name, query, location) => {
    const r = await api().post('insights/', { query });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ type: 'invalid_request', code: 'parse_error', attr: null });
    expect(r.body.detail).toMatch(/^\d+ validation errors? for QuerySchemaRoot\n/);
    expect(r.body.detail).toContain(location);
  });

  it('refuses a series item without a kind (the series union is discriminated on kind)', async () => {
    const r = await api().post('insights/', {
      query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ event: 'a' }] } },
    });
    expect(r.body.code).toBe('parse_error');
    expect(r.body.detail).toContain("Unable to extract tag using discriminator 'kind'");
  });

  it('accepts every declared key, null included (pydantic model_dump() without exclude_none), and does not check kinds it does not model', async () => {
    const full = {
      kind: 'InsightVizNode',
      source: {
        kind: 'TrendsQuery',
        series: [{ kind: 'EventsNode', event: 'a', math: null, custom_name: null }],
        interval: null,
        trendsFilter: null,
        breakdownFilter: null,
      },
      full: null,
      showHeader: null,
    };
    expect((await api().post('insights/', { query: full })).status).toBe(201);
    const unmodelled = { kind: 'DataTableNode', source: { kind: 'ActorsQuery', anything: 1 } };
    expect((await api().post('insights/', { query: unmodelled })).status).toBe(201);
  });

  it('validates only a truthy query (an empty {} passes the parser), and the serializer refuses a non-object', async () => {
    expect((await api().post('insights/', { query: {} })).status).toBe(201);
    expect((await api().post('insights/', { query: [] })).body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'Query must be a valid JSON object',
      attr: 'query',
    });
  });
});

describe('reads replay the schema migrations', () => {
  it('stamps version only on kinds with migrations, at their latest version', async () => {
    const q = upgradeQuery({
      kind: 'DataTableNode',
      source: { kind: 'HogQLQuery', query: 'select 1' },
      extra: [
        { kind: 'FunnelsQuery', series: [] },
        { kind: 'LifecycleQuery', series: [] },
        { kind: 'StickinessQuery', series: [] },
        { kind: 'RetentionQuery', retentionFilter: {} },
        { kind: 'CalendarHeatmapQuery', series: [] },
        { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'select 1' } },
        { kind: 'PathsQuery', pathsFilter: {} },
      ],
    });
    expect((q.extra as Array<{ kind: string; version?: number }>).map((n) => [n.kind, n.version])).toEqual([
      ['FunnelsQuery', 2],
      ['LifecycleQuery', 2],
      ['StickinessQuery', 5],
      ['RetentionQuery', 2],
      ['CalendarHeatmapQuery', 2],
      ['DataVisualizationNode', 2],
      ['PathsQuery', undefined],
    ]);
    expect(q).not.toHaveProperty('version');
    expect(q.source).not.toHaveProperty('version');
  });

  it('0002: hiddenLegendIndexes become position resultCustomizations (TrendsQuery)', () => {
    const q = upgradeQuery({ kind: 'TrendsQuery', series: [], trendsFilter: { hiddenLegendIndexes: [0, 2] } });
    expect(q.trendsFilter).toEqual({
      resultCustomizationBy: 'position',
      resultCustomizations: { '0': { assignmentBy: 'position', hidden: true }, '2': { assignmentBy: 'position', hidden: true } },
    });
  });

  it('0003: chartSettings.showPieTotal moves to pie.showTotal (an existing showTotal wins)', () => {
    const q = upgradeQuery({
      kind: 'DataVisualizationNode',
      source: { kind: 'HogQLQuery', query: 'select 1' },
      chartSettings: { showPieTotal: false },
    });
    expect(q.chartSettings).toEqual({ pie: { showTotal: false } });
    const kept = upgradeQuery({ kind: 'DataVisualizationNode', chartSettings: { showPieTotal: false, pie: { showTotal: true } } });
    expect(kept.chartSettings).toEqual({ pie: { showTotal: true } });
  });

  it('0004: series items without a kind get one (EventsNode, ActionsNode for id-only, DataWarehouseNode for table_name)', () => {
    const q = upgradeQuery({ kind: 'TrendsQuery', version: 3, series: [{ event: 'a' }, { id: 4 }, { table_name: 't' }, {}] });
    expect((q.series as Array<{ kind: string }>).map((s) => s.kind)).toEqual([
      'EventsNode',
      'ActionsNode',
      'DataWarehouseNode',
      'EventsNode',
    ]);
  });

  it('0001 and 0005: showMean → meanRetentionCalculation; mixed resultCustomizations keep the active mode only', () => {
    expect(upgradeQuery({ kind: 'RetentionQuery', retentionFilter: { showMean: true } }).retentionFilter).toEqual({
      meanRetentionCalculation: 'simple',
    });
    const q = upgradeQuery({
      kind: 'TrendsQuery',
      version: 4,
      series: [],
      trendsFilter: { resultCustomizations: { a: { assignmentBy: 'value' }, '1': { assignmentBy: 'position' } } },
    });
    expect(q.trendsFilter).toEqual({ resultCustomizations: { a: { assignmentBy: 'value' } } });
  });

  it('reads a stored insight upgraded without changing what is stored', async () => {
    const query = {
      kind: 'InsightVizNode',
      source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: 'a' }], trendsFilter: { hiddenLegendIndexes: [1] } },
    };
    const i = (await api().post('insights/', { query })).body;
    expect(i.query.source.trendsFilter).toEqual({
      resultCustomizationBy: 'position',
      resultCustomizations: { '1': { assignmentBy: 'position', hidden: true } },
    });
    expect(emu.project(1)?.insights[0]?.query).toEqual(query);
  });
});

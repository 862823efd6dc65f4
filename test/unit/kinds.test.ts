import { describe, expect, it } from 'vitest';
import { KINDS, dependencyLevels, foreignIds, keyRefs, kindByName, selectKinds, toIds, withDependencies } from '../../src/kinds/index.js';
import { codeNameOf } from '../../src/kinds/insight-variable.js';
import { IdentityMap } from '../../src/plan/resolver.js';
import { remoteSpec } from '../../src/plan/secrets.js';
import type { JsonObject } from '../../src/json.js';

const insight = kindByName('Insight');
const hogFunction = kindByName('HogFunction');
const insightVariable = kindByName('InsightVariable');
const VAR_ID = '0190a5c8-0000-7000-8000-000000000001';

function refs(): IdentityMap {
  const m = new IdentityMap();
  m.bind('InsightVariable', 'country', VAR_ID, { id: VAR_ID, code_name: 'country', name: 'Country', type: 'String' }, 'country');
  return m;
}

describe('insight kind', () => {
  it('strips the `version` keys PostHog adds to every query node on read (posthog-api.md §2.3)', () => {
    const raw: JsonObject = {
      id: 1,
      short_id: 'AbCdEf12',
      name: 'Signups',
      query: {
        kind: 'InsightVizNode',
        version: 1,
        source: { kind: 'TrendsQuery', version: 2, series: [{ kind: 'EventsNode', event: 'signup', version: 1 }] },
      },
      result: [1, 2],
      filters: {},
      created_at: '2024-01-01T00:00:00Z',
      last_refresh: null,
      saved: true,
      deleted: false,
      tags: [],
      favorited: false,
      dashboards: [],
    };
    expect(remoteSpec(insight, raw, refs())).toEqual({
      name: 'Signups',
      query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: 'signup' }] } },
    });
  });

  it('writes HogQL variables by key instead of the environment-specific UUID, and resolves them back on push', () => {
    const raw: JsonObject = {
      id: 2,
      name: 'SQL',
      query: {
        kind: 'DataVisualizationNode',
        source: {
          kind: 'HogQLQuery',
          query: 'select {variables.country}',
          variables: { [VAR_ID]: { variableId: VAR_ID, code_name: 'country', value: 'NL' } },
        },
      },
    };
    const spec = remoteSpec(insight, raw, refs());
    expect(JSON.stringify(spec)).not.toContain(VAR_ID);
    expect((spec.query as JsonObject).source).toEqual({
      kind: 'HogQLQuery',
      query: 'select {variables.country}',
      variables: { country: { value: 'NL' } },
    });
    const body = insight.toBody(toIds(insight, spec, refs()), refs(), 'create');
    expect(((body.query as JsonObject).source as JsonObject).variables).toEqual({
      [VAR_ID]: { value: 'NL', variableId: VAR_ID, code_name: 'country' },
    });
    expect(keyRefs(insight, spec)).toEqual([{ kind: 'InsightVariable', key: 'country', path: '/query/source/variables/country' }]);
  });

  it('treats tags and dashboards as sets and null description as absent', () => {
    expect(insight.normalize({ name: ' X ', tags: ['b', 'A', 'a'], dashboards: [3, 1], description: null })).toEqual({
      name: 'X',
      tags: ['a', 'b'],
      dashboards: [1, 3],
    });
  });

  it('finds action and cohort ids that will not carry over to another project', () => {
    const spec: JsonObject = {
      query: {
        kind: 'InsightVizNode',
        source: {
          kind: 'TrendsQuery',
          series: [{ kind: 'ActionsNode', id: 12 }],
          properties: [{ type: 'cohort', key: 'id', value: 7 }],
        },
      },
    };
    expect(foreignIds(insight, spec)).toEqual([
      { type: 'actions', id: 12, path: '/query/source/series/0/id' },
      { type: 'cohorts', id: 7, path: '/query/source/properties/0/value' },
    ]);
  });
});

describe('insight variable kind', () => {
  it.each([
    ['Test 1', 'test_1'],
    ['Test @#$ Var!', 'test__var'],
    ['foo  bar', 'foo__bar'],
    [' spaced ', 'spaced'],
    ['Größe', 'größe'],
  ])('derives code_name like PostHog: %j → %j (posthog-api.md §3.2)', (name, code) => {
    expect(codeNameOf(name)).toBe(code);
  });

  it('keeps only writable fields and treats List values null as []', () => {
    const raw = {
      id: VAR_ID,
      name: 'Countries',
      type: 'List',
      values: null,
      default_value: null,
      code_name: 'countries',
      created_by: 1,
      created_at: 'x',
    };
    expect(remoteSpec(insightVariable, raw, refs())).toEqual({ name: 'Countries', type: 'List' });
    expect(insightVariable.naturalKey({ name: 'Countries' }, raw)).toBe('countries');
    expect(insightVariable.naturalKey({ name: 'Country Code' })).toBe('country_code');
  });
});

describe('hog function kind', () => {
  const raw: JsonObject = {
    id: 'f1',
    type: 'destination',
    name: 'Webhook',
    description: '',
    enabled: true,
    hog: 'fetch(inputs.url, {})\n\n',
    bytecode: ['_H', 1],
    transpiled: null,
    execution_order: 3,
    inputs_schema: [
      { key: 'url', type: 'string', label: 'URL', required: true, secret: false, hidden: false },
      { key: 'token', type: 'string', label: 'Token', required: false, secret: true, hidden: false },
    ],
    inputs: { url: { value: 'https://example.com', bytecode: ['_H'], order: 0 }, token: { secret: true }, dropped: { value: 1 } },
    filters: { source: 'events', events: [{ id: '$pageview', type: 'events', order: 0 }], bytecode: ['_H'], actions: [] },
    masking: null,
    mappings: null,
    icon_url: null,
    template: { id: 'template-webhook', name: 'Webhook' },
    status: { state: 1, tokens: 0 },
    created_at: 'x',
    updated_at: 'y',
  };

  it('strips compiled and server-filled fields (bytecode, order, filters.source, schema defaults) and trims hog', () => {
    expect(remoteSpec(hogFunction, raw, refs())).toEqual({
      type: 'destination',
      name: 'Webhook',
      enabled: true,
      template_id: 'template-webhook',
      hog: 'fetch(inputs.url, {})',
      inputs_schema: [
        { key: 'url', type: 'string', label: 'URL', required: true },
        { key: 'token', type: 'string', label: 'Token', secret: true },
      ],
      inputs: { url: { value: 'https://example.com' }, token: { secret: true } },
      filters: { events: [{ id: '$pageview', type: 'events', order: 0 }] },
    });
  });

  it('declares its secret inputs and where ${VAR} may appear', () => {
    const spec = remoteSpec(hogFunction, raw, refs());
    expect(hogFunction.secrets(spec)).toEqual([{ path: '/inputs/token', name: 'token', required: false, serverKeeps: true }]);
    expect(hogFunction.varPaths(spec)).toEqual(['/inputs/url/value']);
  });

  it('keeps execution_order only for transformations and never sends it (rearrange sets it)', () => {
    expect(hogFunction.normalize({ type: 'transformation', execution_order: 2, name: 'T' })).toMatchObject({ execution_order: 2 });
    expect(hogFunction.toBody({ type: 'transformation', execution_order: 2, name: 'T' }, refs(), 'create')).not.toHaveProperty(
      'execution_order',
    );
  });
});

describe('registry', () => {
  it('orders kinds so dependencies come first, and adds dependencies a selection needs', () => {
    // The order of creates and restores (issue 20): cohorts and actions, then dashboards, insights, hog functions, alerts.
    expect(dependencyLevels().map((l) => l.map((k) => k.kind))).toEqual([
      ['InsightVariable', 'Action', 'Cohort'],
      ['HogFunction', 'Dashboard'],
      ['Insight'],
      ['Alert'],
    ]);
    // An insight's file names dashboards, actions, cohorts and variables by key: their lists are read with it.
    expect(withDependencies(selectKinds(['insight'])).map((k) => k.kind)).toEqual([
      'InsightVariable',
      'Insight',
      'Dashboard',
      'Action',
      'Cohort',
    ]);
  });

  it('rejects an unknown --kinds value with a suggestion', () => {
    expect(() => selectKinds(['insigth'])).toThrow(/Did you mean "insight"\?/);
  });

  it.each(KINDS.map((k) => [k.kind, k] as const))('%s has unique names and registered dependencies', (_name, kind) => {
    expect(KINDS.filter((k) => k.folder === kind.folder)).toHaveLength(1);
    expect(KINDS.filter((k) => k.cliName === kind.cliName)).toHaveLength(1);
    for (const d of kind.dependsOn) expect(KINDS.map((k) => k.kind)).toContain(d);
  });
});

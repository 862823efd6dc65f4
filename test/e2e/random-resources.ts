/** Random but valid PostHog payloads, for property-style round-trip tests. */
import { makeRandom } from '../../src/emulator/random.js';

export type Rng = () => number;

/** The emulator's seeded PRNG: the same seed, the same resources. */
export function rng(seed: number): Rng {
  return makeRandom(seed);
}

const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
const chance = (r: Rng, p: number) => r() < p;

const WORDS = [
  'Signups',
  'weekly',
  'Revenue',
  'Über',
  'funnel',
  'café',
  'DAU',
  'churn',
  'Pageviews',
  'trial',
  '日本',
  'v2',
  '(beta)',
  '#ops',
  'A/B',
];

function randomName(r: Rng, i: number): string {
  const words = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, WORDS));
  const pad = chance(r, 0.3) ? '  ' : '';
  return `${pad}${words.join(pick(r, [' ', '  ', '-', '_']))} ${i}${pad}`;
}

export function randomVariable(r: Rng, i: number): Record<string, unknown> {
  const type = pick(r, ['String', 'Number', 'Boolean', 'List', 'Date'] as const);
  const name = `${pick(r, ['Country', 'Min events', 'Plan tier', 'Include bots?', 'Start date', 'Région'])} ${i}`;
  const defaults: Record<string, unknown> = {
    String: pick(r, ['NL', '', 'a b c']),
    Number: pick(r, [0, 5, 12.5, -3]),
    Boolean: chance(r, 0.5),
    List: 'free',
    Date: '2024-01-01',
  };
  const v: Record<string, unknown> = { name, type };
  if (chance(r, 0.8)) v.default_value = defaults[type];
  if (type === 'List') v.values = chance(r, 0.8) ? ['free', 'pro', 'enterprise'].slice(0, 1 + Math.floor(r() * 3)) : null;
  return v;
}

export function randomInsight(r: Rng, i: number, variables: Array<{ id: string; code_name: string }>): Record<string, unknown> {
  const kind = pick(r, ['trends', 'funnel', 'sql', 'table', 'retention'] as const);
  const event = pick(r, ['$pageview', 'signed_up', 'purchase']);
  let query: Record<string, unknown>;
  if (kind === 'sql' && variables.length > 0) {
    const used = variables.slice(0, 1 + Math.floor(r() * Math.min(3, variables.length)));
    const lines = [
      'SELECT event, count()  ',
      'FROM events',
      ...used.map((v, n) => `${n === 0 ? 'WHERE' : '  AND'} properties.p_${n} = {variables.${v.code_name}}`),
      'GROUP BY event',
    ];
    query = {
      kind: 'DataVisualizationNode',
      source: {
        kind: 'HogQLQuery',
        query: `${lines.join(chance(r, 0.3) ? '\r\n' : '\n')}${chance(r, 0.5) ? '\n' : ''}`,
        variables: Object.fromEntries(
          used.map((v) => [v.id, { variableId: v.id, code_name: v.code_name, ...(chance(r, 0.5) ? { value: 'x' } : {}) }]),
        ),
      },
    };
  } else if (kind === 'funnel') {
    query = {
      kind: 'InsightVizNode',
      source: {
        kind: 'FunnelsQuery',
        series: [
          { kind: 'EventsNode', event },
          { kind: 'EventsNode', event: 'purchase' },
        ],
        funnelsFilter: { funnelWindowInterval: 14, funnelWindowIntervalUnit: 'day' },
      },
    };
  } else if (kind === 'table') {
    query = { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*', 'event', 'timestamp'], limit: 100 } };
  } else if (kind === 'retention') {
    query = {
      kind: 'InsightVizNode',
      source: {
        kind: 'RetentionQuery',
        retentionFilter: {
          period: 'Week',
          totalIntervals: 8,
          targetEntity: { id: event, type: 'events' },
          returningEntity: { id: event, type: 'events' },
        },
      },
    };
  } else {
    query = {
      kind: 'InsightVizNode',
      source: {
        kind: 'TrendsQuery',
        series: [{ kind: 'EventsNode', event, math: pick(r, ['total', 'dau']) }],
        interval: pick(r, ['day', 'week']),
        ...(chance(r, 0.5) ? { breakdownFilter: { breakdown: '$browser', breakdown_type: 'event' } } : {}),
        dateRange: { date_from: '-30d', date_to: null },
      },
    };
  }
  const insight: Record<string, unknown> = { name: randomName(r, i), query };
  if (chance(r, 0.5)) insight.description = chance(r, 0.5) ? `  ${pick(r, WORDS)} description  ` : '';
  if (chance(r, 0.4)) insight.tags = ['Growth', 'growth', ' KPI '].slice(0, 1 + Math.floor(r() * 3));
  if (chance(r, 0.3)) insight.favorited = chance(r, 0.5);
  return insight;
}

export function randomHogFunction(r: Rng, i: number): Record<string, unknown> {
  const transformation = chance(r, 0.4);
  const eol = chance(r, 0.3) ? '\r\n' : '\n';
  const body = transformation
    ? ['let returnEvent := event   ', `returnEvent.properties.step_${i} := true`, 'return returnEvent']
    : [
        'let res := fetch(inputs.url, {',
        "  'method': 'POST',",
        "  'headers': {'Authorization': inputs.token},",
        "  'body': {'event': event.event}",
        '})  ',
        'if (res.status >= 400) {',
        "  throw Error('failed')",
        '}',
      ];
  const hog = `${chance(r, 0.5) ? '\n  ' : ''}${body.join(eol)}${chance(r, 0.5) ? `${eol}${eol}` : ''}`;
  if (transformation) {
    return {
      name: randomName(r, i),
      type: 'transformation',
      enabled: chance(r, 0.5),
      hog,
      inputs_schema: [{ key: 'flag', type: 'boolean', label: 'Flag', default: false }],
      inputs: { flag: { value: chance(r, 0.5) } },
      ...(chance(r, 0.5) ? { execution_order: 1 + Math.floor(r() * 5) } : {}),
    };
  }
  return {
    name: randomName(r, i),
    type: 'destination',
    enabled: chance(r, 0.5),
    description: chance(r, 0.5) ? 'Sends events somewhere' : '',
    hog,
    inputs_schema: [
      { key: 'url', type: 'string', label: 'URL', required: true },
      { key: 'token', type: 'string', label: 'Token', secret: true, required: chance(r, 0.5) },
      ...(chance(r, 0.5) ? [{ key: 'extra', type: 'json', label: 'Extra', default: { a: 1 } }] : []),
    ],
    inputs: {
      url: { value: `https://hooks.example.com/${i}?event={event.event}` },
      token: { value: `fake-secret-${i}` },
      ...(chance(r, 0.5) ? { extra: { value: { a: i, nested: { list: [1, 2, 3] } } } } : {}),
    },
    filters: {
      events: [{ id: pick(r, ['$pageview', 'signed_up']), name: 'event', type: 'events', order: 0 }],
      ...(chance(r, 0.5) ? { filter_test_accounts: chance(r, 0.5) } : {}),
      ...(chance(r, 0.3) ? { source: 'events' } : {}),
    },
    ...(chance(r, 0.3) ? { masking: { ttl: 3600, hash: '{person.id}', threshold: chance(r, 0.5) ? null : 5 } } : {}),
  };
}

import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/json.js';
import { KINDS, kindByName } from '../../src/kinds/index.js';
import { buildSnapshot, SnapshotBuilder, type BuilderInput, type Snapshot } from '../../src/plan/snapshot.js';

// Issue 22, pull at scale: an insight page is converted while the lists its insights may name are
// still on their way, except the rows that name one of them, which wait for that list alone.

const insight = kindByName('Insight');
const dashboard = kindByName('Dashboard');
const variable = kindByName('InsightVariable');

const VAR_ID = '0190a5c8-0000-7000-8000-000000000001';
const query = { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [] } };
const sqlQuery = {
  kind: 'DataVisualizationNode',
  source: {
    kind: 'HogQLQuery',
    query: 'select {variables.country}',
    variables: { [VAR_ID]: { variableId: VAR_ID, code_name: 'country', value: 'FR' } },
  },
};
const plain = { id: 1, short_id: 's1', name: 'Plain', query };
const onBoard = { id: 2, short_id: 's2', name: 'On a board', query, dashboards: [7] };
const withVariable = { id: 3, short_id: 's3', name: 'With a variable', query: sqlQuery };
const twin = { id: 4, short_id: 's4', name: 'Plain', query };
const board = { id: 7, name: 'Board', tiles: [{ id: 70, insight: { id: 2 }, layouts: {} }] };
const countryVar = { id: VAR_ID, name: 'Country', code_name: 'country', type: 'String', default_value: 'US' };

const input: BuilderInput = {
  kinds: KINDS,
  fetched: KINDS,
  local: [],
  bindings: () => new Map(),
  pending: () => undefined,
  vars: { env: {}, vars: {}, keyVariables: ['POSTHOG_PERSONAL_API_KEY'] },
  adopt: false,
  assignNew: true,
};

function summary(snapshot: Snapshot): Array<[string, string, string | undefined]> {
  return snapshot.entries.map((e) => [e.kind.kind, e.key, e.remote?.hash]);
}

describe('SnapshotBuilder: rows wait only for the kinds they name (issue 22)', () => {
  it('converts rows that name nothing unfinished at once, and the others once those kinds are finished', () => {
    const builder = new SnapshotBuilder(input);
    const added = builder.addRemote(insight, [plain, onBoard, withVariable, twin]);
    expect(added.map((e) => e.id)).toEqual([1, 4]);
    expect(builder.release(insight)).toEqual([]);

    builder.addRemote(variable, [countryVar]);
    builder.finish(variable);
    expect(builder.release(insight).map((e) => e.spec.query)).toEqual([
      { ...sqlQuery, source: { ...sqlQuery.source, variables: { country: { value: 'FR' } } } },
    ]);
    // Still waiting for its dashboard: the kind cannot be finished yet.
    expect(() => builder.finish(insight)).toThrow(/finished before/);

    builder.addRemote(dashboard, [board]);
    for (const kind of KINDS.filter((k) => ['Action', 'Cohort', 'Dashboard'].includes(k.kind))) builder.finish(kind);
    expect(builder.release(insight).map((e) => e.spec.dashboards)).toEqual([['board']]);
  });

  it('gives the same keys and specs as a snapshot of the whole listing, rows taken in the order they came', () => {
    const remote = new Map<string, JsonObject[]>([
      ['Insight', [plain, onBoard, withVariable, twin]],
      ['Dashboard', [board]],
      ['InsightVariable', [countryVar]],
    ]);
    const whole = buildSnapshot({ ...input, remote });

    const builder = new SnapshotBuilder(input);
    builder.addRemote(insight, [plain, onBoard]);
    builder.addRemote(variable, [countryVar]);
    builder.finish(variable);
    builder.addRemote(insight, [withVariable, twin]);
    builder.addRemote(dashboard, [board]);
    for (const kind of KINDS.filter((k) => ['Action', 'Cohort', 'Dashboard'].includes(k.kind))) builder.finish(kind);
    builder.release(insight);
    builder.finish(insight);
    builder.finish(kindByName('Alert'));
    builder.finish(kindByName('HogFunction'));

    expect(summary(builder.snapshot(Date.now()))).toEqual(summary(whole));
    // Same-named insights are told apart in id order, whichever was converted first.
    expect(whole.entries.filter((e) => e.kind === insight).map((e) => [e.key, e.remote?.id])).toEqual([
      ['on-a-board', 2],
      ['plain', 1],
      ['plain-2', 4],
      ['with-a-variable', 3],
    ]);
  });
});

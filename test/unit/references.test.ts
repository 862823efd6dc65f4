import { describe, expect, it } from 'vitest';
import { hashJson, type JsonObject } from '../../src/json.js';
import { foreignIds, keyRefs, kindByName, pairingHash, toIds, toKeys, wholeHash } from '../../src/kinds/index.js';
import { IdentityMap } from '../../src/plan/resolver.js';
import { mapIds } from '../../src/plan/translate.js';

/** kinds/references.ts: the one translation of references between kinds, both ways. */

const insight = kindByName('Insight');
const dashboard = kindByName('Dashboard');
const cohort = kindByName('Cohort');
const alert = kindByName('Alert');
const action = kindByName('Action');
const VAR_ID = '0190a5c8-0000-7000-8000-000000000001';

function identities(): IdentityMap {
  const m = new IdentityMap();
  m.bind('Dashboard', 'growth', 7);
  m.bind('Action', 'signed-up', 12);
  m.bind('Cohort', 'power-users', 31);
  m.bind('Insight', 'weekly-signups', 101);
  m.bind('InsightVariable', 'country', VAR_ID, { id: VAR_ID, code_name: 'country', name: 'Country' }, 'country');
  return m;
}

const insightWithIds: JsonObject = {
  name: 'Signups',
  dashboards: [7, 99],
  query: {
    kind: 'InsightVizNode',
    source: { kind: 'TrendsQuery', series: [{ kind: 'ActionsNode', id: 12 }], properties: [{ type: 'cohort', key: 'id', value: 31 }] },
  },
};

describe('references between kinds', () => {
  it('writes the ids of managed resources as keys and keeps the ids of objects it does not know', () => {
    const { spec, unresolved } = toKeys(insight, insightWithIds, identities());
    expect(spec.dashboards).toEqual(['growth', 99]);
    expect(JSON.stringify(spec.query)).toContain('"id":"signed-up"');
    expect(JSON.stringify(spec.query)).toContain('"value":"power-users"');
    expect(unresolved.map((u) => [u.kind.kind, u.link.value])).toEqual([['Dashboard', 99]]);
    // The input is left as it was.
    expect(insightWithIds.dashboards).toEqual([7, 99]);
  });

  it('resolves keys back to ids, and an unknown key is an error that names it and where it is', () => {
    const keyed = toKeys(insight, insightWithIds, identities()).spec;
    expect(toIds(insight, keyed, identities())).toEqual(insightWithIds);
    expect(() => toIds(insight, { dashboards: ['nope'] }, identities())).toThrow(
      /Dashboard "nope" \(at \/dashboards\/0\), which does not exist in this environment: add a file for it under dashboards\//,
    );
  });

  it('says which references hold keys (validate, mv, push order) and which hold ids (refs:)', () => {
    const keyed = toKeys(insight, insightWithIds, identities()).spec;
    expect(keyRefs(insight, keyed)).toEqual([
      { kind: 'Action', key: 'signed-up', path: '/query/source/series/0/id' },
      { kind: 'Cohort', key: 'power-users', path: '/query/source/properties/0/value' },
      { kind: 'Dashboard', key: 'growth', path: '/dashboards/0' },
    ]);
    expect(foreignIds(insight, keyed)).toEqual([{ type: 'dashboards', id: 99, path: '/dashboards/1' }]);
  });

  it('renames a variable entry by key, drops what repeats its id, and finds a variable by code_name when its id is unknown', () => {
    const other = '0190a5c8-0000-7000-8000-0000000000ff';
    const sql = (variables: JsonObject): JsonObject => ({
      query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'select 1', variables } },
    });
    const keyed = toKeys(insight, sql({ [other]: { variableId: other, code_name: 'country', value: 'NL' } }), identities()).spec;
    expect(keyed).toEqual(sql({ country: { value: 'NL' } }));
    expect(toIds(insight, keyed, identities())).toEqual(sql({ [VAR_ID]: { value: 'NL', variableId: VAR_ID, code_name: 'country' } }));
  });

  it('maps users only through a refs.users table: within one organisation they are the same', () => {
    const spec = { insight: 'weekly-signups', subscribed_users: [1, 2] };
    expect(mapIds(alert, spec, {}).unmapped).toEqual([]);
    expect(mapIds(alert, spec, {}).spec).toEqual(spec);
    const other = mapIds(alert, spec, { users: { '1': '41' } });
    expect(other.spec.subscribed_users).toEqual([41, 2]);
    expect(other.unmapped.map((u) => u.id)).toEqual([2]);
  });

  it('finds actions in cohort behavioural filters and cohorts in action steps', () => {
    const filters: JsonObject = {
      properties: {
        type: 'AND',
        values: [
          { type: 'behavioral', key: 12, event_type: 'actions', value: 'performed_event', time_value: 30, time_interval: 'day' },
          { type: 'cohort', key: 'id', value: 31 },
        ],
      },
    };
    const keyed = toKeys(cohort, { name: 'Active', filters }, identities()).spec;
    expect(keyRefs(cohort, keyed).map((r) => `${r.kind}/${r.key}`)).toEqual(['Cohort/power-users', 'Action/signed-up']);
    const step = { name: 'Bought', steps: [{ event: 'purchase', properties: [{ type: 'cohort', key: 'id', value: 31 }] }] };
    expect(keyRefs(action, toKeys(action, step, identities()).spec)).toEqual([
      { kind: 'Cohort', key: 'power-users', path: '/steps/0/properties/0/value' },
    ]);
  });

  it('pairs by content without the references and fields written late (tiles, cohorts inside cohorts)', () => {
    const withTiles = { name: 'Growth', tiles: [{ insight: 'weekly-signups', layouts: { sm: { x: 0, y: 0, w: 6, h: 5 } } }] };
    const created = { name: 'Growth' };
    const hash = (s: JsonObject) => pairingHash(dashboard, s, hashJson(s));
    expect(hash(withTiles)).toBe(hash(created));
    // The whole content keeps the tiles (what is not a half-made create) but not their late references.
    const whole = (s: JsonObject) => wholeHash(dashboard, s, hashJson(s));
    expect(whole(withTiles)).not.toBe(whole(created));
    expect(whole(withTiles)).toBe(whole({ ...withTiles, tiles: [{ insight: 41, layouts: { sm: { x: 0, y: 0, w: 6, h: 5 } } }] }));
    expect(whole(withTiles)).not.toBe(whole({ ...withTiles, tiles: [{ insight: 41, layouts: { sm: { x: 6, y: 0, w: 6, h: 5 } } }] }));
    // An insight's references are all written before it: its pairing hash is its hash.
    expect(pairingHash(insight, insightWithIds, 'h')).toBe('h');
    // A cohort that names a cohort pairs whether the name is a key yet or still an id.
    const byKey = { name: 'Outer', filters: { properties: { type: 'AND', values: [{ type: 'cohort', key: 'id', value: 'inner' }] } } };
    const byId = { name: 'Outer', filters: { properties: { type: 'AND', values: [{ type: 'cohort', key: 'id', value: 77 }] } } };
    expect(pairingHash(cohort, byKey, 'a')).toBe(pairingHash(cohort, byId, 'b'));
  });
});

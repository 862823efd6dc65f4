// Ported from PostHog's posthog/api/test/test_cohort.py (TestCohort, TestCohortTypeIntegration)
// and posthog/api/test/test_cohort_bytecode.py. Calculations PostHog runs in Celery (mocked or
// eager in its tests) are finished by the emulator on the next read of cohorts, so "the
// calculation was queued" is asserted as the bumped `pending_version` and `is_calculating`, and
// PostHog's `while is_calculating: GET` loops end after one GET. Rows PostHog makes with the ORM
// are made through the API; where that changes a request, the test says so.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_API_KEY, type Emulator } from '../../../src/emulator/index.js';
import { project, start } from '../helpers.js';

const OTHER_KEY = 'phx_fake_conformance_second_user';
let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({
    keys: [
      { key: DEV_API_KEY, scopes: ['*'] },
      { key: OTHER_KEY, scopes: ['*'] },
    ],
    seed: { projects: [{ id: 1, name: 'Test' }] },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function cohort(body: Record<string, unknown>, via = api()) {
  const r = await via.post('cohorts', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const names = async (q: string) => (await api().get(`cohorts${q}`)).body.results.map((c: { name: string }) => c.name).sort();
const cohortRef = (id: number | string) => ({ properties: [{ type: 'cohort', value: id, key: 'id' }] });
const trendsWithCohort = (id: number) => ({
  kind: 'InsightVizNode',
  source: {
    kind: 'TrendsQuery',
    series: [{ kind: 'EventsNode', event: '$pageview' }],
    properties: [{ type: 'cohort', key: 'id', value: id }],
  },
});

describe('test_cohort.py: create, update, calculate', () => {
  it('test_cohort.py::test_creating_update_and_calculating — legacy groups, read-only fields ignored, a calculation queued per write', async () => {
    const created = await cohort({ name: 'whatever', groups: [{ properties: { team_id: '5' } }] });
    expect(created.created_by.id).toBe(1);
    expect(created).toMatchObject({ is_calculating: true, pending_version: 1 });
    // The analytics PostHog asserts read `properties.to_dict()`; the same value is what `filters` reads back.
    expect(created.filters).toEqual({
      properties: { type: 'OR', values: [{ type: 'AND', values: [{ key: 'team_id', value: '5', type: 'person' }] }] },
    });
    const r = await api().patch(`cohorts/${created.id}`, {
      name: 'whatever2',
      description: 'A great cohort!',
      groups: [{ properties: { team_id: '6' } }],
      created_by: 'something something',
      last_calculation: 'some random date',
      errors_calculating: 100,
      deleted: false,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: 'whatever2',
      description: 'A great cohort!',
      errors_calculating: 0,
      pending_version: 2,
      created_by: expect.objectContaining({ id: 1 }),
    });
  });

  it('test_cohort.py::test_creating_update_and_calculating_with_new_cohort_filters — stored with negation, bytecode and conditionHash; done by the next read', async () => {
    const person = { key: '$some_prop', value: 'something', type: 'person', operator: 'exact' };
    const behavioral = {
      key: '$pageview',
      event_type: 'events',
      time_value: 1,
      time_interval: 'day',
      value: 'performed_event',
      type: 'behavioral',
    };
    let r = await api().post('cohorts', { name: 'cohort A', filters: { properties: { type: 'OR', values: [person, behavioral] } } });
    expect(r.status).toBe(201);
    const leaf = { bytecode: expect.arrayContaining(['_H', 1]), conditionHash: expect.stringMatching(/^[0-9a-f]{16}$/), negation: false };
    expect(r.body.filters.properties.values).toEqual([
      { ...person, ...leaf },
      { ...behavioral, ...leaf },
    ]);
    expect(r.body.cohort_type).toBe('realtime');
    let reads = 0;
    while (r.body.is_calculating) {
      r = await api().get(`cohorts/${r.body.id}`);
      reads++;
    }
    expect(reads).toBe(1);
    expect(r.body).toMatchObject({ count: 0, version: 1, errors_calculating: 0, last_calculation: expect.any(String) });
  });

  it('test_cohort.py::test_duplicating_dynamic_cohort_as_dynamic — a read-back body posts again, read-only fields ignored', async () => {
    const values = [
      { key: '$initial_geoip_subdivision_1_name', type: 'person', value: 'New South Wales', negation: false, operator: 'exact' },
      { key: 'email', type: 'person', value: '@byda.com.au', negation: false, operator: 'exact' },
    ];
    const original = await cohort({ name: 'cohort A', filters: { properties: { type: 'OR', values: [{ type: 'OR', values }] } } });
    const payload = {
      id: original.id,
      name: 'cohort A (dynamic copy)',
      description: '',
      groups: [],
      query: null,
      is_calculating: false,
      is_static: false,
      errors_calculating: 0,
      experiment_set: [],
      count: 2,
      deleted: false,
      filters: { properties: { type: 'OR', values: [{ type: 'OR', values }] } },
    };
    const copy = await cohort(payload);
    expect(copy.id).not.toBe(original.id);
    expect(copy).toMatchObject({ is_static: false, name: 'cohort A (dynamic copy)', count: null, is_calculating: true });
  });

  it('test_cohort.py::test_deletion_of_cohort_cancels_async_deletion — adapted: no AsyncDeletion rows, the soft delete and restore themselves', async () => {
    const c = await cohort({ name: 'cohort1', groups: [{ properties: [{ key: '$some_prop', value: 'something', type: 'person' }] }] });
    expect((await api().patch(`cohorts/${c.id}`, { deleted: true })).body.deleted).toBe(true);
    expect((await api().get('cohorts')).body.results).toEqual([]);
    expect((await api().get(`cohorts/${c.id}`)).body.deleted).toBe(true);
    expect((await api().patch(`cohorts/${c.id}`, { deleted: false })).body.deleted).toBe(false);
    expect((await api().get('cohorts')).body.results.map((x: { id: number }) => x.id)).toEqual([c.id]);
    expect((await api().del(`cohorts/${c.id}`)).status).toBe(405);
  });
});

describe('test_cohort.py: lists', () => {
  it('test_cohort.py::test_cohort_list_with_type_filter', async () => {
    await cohort({ name: 'dynamic_cohort', groups: [{ properties: { prop: 5 } }] });
    await cohort({ name: 'static_cohort', is_static: true });
    expect(await names('')).toEqual(['dynamic_cohort', 'static_cohort']);
    const statics = (await api().get('cohorts?type=static')).body.results;
    expect(statics).toEqual([expect.objectContaining({ name: 'static_cohort', is_static: true })]);
    expect((await api().get('cohorts?type=dynamic')).body.results).toEqual([
      expect.objectContaining({ name: 'dynamic_cohort', is_static: false }),
    ]);
  });

  it('test_cohort.py::test_cohort_list_with_created_by_filter — the other user creates through its own key', async () => {
    await cohort({ name: 'self_user_cohort_1', groups: [{ properties: { prop: 5 } }] });
    await cohort({ name: 'self_user_cohort_2', groups: [{ properties: { prop: 5 } }] });
    await cohort({ name: 'other_user_cohort', is_static: true }, project(emu, 1, { key: OTHER_KEY }));
    expect(await names('')).toHaveLength(3);
    expect(await names('?created_by_id=1')).toEqual(['self_user_cohort_1', 'self_user_cohort_2']);
    expect(await names('?created_by_id=2')).toEqual(['other_user_cohort']);
    expect(await names('?created_by_id=99')).toEqual([]);
  });

  it('test_cohort.py::test_cohort_list_with_combined_filters', async () => {
    await cohort({ name: 'dynamic_test', groups: [{ properties: { prop: 5 } }] });
    await cohort({ name: 'static_test', is_static: true });
    expect(await names('?type=dynamic&search=dynamic')).toEqual(['dynamic_test']);
    expect(await names('?type=static&search=dynamic')).toEqual([]);
    expect(await names('?type=static&search=static&created_by_id=1')).toEqual(['static_test']);
  });

  it('test_cohort.py::test_list_cohorts_excludes_behavioral_cohorts — adapted: the API needs an operator on the person leaf', async () => {
    const regular = await cohort({
      name: 'regular cohort',
      filters: { properties: { type: 'OR', values: [{ type: 'person', key: 'email', value: 'test@posthog.com', operator: 'exact' }] } },
    });
    await cohort({
      name: 'behavioral cohort',
      filters: {
        properties: {
          type: 'OR',
          values: [
            {
              type: 'OR',
              values: [
                {
                  type: 'behavioral',
                  key: '$pageview',
                  value: 'performed_event',
                  event_type: 'events',
                  time_value: 30,
                  time_interval: 'day',
                },
              ],
            },
          ],
        },
      },
    });
    expect((await api().get('cohorts')).body.results).toHaveLength(2);
    expect((await api().get('cohorts?hide_behavioral_cohorts=true')).body.results.map((c: { id: number }) => c.id)).toEqual([regular.id]);
  });
});

describe('test_cohort.py: references between cohorts', () => {
  it('test_cohort.py::test_creating_update_and_calculating_with_cycle', async () => {
    const a = await cohort({ name: 'cohort A', groups: [{ properties: { team_id: 5 } }] });
    const b = await cohort({ name: 'cohort B', groups: [cohortRef(a.id)] });
    const c = await cohort({ name: 'cohort C', groups: [cohortRef(b.id)] });
    for (const target of [c.id, a.id]) {
      const r = await api().patch(`cohorts/${a.id}`, { name: 'Cohort A, reloaded', groups: [cohortRef(target)] });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ detail: 'Cohorts cannot reference other cohorts in a loop.', type: 'validation_error' });
    }
    expect((await api().get(`cohorts/${a.id}`)).body.name).toBe('cohort A');
  });

  it('test_cohort.py::test_creating_update_with_non_directed_cycle', async () => {
    const a = await cohort({ name: 'cohort A', groups: [{ properties: { team_id: 5 } }] });
    const b = await cohort({ name: 'cohort B', groups: [cohortRef(a.id)] });
    const c = await cohort({ name: 'cohort C', groups: [{ properties: [...cohortRef(b.id).properties, ...cohortRef(a.id).properties] }] });
    const r = await api().patch(`cohorts/${c.id}`, { name: 'Cohort C, reloaded' });
    expect(r.status).toBe(200);
    expect(r.body.pending_version).toBe(2);
  });

  it('test_cohort.py::test_creating_update_and_calculating_with_invalid_cohort', async () => {
    const a = await cohort({ name: 'cohort A', groups: [{ properties: { team_id: 5 } }] });
    const r = await api().patch(`cohorts/${a.id}`, { name: 'Cohort A, reloaded', groups: [cohortRef('99999')] });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ detail: 'Invalid Cohort ID in filter', type: 'validation_error' });
    expect((await api().get(`cohorts/${a.id}`)).body.pending_version).toBe(1);
  });
});

describe('test_cohort.py: deletion guards', () => {
  it('test_cohort.py::test_can_delete_cohort_not_used_in_feature_flags', async () => {
    const c = await cohort({ name: 'Test Cohort', groups: [{ properties: { team_id: 5 } }] });
    const r = await api().patch(`cohorts/${c.id}`, { deleted: true });
    expect(r.status).toBe(200);
    expect(emu.project(1)?.cohorts[0]?.deleted).toBe(true);
  });

  it('test_cohort.py::test_cannot_delete_cohort_used_in_insight — adapted: the insight query must be a valid node', async () => {
    const c = await cohort({ name: 'Test Cohort', groups: [{ properties: { team_id: 5 } }] });
    await api().post('insights/', { name: 'Test Insight', query: trendsWithCohort(c.id) });
    const r = await api().patch(`cohorts/${c.id}`, { deleted: true });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('This cohort is used in 1 insight(s): Test Insight');
  });

  it('test_cohort.py::test_cannot_delete_cohort_used_in_multiple_insights', async () => {
    const c = await cohort({ name: 'Test Cohort', groups: [{ properties: { team_id: 5 } }] });
    await api().post('insights/', { name: 'First Insight', query: trendsWithCohort(c.id) });
    await api().post('insights/', { name: 'Second Insight', query: trendsWithCohort(c.id) });
    const detail = (await api().patch(`cohorts/${c.id}`, { deleted: true })).body.detail;
    expect(detail).toContain('This cohort is used in 2 insight(s):');
    expect(detail).toContain('First Insight');
    expect(detail).toContain('Second Insight');
  });

  it('test_cohort.py::test_can_delete_cohort_not_used_in_insights', async () => {
    const c = await cohort({ name: 'Test Cohort', groups: [{ properties: { team_id: 5 } }] });
    const otherCohort = await cohort({ name: 'Other Cohort', groups: [{ properties: { team_id: 6 } }] });
    await api().post('insights/', { name: 'Test Insight', query: trendsWithCohort(otherCohort.id) });
    expect((await api().patch(`cohorts/${c.id}`, { deleted: true })).status).toBe(200);
  });
});

describe('test_cohort.py: TestCohortTypeIntegration', () => {
  const behavioral = {
    key: '$pageview',
    type: 'behavioral',
    value: 'performed_event',
    negation: false,
    event_type: 'events',
    time_value: '30',
    time_interval: 'day',
  };
  const person = { type: 'person', key: 'email', operator: 'icontains', value: '@posthog.com' };

  it('test_cohort.py::test_explicit_cohort_type_validation_failure', async () => {
    const r = await api().post('cohorts/', {
      name: 'Test Cohort',
      cohort_type: 'person_property',
      filters: { properties: { type: 'AND', values: [behavioral] } },
    });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('does not match the filters');
    expect(r.body.detail).toContain("Expected type: 'behavioral'");
    expect(r.body.attr).toBe('cohort_type');
  });

  it('test_cohort.py::test_explicit_cohort_type_update_validation — adapted last step: the update recomputes the type from the new filters', async () => {
    const c = await cohort({ name: 'Test Cohort', filters: { properties: { type: 'AND', values: [person] } } });
    const wrong = await api().patch(`cohorts/${c.id}/`, { cohort_type: 'behavioral' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.detail).toContain("Expected type: 'person_property'");
    const right = await api().patch(`cohorts/${c.id}/`, { cohort_type: 'person_property' });
    expect(right.status).toBe(200);
    expect(right.body.cohort_type).toBe('person_property');
    const both = await api().patch(`cohorts/${c.id}/`, {
      cohort_type: 'behavioral',
      filters: { properties: { type: 'AND', values: [behavioral] } },
    });
    expect(both.status).toBe(200);
    // PostHog's test predates validate_filters_and_compute_realtime_support and expects 'behavioral';
    // the current CohortSerializer.update replaces the type with the computed one: these filters compile.
    expect(both.body.cohort_type).toBe('realtime');
  });
});

describe('test_cohort_bytecode.py', () => {
  it('test_cohort_bytecode.py::test_person_filter_bytecode_generation / test_identical_filters_same_condition_hash — through the API', async () => {
    const leaf = { type: 'person', key: 'email', operator: 'exact', value: 'test@example.com' };
    const one = (await cohort({ name: 'one', filters: { properties: { type: 'AND', values: [leaf] } } })).filters.properties.values[0];
    const two = (await cohort({ name: 'two', filters: { properties: { type: 'AND', values: [leaf] } } })).filters.properties.values[0];
    expect(one.bytecode).not.toBeNull();
    expect(one).not.toHaveProperty('bytecode_error');
    expect(one.conditionHash).toHaveLength(16);
    expect(two.conditionHash).toBe(one.conditionHash);
  });
});

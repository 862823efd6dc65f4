import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator, SeedDoc } from '../../src/emulator/index.js';
import { call, project, start } from './helpers.js';

// The cohorts API as posthog/api/cohort.py has it, beyond the ported tests.
let emu: Emulator;
const api = () => project(emu);
const person = (value = 'a@b.c') => ({ type: 'person', key: 'email', operator: 'exact', value });
const filtersOf = (...values: unknown[]) => ({ properties: { type: 'AND', values } });

beforeAll(async () => {
  emu = await start({ seed: { projects: [{ id: 1, name: 'Test' }] }, orderSeed: 3 });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function cohort(body: Record<string, unknown>) {
  const r = await api().post('cohorts/', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe('cohorts: static, query, calculation', () => {
  it('an empty static cohort is valid (the `_create_static_person_ids` default), counted 0 at once; listed person ids match no person here', async () => {
    const c = await cohort({ name: 'static', is_static: true });
    expect(c).toMatchObject({
      is_static: true,
      is_calculating: false,
      count: 0,
      cohort_type: null,
      pending_version: null,
      filters: { properties: {} },
    });
    const listed = await cohort({ name: 'listed', is_static: true, _create_static_person_ids: ['0190aaaa-0000-7000-8000-000000000001'] });
    expect(listed).toMatchObject({ count: 0, is_calculating: false });
    expect((await api().post('cohorts/', { name: 'bad ids', is_static: true, _create_static_person_ids: 'x' })).body.attr).toBe(
      '_create_static_person_ids',
    );
  });

  it('a static cohort with criteria is calculated by the worker; its criteria cannot be edited afterwards', async () => {
    const c = await cohort({ name: 'static with filters', is_static: true, filters: filtersOf(person()) });
    expect(c).toMatchObject({ is_calculating: true, cohort_type: null });
    expect((await api().get(`cohorts/${c.id}`)).body).toMatchObject({ is_calculating: false, count: 0, version: null });
    const r = await api().patch(`cohorts/${c.id}`, { filters: filtersOf(person('other')) });
    expect(r.body).toMatchObject({
      detail: 'Editing the criteria of a static cohort is not supported yet. Create a new static cohort instead.',
      attr: null,
    });
  });

  it('query rules: a dynamic cohort with a query is refused after its row is written; query with criteria, or of another kind, before', async () => {
    const q = { kind: 'HogQLQuery', query: 'select person_id from events' };
    const r = await api().post('cohorts/', { name: 'dynamic query', query: q });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'Cannot create a dynamic cohort with a query. Set is_static to true.',
      attr: null,
    });
    const left = (await api().get('cohorts/')).body.results;
    expect(left).toEqual([expect.objectContaining({ name: 'dynamic query', query: q, is_calculating: true })]);
    expect((await api().post('cohorts/', { name: 'both', is_static: true, query: q, filters: filtersOf(person()) })).body.detail).toBe(
      'Cannot set both query and filters at the same time.',
    );
    expect((await api().post('cohorts/', { name: 'kind', is_static: true, query: { kind: 'EventsQuery' } })).body).toMatchObject({
      attr: 'query',
      detail: 'Query must be an ActorsQuery or HogQLQuery. Got: EventsQuery',
    });
    expect((await api().post('cohorts/', { name: 'list', is_static: true, query: [1] })).body).toMatchObject({
      attr: 'query',
      detail: 'Query must be a dictionary.',
    });
    expect((await api().post('cohorts/', { name: 'ok', is_static: true, query: q })).status).toBe(201);
  });

  it('a PATCH queues a calculation again; deleting does not, restoring does', async () => {
    const c = await cohort({ name: 'dyn', filters: filtersOf(person()) });
    await api().get(`cohorts/${c.id}`);
    expect((await api().patch(`cohorts/${c.id}`, { name: 'dyn 2' })).body).toMatchObject({ is_calculating: true, pending_version: 2 });
    expect((await api().get('cohorts/')).body.results[0]).toMatchObject({ is_calculating: false, version: 2 });
    expect((await api().patch(`cohorts/${c.id}`, { deleted: true })).body).toMatchObject({ is_calculating: false, pending_version: 2 });
    expect((await api().patch(`cohorts/${c.id}`, { deleted: false })).body).toMatchObject({ is_calculating: true, pending_version: 3 });
  });
});

describe('cohorts: filters as stored', () => {
  it('fills negation, drops nulls, coerces lax values, keeps what compiles; behavioural leaves on actions do not compile', async () => {
    const c = await cohort({
      name: 'mixed',
      filters: filtersOf(
        { ...person(), negation: 'true', bytecode_error: null },
        { type: 'behavioral', key: 7, value: 'performed_event', event_type: 'actions', time_value: '30', time_interval: null },
      ),
    });
    const [p, b] = c.filters.properties.values;
    expect(p).toMatchObject({ negation: true, bytecode: expect.any(Array), conditionHash: expect.any(String) });
    expect(p).not.toHaveProperty('bytecode_error');
    expect(b).toEqual({
      bytecode_error: 'Unsupported behavioral filter for realtime bytecode',
      type: 'behavioral',
      key: 7,
      value: 'performed_event',
      event_type: 'actions',
      time_value: 30,
      negation: false,
    });
    expect(c.cohort_type).toBeNull();
  });

  it('a cohort leaf compiles only when the cohort it names is realtime; person_metadata keeps a cohort out of realtime', async () => {
    const realtime = await cohort({ name: 'rt', filters: filtersOf(person()) });
    const behavioural = await cohort({
      name: 'not rt',
      filters: filtersOf({ type: 'behavioral', key: '$pageview', value: 'performed_event_regularly', event_type: 'events' }),
    });
    const onRealtime = await cohort({ name: 'on rt', filters: filtersOf({ type: 'cohort', key: 'id', value: String(realtime.id) }) });
    expect(onRealtime.filters.properties.values[0]).toMatchObject({ value: realtime.id, bytecode: expect.any(Array) });
    expect(onRealtime.cohort_type).toBe('realtime');
    const onOther = await cohort({ name: 'on other', filters: filtersOf({ type: 'cohort', key: 'id', value: behavioural.id }) });
    expect(onOther.filters.properties.values[0]).not.toHaveProperty('bytecode');
    expect(onOther.cohort_type).toBeNull();
    const metadata = await cohort({
      name: 'metadata',
      filters: filtersOf({ type: 'person_metadata', key: 'created_at', operator: 'is_date_after', value: '-30d' }),
    });
    expect(metadata.cohort_type).toBeNull();
  });

  it('filters must carry properties (attr filters__detail) unless the cohort is static; null is no exception', async () => {
    for (const filters of [null, {}, { type: 'AND', values: [] }]) {
      const r = await api().post('cohorts/', { name: 'no properties', filters });
      expect(r.body).toMatchObject({
        attr: 'filters__detail',
        detail: "Must contain a 'properties' key with type and values",
        code: 'invalid_input',
      });
    }
    expect((await cohort({ name: 'static', is_static: true, filters: { anything: 1 } })).filters).toEqual({ anything: 1 });
  });

  it('reads a cohort created without filters as {"properties": {}}, and one made of groups through its groups', async () => {
    expect((await cohort({ name: 'empty' })).filters).toEqual({ properties: {} });
    const g = await cohort({ name: 'groups', groups: [{ action_id: 3, days: 7 }] });
    expect(g.groups).toEqual([
      {
        properties: null,
        action_id: 3,
        event_id: null,
        label: null,
        days: 7,
        count: null,
        count_operator: null,
        start_date: null,
        end_date: null,
      },
    ]);
    expect(g.filters.properties).toEqual({
      type: 'OR',
      values: [
        {
          type: 'AND',
          values: [
            {
              key: 3,
              type: 'behavioral',
              event_type: 'actions',
              operator_value: 0,
              time_value: 7,
              time_interval: 'day',
              value: 'performed_event',
            },
          ],
        },
      ],
    });
    expect((await api().post('cohorts/', { name: 'bad group', groups: [{ label: 'x' }] })).status).toBe(500);
  });

  it('a client cannot name the realtime type, nor send a read-back cohort_type of a computed cohort', async () => {
    const c = await cohort({ name: 'rt', filters: filtersOf(person()) });
    const r = await api().patch(`cohorts/${c.id}`, { cohort_type: c.cohort_type });
    expect(r.body).toMatchObject({
      attr: 'cohort_type',
      detail: "Cohort type 'realtime' does not match the filters. Expected type: 'person_property'",
    });
    expect((await api().post('cohorts/', { name: 'x', cohort_type: 'person_property' })).body).toMatchObject({
      attr: 'cohort_type',
      detail: 'Invalid cohort type for the given filters',
    });
    expect((await api().post('cohorts/', { name: 'x', cohort_type: 'nope' })).body).toMatchObject({
      attr: 'cohort_type',
      code: 'invalid_choice',
    });
  });
});

describe('cohorts: references and deletion', () => {
  it('references are not checked on create; the first update finds the missing one', async () => {
    const c = await cohort({ name: 'dangling', filters: filtersOf({ type: 'cohort', key: 'id', value: 4242 }) });
    expect((await api().patch(`cohorts/${c.id}`, { name: 'renamed' })).body).toMatchObject({
      detail: 'Invalid Cohort ID in filter',
      attr: null,
    });
  });

  it('a loop through filters is refused; a deleted cohort still counts as existing', async () => {
    const a = await cohort({ name: 'A', filters: filtersOf(person()) });
    const b = await cohort({ name: 'B', filters: filtersOf({ type: 'cohort', key: 'id', value: a.id }) });
    expect((await api().patch(`cohorts/${a.id}`, { filters: filtersOf({ type: 'cohort', key: 'id', value: b.id }) })).body.detail).toBe(
      'Cohorts cannot reference other cohorts in a loop.',
    );
    const gone = await cohort({ name: 'gone', filters: filtersOf(person()) });
    await api().patch(`cohorts/${gone.id}`, { deleted: true });
    expect((await api().patch(`cohorts/${a.id}`, { filters: filtersOf({ type: 'cohort', key: 'id', value: gone.id }) })).status).toBe(200);
  });

  it('a cohort used by another live cohort cannot be deleted', async () => {
    const a = await cohort({ name: 'A', filters: filtersOf(person()) });
    await cohort({ name: 'B', filters: filtersOf({ type: 'cohort', key: 'id', value: a.id }) });
    const r = await api().patch(`cohorts/${a.id}`, { deleted: true });
    expect(r.body.detail).toBe(
      'This cohort is used as criteria in 1 other cohort(s): B. Please remove this cohort from those cohort definitions before deleting it.',
    );
  });
});

describe('cohorts: list', () => {
  it('LimitOffset, -created_at with ties in no fixed order, ?basic=true without filters/query/groups, search with search_match_type', async () => {
    const seed: SeedDoc = {
      projects: [
        {
          id: 1,
          name: 'Test',
          cohorts: ['one', 'two', 'three', 'four'].map((name) => ({ name, is_static: true, created_at: '2025-01-01T00:00:00Z' })),
        },
      ],
    };
    emu.reset(seed);
    await cohort({ name: 'newest one', is_static: true });
    const orders = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const names = (await api().get('cohorts/')).body.results.map((c: { name: string }) => c.name);
      expect(names[0]).toBe('newest one');
      orders.add(names.join());
    }
    expect(orders.size).toBeGreaterThan(1);
    const page = (await api().get('cohorts/?limit=2&basic=true')).body;
    expect(page).toMatchObject({ count: 5, next: expect.stringContaining('offset=2'), previous: null });
    expect(page.results[0]).not.toHaveProperty('filters');
    expect(page.results[0]).not.toHaveProperty('groups');
    const found = (await api().get('cohorts/?search=ONE')).body.results;
    expect(found.map((c: { name: string }) => c.name)).toEqual(['newest one', 'one']);
    expect(found[0].search_match_type).toBe('exact');
    expect((await api().get(`cohorts/?search=${'x'.repeat(201)}`)).body).toMatchObject({
      attr: 'search',
      detail: 'Search query must be 200 characters or fewer.',
    });
  });

  it('is served under /api/projects/ only', async () => {
    expect((await call(emu, 'GET', '/api/environments/1/cohorts/')).status).toBe(404);
    expect((await api().get('cohorts/9999')).status).toBe(404);
  });
});

describe('cohorts: seeds', () => {
  it('seeds cohorts after actions, in order, so a cohort may name an earlier one and a behavioural leaf an action', async () => {
    const doc = {
      projects: [
        {
          id: 1,
          name: 'Test',
          actions: [{ id: 5, name: 'Paid' }],
          cohorts: [
            { id: 20, name: 'Payers', filters: filtersOf({ type: 'behavioral', key: 5, value: 'performed_event', event_type: 'actions' }) },
            { name: 'Payers again', filters: filtersOf({ type: 'cohort', key: 'id', value: 20 }) },
          ],
        },
      ],
    };
    emu.reset(doc as unknown as SeedDoc);
    expect((await api().get('cohorts/21')).body.filters.properties.values[0].value).toBe(20);
    expect((await api().get('actions/5/references/')).body).toEqual([expect.objectContaining({ type: 'cohort', id: '20' })]);
    expect(() =>
      emu.reset({ projects: [{ id: 1, name: 'Test', cohorts: [{ name: 'q', query: { kind: 'HogQLQuery', query: 'select 1' } }] }] }),
    ).toThrow(/cohorts\[0\]: Cannot create a dynamic cohort with a query/);
  });
});

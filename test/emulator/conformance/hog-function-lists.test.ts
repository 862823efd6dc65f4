// Ported from PostHog's products/cdp/backend/api/test/test_hog_function.py: list filters and
// ordering, filters and mappings, execution order of transformations. Titles name the original.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { project, start } from '../helpers.js';

let emu: Emulator;
const api = () => project(emu);

const BASE = {
  name: 'HogHook',
  hog: "fetch(inputs.url, {'method': 'POST'})",
  type: 'destination',
  enabled: true,
  inputs_schema: [{ key: 'url', type: 'string', required: true }],
  inputs: { url: { value: 'https://example.com' } },
};
const SLACK = { template_id: 'template-slack', inputs: { slack_workspace: { value: 1 }, channel: { value: '#general' } } };

beforeAll(async () => {
  emu = await start({
    seed: {
      projects: [
        {
          id: 1,
          name: 'Test',
          actions: [
            { id: 11, name: 'test action' },
            { id: 12, name: 'test action 2' },
          ],
        },
      ],
    },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function created(body: Record<string, unknown>) {
  const r = await api().post('hog_functions/', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const ids = async (q: string) => (await api().get(`hog_functions/${q}`)).body.results.map((f: { id: string }) => f.id);
const orders = async () =>
  Object.fromEntries(
    (await api().get('hog_functions/?type=transformation')).body.results.map((f: { name: string; execution_order: number }) => [
      f.name,
      f.execution_order,
    ]),
  );

describe('test_hog_function.py: list filters', () => {
  it('test_hog_function.py::test_list_with_filters_filter', async () => {
    await created({
      ...BASE,
      filters: {
        events: [{ id: '$pageview', name: '$pageview', type: 'events', order: 0 }],
        actions: [
          { id: '11', name: 'Test Action', type: 'actions', order: 1 },
          { id: '12', name: 'Test Action 2', type: 'actions', order: 1 },
        ],
        filter_test_accounts: true,
      },
    });
    const count = async (filters: unknown) => (await ids(`?filters=${encodeURIComponent(JSON.stringify(filters))}`)).length;
    expect(await count({ filter_test_accounts: true })).toBe(1);
    expect(await count({ filter_test_accounts: false })).toBe(0);
    expect(await count({ actions: [{ id: 'other' }] })).toBe(0);
    expect(await count({ actions: [{ id: '11' }] })).toBe(1);
    expect(await count({ actions: [{ id: '12' }] })).toBe(1);
  });

  it('test_hog_function.py::test_list_with_filter_groups_filter', async () => {
    const one = await created({ ...BASE, filters: { events: [{ id: '$pageview', name: '$pageview', type: 'events', order: 0 }] } });
    const two = await created({ ...BASE, filters: { actions: [{ id: '11', name: 'Test Action', type: 'actions', order: 1 }] } });
    const groups = async (g: unknown) => ids(`?filter_groups=${encodeURIComponent(JSON.stringify(g))}`);
    expect(await groups([{ events: [{ id: '$pageview', type: 'events' }] }])).toEqual([one.id]);
    expect(await groups([{ actions: [{ id: '11', type: 'actions' }] }])).toEqual([two.id]);
    expect(await groups([{ actions: [{ id: '11', type: 'actions' }] }, { events: [{ id: '$pageview', type: 'events' }] }])).toHaveLength(2);
  });

  it('test_hog_function.py::test_list_with_type_filter', async () => {
    const destination = await created({ ...BASE, filters: { events: [{ id: '$pageview', name: '$pageview', type: 'events', order: 0 }] } });
    // PostHog uses template-geoip; the emulator's GeoIP template is plugin-posthog-plugin-geoip.
    const transformation = await created({
      name: 'HogTransform',
      hog: 'return event',
      type: 'transformation',
      template_id: 'plugin-posthog-plugin-geoip',
      enabled: true,
    });
    expect(await ids('')).toHaveLength(2);
    expect(await ids('?type=destination')).toEqual([destination.id]);
    expect(await ids('?type=transformation')).toEqual([transformation.id]);
    expect(await ids('?type=destination,site_app')).toEqual([destination.id]);
    expect(await ids('?type=destination,transformation')).toHaveLength(2);
  });

  it('test_hog_function.py::test_list_with_enabled_filter', async () => {
    const destination = await created(BASE);
    const transformation = await created({
      name: 'HogTransform',
      hog: 'return event',
      type: 'transformation',
      template_id: 'plugin-posthog-plugin-geoip',
      enabled: false,
    });
    expect(await ids('')).toHaveLength(2);
    expect(await ids('?enabled=true')).toEqual([destination.id]);
    expect(await ids('?enabled=false')).toEqual([transformation.id]);
    expect(await ids('?enabled=true,false')).toHaveLength(2);
  });

  it('test_hog_function.py::test_list_with_custom_limit_parameter', async () => {
    emu.seed({
      projects: [
        {
          id: 1,
          name: 'Test',
          hog_functions: Array.from({ length: 150 }, (_, i) => ({
            name: `Test Function ${String(i).padStart(3, '0')}`,
            hog: 'return event',
            type: 'destination',
            enabled: false,
          })),
        },
      ],
    });
    const page = async (q: string) => (await api().get(`hog_functions/${q}`)).body;
    expect(await page('')).toMatchObject({ count: 150 });
    expect((await page('')).results).toHaveLength(100);
    expect((await page('?limit=50')).results).toHaveLength(50);
    expect((await page('?limit=300')).results).toHaveLength(150);
    expect((await page('?limit=50&offset=100')).results).toHaveLength(50);
  });

  it.each([
    [200, 200],
    [201, 400],
    [10_000, 400],
  ])('test_hog_function.py::test_list_filter_by_search_enforces_length_cap (%i characters)', async (length, status) => {
    const r = await api().get(`hog_functions/?search=${'a'.repeat(length)}`);
    expect(r.status).toBe(status);
    if (status === 400) {
      expect(r.body.attr).toBe('search');
      expect(r.body.detail).toContain('200 characters');
    }
  });

  it('test_hog_function.py::test_list_filter_by_search_match_type_absent_without_search', async () => {
    await created({ ...BASE, name: 'Alpha' });
    const results = (await api().get('hog_functions/')).body.results;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r).not.toHaveProperty('search_match_type');
  });
});

describe('test_hog_function.py: filters and mappings', () => {
  it('test_hog_function.py::test_can_update_with_null_filters — null and {} both store empty filters with bytecode', async () => {
    const f = await created({
      name: 'Test Function',
      type: 'destination',
      hog: "print('hello world')",
      filters: { events: [{ id: '$pageview', name: '$pageview', type: 'events', order: 0 }], filter_test_accounts: true },
    });
    const stored = () => emu.project(1)?.hogFunctions[0]?.filters as Record<string, unknown>;
    expect(stored()).toMatchObject({ events: expect.any(Array), filter_test_accounts: true, bytecode: expect.any(Array) });
    for (const filters of [null, {}]) {
      expect((await api().patch(`hog_functions/${f.id}/`, { filters })).status).toBe(200);
      expect(stored().events).toBeUndefined();
      expect(stored().filter_test_accounts).toBeUndefined();
      expect(stored().bytecode).toBeDefined();
    }
  });

  it.each([
    ['data-warehouse-table', 201],
    ['data-warehouse-view', 400],
  ])('test_hog_function.py::test_a_warehouse_source_without_a_table_selection (%s)', async (source, status) => {
    const r = await api().post('hog_functions/', {
      type: 'destination',
      name: 'Fetch URL',
      hog: 'fetch(inputs.url);',
      enabled: true,
      inputs: {},
      filters: { source },
    });
    expect(r.status).toBe(status);
  });

  it('test_hog_function.py::test_validates_mappings', async () => {
    const r = await api().post('hog_functions/', {
      name: 'TypeScript Destination Function',
      hog: 'export function onLoad() { console.log(inputs.message); }',
      type: 'site_destination',
      mappings: [
        {
          inputs: { message: { value: 'Hello, TypeScript {arrayMap(a -> a, [1, 2, 3])}!' } },
          inputs_schema: [
            { key: 'message', type: 'string', label: 'Message', required: true },
            { key: 'required_field', type: 'string', label: 'Required', required: true },
          ],
        },
      ],
    });
    expect(r.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'This field is required.',
      attr: 'mappings__0__inputs__required_field',
    });
  });

  it('test_hog_function.py::test_compiles_valid_mappings — normalised schema, compiled inputs and filters per mapping', async () => {
    const f = await created({
      name: 'TypeScript Destination Function',
      hog: 'print(inputs.message)',
      type: 'destination',
      mappings: [
        {
          inputs: { message: { value: 'Hello, {arrayMap(a -> a, [1, 2, 3])}!' } },
          inputs_schema: [{ key: 'message', type: 'string', label: 'Message', required: true }],
          filters: { events: [{ id: '$pageview', name: '$pageview', type: 'events', order: 0 }], filter_test_accounts: true },
        },
      ],
    });
    // PostHog asserts exact bytecode; the emulator's compiler is a stand-in for lambdas and filters.
    expect(f.mappings).toEqual([
      {
        inputs_schema: [{ type: 'string', key: 'message', label: 'Message', required: true, secret: false, hidden: false }],
        inputs: { message: { value: 'Hello, {arrayMap(a -> a, [1, 2, 3])}!', bytecode: expect.arrayContaining(['_H', 1]), order: 0 } },
        filters: {
          source: 'events',
          events: [{ id: '$pageview', name: '$pageview', type: 'events', order: 0 }],
          filter_test_accounts: true,
          bytecode: expect.arrayContaining(['_H', 1]),
        },
      },
    ]);
  });

  it('test_hog_function.py::test_saves_masking_config', async () => {
    const f = await created({ ...BASE, masking: { ttl: 60, threshold: 20, hash: '{person.properties.email}' } });
    expect(f.masking).toEqual({
      ttl: 60,
      threshold: 20,
      hash: '{person.properties.email}',
      bytecode: ['_H', 1, 32, 'email', 32, 'properties', 32, 'person', 1, 3],
    });
  });
});

describe('test_hog_function.py: execution order of transformations', () => {
  it('test_hog_function.py::test_transformation_type_gets_execution_order_automatically', async () => {
    expect((await created({ type: 'transformation', name: 'First Transformation', ...SLACK })).execution_order).toBe(1);
    expect((await created({ type: 'transformation', name: 'Second Transformation', ...SLACK })).execution_order).toBe(2);
    expect((await created({ ...BASE, type: 'destination', name: 'Destination Function' })).execution_order).toBeNull();
  });

  it('test_hog_function.py::test_list_hog_functions_ordered_by_execution_order_and_updated_at — adapted: equal keys come back in either order', async () => {
    // PostHog asserts Function 1 before Function 2 (same order, same frozen updated_at); Postgres
    // gives no such guarantee, and the emulator shuffles ties, so only the key order is asserted.
    emu.seed({
      projects: [
        {
          id: 1,
          name: 'Test',
          hog_functions: [
            { ...BASE, name: 'Function 1', execution_order: 1 },
            { ...BASE, name: 'Function 2', execution_order: 1 },
            { ...BASE, name: 'Function 3', execution_order: 2 },
            { ...BASE, name: 'Function 4', execution_order: null },
          ].map((f) => ({ ...f, created_at: '2024-01-01T00:00:00Z' })),
        },
      ],
    });
    const order = (await api().get('hog_functions/')).body.results.map((f: { name: string }) => f.name);
    expect(order.slice(0, 2).sort()).toEqual(['Function 1', 'Function 2']);
    expect(order.slice(2)).toEqual(['Function 3', 'Function 4']);
  });

  it('test_hog_function.py::test_limits_transformation_functions_per_team', async () => {
    for (let i = 0; i < 5; i++)
      await created({ name: `Disabled Transformation ${i}`, type: 'transformation', hog: 'return event', enabled: false });
    const enabled = [];
    for (let i = 0; i < 20; i++)
      enabled.push(await created({ name: `Enabled Transformation ${i}`, type: 'transformation', hog: 'return event', enabled: true }));
    const over = await api().post('hog_functions/', { name: 'One Too Many', type: 'transformation', hog: 'return event', enabled: true });
    expect(over.status).toBe(400);
    expect(over.body.detail).toContain('Maximum of 20 enabled transformation functions');
    await created({ name: 'Another Disabled', type: 'transformation', hog: 'return event', enabled: false });
    await api().patch(`hog_functions/${enabled[0].id}/`, { deleted: true });
    const disabled = emu.project(1)?.hogFunctions.find((f) => !f.enabled && !f.deleted);
    expect((await api().patch(`hog_functions/${disabled?.id}/`, { enabled: true })).status).toBe(200);
  });

  it('test_hog_function.py::test_transformation_undeletion_puts_at_end', async () => {
    await created({ name: 'Transform A', type: 'transformation', ...SLACK });
    const b = await created({ name: 'Transform B', type: 'transformation', ...SLACK });
    await api().patch(`hog_functions/${b.id}/`, { deleted: true });
    await created({ name: 'Transform C', type: 'transformation', ...SLACK });
    expect(await orders()).toEqual({ 'Transform A': 1, 'Transform C': 2 });
    expect((await api().patch(`hog_functions/${b.id}/`, { deleted: false })).status).toBe(200);
    expect(await orders()).toEqual({ 'Transform A': 1, 'Transform C': 2, 'Transform B': 3 });
  });

  it('test_hog_function.py::test_transformation_reenabling_puts_at_end', async () => {
    await created({ name: 'Transform A', type: 'transformation', enabled: true, ...SLACK });
    const b = await created({ name: 'Transform B', type: 'transformation', enabled: true, ...SLACK });
    await api().patch(`hog_functions/${b.id}/`, { enabled: false });
    await created({ name: 'Transform C', type: 'transformation', enabled: true, ...SLACK });
    expect(await orders()).toEqual({ 'Transform A': 1, 'Transform B': 2, 'Transform C': 3 });
    await api().patch(`hog_functions/${b.id}/`, { enabled: true });
    expect(await orders()).toEqual({ 'Transform A': 1, 'Transform B': 4, 'Transform C': 3 });
  });

  it('test_hog_function.py::test_transformation_normal_execution_order_update — equal orders: most recently updated first', async () => {
    await created({ name: 'Transform A', type: 'transformation', ...SLACK });
    const b = await created({ name: 'Transform B', type: 'transformation', ...SLACK });
    await created({ name: 'Transform C', type: 'transformation', ...SLACK });
    expect(await orders()).toEqual({ 'Transform A': 1, 'Transform B': 2, 'Transform C': 3 });
    await new Promise((r) => setTimeout(r, 5)); // updated_at must differ for -updated_at to decide
    expect((await api().patch(`hog_functions/${b.id}/`, { execution_order: 1 })).status).toBe(200);
    const names = (await api().get('hog_functions/?type=transformation')).body.results.map((f: { name: string }) => f.name);
    expect(names).toEqual(['Transform B', 'Transform A', 'Transform C']);
  });
});

// Input, secret and filter rules of posthog/cdp/validation.py (`InputsSerializer.run_child_validation`,
// `HogFunctionFiltersSerializer.validate`) and HogFunction.move_secret_inputs, as the emulator
// reproduces them — including what PostHog leaves unprotected (secrets inside mappings).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { project, start } from './helpers.js';

let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({ seed: { projects: [{ id: 1, name: 'Test' }] } });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function create(body: Record<string, unknown>) {
  const r = await api().post('hog_functions/', { hog: "fetch(inputs.url, {'method': 'POST'})", ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

const MAPPING_SECRET = [{ key: 'token', type: 'string', secret: true }];

describe('secrets inside mappings (not protected: move_secret_inputs and to_representation read the top-level schema only)', () => {
  it('stores and returns a mapping secret in plain text', async () => {
    const f = await create({
      mappings: [{ name: 'M', inputs_schema: MAPPING_SECRET, inputs: { token: { value: 'plain-mapping-token' } } }],
    });
    expect(f.mappings[0].inputs.token).toMatchObject({ value: 'plain-mapping-token' });
    expect((await api().get(`hog_functions/${f.id}/`)).body.mappings[0].inputs.token.value).toBe('plain-mapping-token');
    expect(emu.project(1)?.hogFunctions[0]?.encrypted_inputs).toEqual({});
  });

  it('looks a mapping {"secret": true} marker up in the top-level encrypted inputs by key, and fails when nothing is there', async () => {
    const none = await api().post('hog_functions/', {
      hog: 'return 1',
      mappings: [{ inputs_schema: MAPPING_SECRET, inputs: { token: { secret: true } } }],
    });
    expect(none.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'No value is saved for this secret input. Enter the value again.',
      attr: 'mappings__0__inputs__token',
    });
    const f = await create({
      inputs_schema: [{ key: 'token', type: 'string', secret: true }],
      inputs: { token: { value: 'top-level-secret' } },
    });
    const r = await api().patch(`hog_functions/${f.id}/`, {
      mappings: [{ inputs_schema: MAPPING_SECRET, inputs: { token: { secret: true } } }],
    });
    expect(r.status).toBe(200);
    // The top-level secret's value lands in the mapping, readable.
    expect(r.body.mappings[0].inputs.token.value).toBe('top-level-secret');
    expect(r.body.inputs.token).toEqual({ secret: true });
  });

  it('refuses mapping inputs without a sibling inputs_schema ("Missing inputs_schema.")', async () => {
    const r = await api().post('hog_functions/', { hog: 'return 1', mappings: [{ inputs: { x: { value: 1 } } }] });
    expect(r.body).toMatchObject({ detail: 'Missing inputs_schema.', attr: 'mappings__0__inputs' });
  });
});

describe('inputs', () => {
  it("falls back to a required input's schema default only when nothing (or {}) is sent; an empty value is refused", async () => {
    const schema = [{ key: 'method', type: 'string', required: true, default: 'POST' }];
    expect((await create({ inputs_schema: schema })).inputs.method.value).toBe('POST');
    expect((await create({ inputs_schema: schema, inputs: { method: {} } })).inputs.method.value).toBe('POST');
    const blank = await api().post('hog_functions/', { hog: 'return 1', inputs_schema: schema, inputs: { method: { value: '' } } });
    expect(blank.body).toMatchObject({ detail: 'This field is required.', attr: 'inputs__method' });
  });

  it('copies the schema\'s templating onto the stored input: true → "hog", a string as it is, false → nothing', async () => {
    const f = await create({
      inputs_schema: [
        { key: 'a', type: 'string', templating: true },
        { key: 'b', type: 'string', templating: 'liquid' },
        { key: 'c', type: 'string', templating: false },
      ],
      inputs: { a: { value: 'x {event.event}' }, b: { value: 'x {{ event.event }}' }, c: { value: 'x {event.event}' } },
    });
    expect(f.inputs.a).toMatchObject({ templating: 'hog', bytecode: expect.any(Array) });
    expect(f.inputs.b.templating).toBe('liquid');
    expect(f.inputs.b).not.toHaveProperty('bytecode');
    expect(f.inputs.c).not.toHaveProperty('templating');
    expect(f.inputs.c).not.toHaveProperty('bytecode');
  });

  it('replaces inputs on a PATCH that sends them: plain keys left out are dropped, secrets are recovered by key', async () => {
    const f = await create({
      inputs_schema: [
        { key: 'url', type: 'string' },
        { key: 'extra', type: 'string' },
        { key: 'token', type: 'string', secret: true },
      ],
      inputs: { url: { value: 'https://x' }, extra: { value: 'kept?' }, token: { value: 's3cr3t' } },
    });
    const r = (await api().patch(`hog_functions/${f.id}/`, { inputs: { url: { value: 'https://y' } } })).body;
    expect(Object.keys(r.inputs).sort()).toEqual(['token', 'url']);
    expect(r.inputs.token).toEqual({ secret: true });
    expect(emu.project(1)?.hogFunctions[0]?.encrypted_inputs.token).toMatchObject({ value: 's3cr3t' });
  });

  it('bumps version only when the live config changes (a secret rotation does not count: revisions carry no secrets)', async () => {
    const f = await create({
      inputs_schema: [
        { key: 'url', type: 'string' },
        { key: 'token', type: 'string', secret: true },
      ],
      inputs: { url: { value: 'https://x' }, token: { value: 'one' } },
    });
    expect(f.version).toBe(1);
    expect(
      (await api().patch(`hog_functions/${f.id}/`, { inputs: { url: { value: 'https://x' }, token: { value: 'two' } } })).body.version,
    ).toBe(1);
    expect((await api().patch(`hog_functions/${f.id}/`, { inputs: { url: { value: 'https://z' } } })).body.version).toBe(2);
  });
});

describe('filters', () => {
  it('keeps only the lists each source can use, and drops top-level event/action filters when mappings are set', async () => {
    const events = await create({
      filters: { source: 'events', events: [{ id: '$pageview', type: 'events' }], data_warehouse: [{ table_name: 't' }] },
    });
    expect(events.filters).not.toHaveProperty('data_warehouse');
    const persons = await create({ filters: { source: 'person-updates', events: [{ id: '$pageview', type: 'events' }] } });
    expect(persons.filters).not.toHaveProperty('events');
    const mapped = await create({ filters: { events: [{ id: '$pageview', type: 'events' }], properties: [] }, mappings: [{ name: 'M' }] });
    expect(mapped.filters).not.toHaveProperty('events');
    expect(mapped.filters).toHaveProperty('properties');
  });

  it('drops the "Select a table" placeholder from data_warehouse filters (HogFunctionFiltersSerializer.validate, posthog/cdp/validation.py)', async () => {
    const picked = { id: 'w1', name: 'orders', type: 'data_warehouse' };
    const f = await create({
      filters: { source: 'data-warehouse-table', data_warehouse: [{ id: 'w0', name: 'Select a table', type: 'data_warehouse' }, picked] },
    });
    expect((f.filters as { data_warehouse: unknown[] }).data_warehouse).toEqual([picked]);
  });

  it('refuses an update that keeps a function filtering on a managed alert event (attr filters)', async () => {
    const r = await api().post('hog_functions/', {
      hog: 'return 1',
      type: 'internal_destination',
      filters: { events: [{ id: '$logs_alert_firing', type: 'events' }] },
    });
    expect(r.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'Alert notification destinations are managed through the alert API.',
      attr: 'filters',
    });
  });
});

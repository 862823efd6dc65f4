import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { project, start } from './helpers.js';

let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({ seed: { projects: [{ id: 1, name: 'Test', actions: [{ id: 5, name: 'Signed up' }] }] } });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const SECRET_SCHEMA = [
  { key: 'url', type: 'string', required: true },
  { key: 'token', type: 'string', secret: true },
];

async function create(body: Record<string, unknown>) {
  const r = await api().post('hog_functions/', { hog: "fetch(inputs.url, {'method': 'POST'})", ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe('hog functions: fields and serializers', () => {
  it('returns the full serializer on create and retrieve, without write-only deleted/template_id', async () => {
    const f = await create({ name: 'Hook' });
    expect(Object.keys(f)).toEqual([
      'id',
      'type',
      'name',
      'description',
      'created_at',
      'created_by',
      'updated_at',
      'enabled',
      'hog',
      'bytecode',
      'transpiled',
      'inputs_schema',
      'inputs',
      'filters',
      'masking',
      'mappings',
      'icon_url',
      'template',
      'status',
      'execution_order',
      'batch_export_id',
      'version',
      'draft',
      'draft_updated_at',
    ]);
    expect(f).toMatchObject({ version: 1, draft: null, draft_updated_at: null });
    expect((await api().get(`hog_functions/${f.id}/`)).body).toEqual(f);
  });

  it('stamps created_at/updated_at to the microsecond, never two alike (auto_now_add/auto_now in posthog/models/hog_functions/hog_function.py)', async () => {
    const made = await Promise.all(Array.from({ length: 5 }, (_, i) => create({ name: `Burst ${i}` })));
    const stamps = made.map((f) => String((f as { updated_at: string }).updated_at));
    for (const t of stamps) expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    expect(new Set(stamps).size).toBe(5);
  });

  it('lists with the minimal serializer unless full=true', async () => {
    await create({ name: 'Hook' });
    const minimal = (await api().get('hog_functions/')).body.results[0];
    expect(Object.keys(minimal).sort()).toEqual([
      'created_at',
      'created_by',
      'description',
      'draft_updated_at',
      'enabled',
      'execution_order',
      'filters',
      'hog',
      'icon_url',
      'id',
      'name',
      'status',
      'template',
      'type',
      'updated_at',
    ]);
    const full = (await api().get('hog_functions/?full=true')).body.results[0];
    expect(full).toHaveProperty('inputs');
    expect(full).toHaveProperty('bytecode');
  });

  it('defaults type to destination and refuses to change it (400 "Cannot modify the type of an existing function", attr type)', async () => {
    const f = await create({});
    expect(f.type).toBe('destination');
    const r = await api().patch(`hog_functions/${f.id}/`, { type: 'transformation' });
    expect(r.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'Cannot modify the type of an existing function',
      attr: 'type',
    });
    expect((await api().patch(`hog_functions/${f.id}/`, { type: 'destination', name: 'same type' })).status).toBe(200);
  });

  it('defaults enabled to false and reports status {state:0,tokens:0} when disabled, state 1 when enabled', async () => {
    const f = await create({});
    expect(f.enabled).toBe(false);
    expect(f.status).toEqual({ state: 0, tokens: 0 });
    const on = (await api().patch(`hog_functions/${f.id}/`, { enabled: true })).body;
    expect(on.status.state).toBe(1);
  });

  it('treats deleted as write-only soft delete like insights, and answers DELETE 405 with an empty body', async () => {
    const f = await create({});
    const d = await api().patch(`hog_functions/${f.id}/`, { deleted: true });
    expect(d.status).toBe(200);
    expect(d.body).not.toHaveProperty('deleted');
    expect((await api().get(`hog_functions/${f.id}/`)).status).toBe(404);
    expect((await api().patch(`hog_functions/${f.id}/`, { name: 'x' })).status).toBe(404);
    expect((await api().get('hog_functions/')).body.count).toBe(0);
    expect((await api().patch(`hog_functions/${f.id}/`, { deleted: false })).status).toBe(200);
    expect((await api().get(`hog_functions/${f.id}/`)).status).toBe(200);
    const del = await api().del(`hog_functions/${f.id}/`);
    expect(del.status).toBe(405);
    expect(del.text).toBe('');
  });

  it('ignores unknown keys', async () => {
    const f = await create({ wat: 1, bytecode: ['nope'] });
    expect(f).not.toHaveProperty('wat');
    expect(f.bytecode).not.toEqual(['nope']);
  });
});

describe('hog functions: hog code', () => {
  it('trims hog and compiles it to (stand-in) bytecode that is stable for the same code', async () => {
    const a = await create({ hog: '\n  return event  \n' });
    const b = await create({ hog: 'return event' });
    expect(a.hog).toBe('return event');
    expect(a.bytecode).toEqual(b.bytecode);
    expect(a.bytecode.slice(0, 2)).toEqual(['_H', 1]);
    expect(a.transpiled).toBeNull();
  });

  it('answers code that does not parse 400 attr hog "Hog code has errors."', async () => {
    const r = await api().post('hog_functions/', { hog: 'let x := ;' });
    expect(r.body).toEqual({ type: 'validation_error', code: 'invalid_input', detail: 'Hog code has errors.', attr: 'hog' });
  });

  it('requires hog on create unless a template supplies it, and caps it at 100 KB', async () => {
    expect((await api().post('hog_functions/', { name: 'x' })).body).toMatchObject({ attr: 'hog', detail: 'Required.' });
    const big = await api().post('hog_functions/', { hog: `// ${'x'.repeat(100 * 1024)}\nreturn 1` });
    expect(big.body).toMatchObject({ attr: 'hog', detail: expect.stringContaining('exceeds maximum size of 100KB') });
  });

  it('transpiles site types instead of compiling bytecode', async () => {
    const f = await create({ type: 'site_app', hog: 'export function onLoad() {}' });
    expect(f.bytecode).toBeNull();
    expect(typeof f.transpiled).toBe('string');
  });
});

describe('hog functions: inputs_schema and inputs', () => {
  it('validates inputs_schema items (type choices, key required) and stores them with required/secret/hidden defaults', async () => {
    const f = await create({
      inputs_schema: [{ key: 'url', type: 'string', label: 'URL', placeholder: 'dropped' }],
      inputs: { url: { value: 'https://x' } },
    });
    expect(f.inputs_schema).toEqual([{ type: 'string', key: 'url', label: 'URL', required: false, secret: false, hidden: false }]);
    const noKey = await api().post('hog_functions/', { hog: 'return 1', inputs_schema: [{ type: 'string' }] });
    expect(noKey.body).toMatchObject({ code: 'required', attr: 'inputs_schema__0__key' });
  });

  it('drops inputs not in the schema; a missing required input falls back to its default or is 400 inputs__<key>', async () => {
    const f = await create({
      inputs_schema: [
        { key: 'url', type: 'string', required: true },
        { key: 'method', type: 'string', required: true, default: 'POST' },
      ],
      inputs: { url: { value: 'https://x' }, stray: { value: 1 } },
    });
    expect(Object.keys(f.inputs)).toEqual(['url', 'method']);
    expect(f.inputs.method.value).toBe('POST');
    const r = await api().post('hog_functions/', {
      hog: 'return 1',
      inputs_schema: [{ key: 'url', type: 'string', required: true }],
      inputs: { url: { value: '' } },
    });
    expect(r.body).toEqual({ type: 'validation_error', code: 'invalid_input', detail: 'This field is required.', attr: 'inputs__url' });
    const typed = await api().post('hog_functions/', {
      hog: 'return 1',
      inputs_schema: [{ key: 'n', type: 'number' }],
      inputs: { n: { value: 'three' } },
    });
    expect(typed.body).toMatchObject({ detail: 'Value must be a number.', attr: 'inputs__n' });
  });

  it('compiles templated string inputs to bytecode and orders inputs topologically by their {inputs.x} dependencies', async () => {
    const f = await create({
      inputs_schema: [
        { key: 'full', type: 'string' },
        { key: 'host', type: 'string' },
        { key: 'path', type: 'string' },
      ],
      inputs: {
        full: { value: '{inputs.host}/{inputs.path}' },
        host: { value: 'https://example.com' },
        path: { value: 'hook/{event.event}' },
      },
    });
    expect(Object.keys(f.inputs)).toEqual(['host', 'path', 'full']);
    expect(f.inputs.host).toEqual({ value: 'https://example.com', bytecode: ['_H', 1, 32, 'https://example.com'], order: 0 });
    expect(f.inputs.path.order).toBe(1);
    expect(f.inputs.full.order).toBe(2);
    expect(f.inputs.path.bytecode).toEqual(['_H', 1, 32, 'event', 32, 'event', 1, 2, 32, 'hook/', 2, 'concat', 2]);
    const bad = await api().post('hog_functions/', {
      hog: 'return 1',
      inputs_schema: [{ key: 'a', type: 'string' }],
      inputs: { a: { value: 'oops {' } },
    });
    expect(bad.body).toMatchObject({ attr: 'inputs__a', detail: expect.stringMatching(/^Invalid template: /) });
    const cycle = await api().post('hog_functions/', {
      hog: 'return 1',
      inputs_schema: [
        { key: 'a', type: 'string' },
        { key: 'b', type: 'string' },
      ],
      inputs: { a: { value: '{inputs.b}' }, b: { value: '{inputs.a}' } },
    });
    expect(cycle.body).toMatchObject({ attr: 'inputs', detail: 'Circular dependency detected in input_deps.' });
  });
});

describe('hog functions: secrets', () => {
  it('stores secret inputs apart (encrypted in PostHog) and reads them back as {"secret": true}', async () => {
    const f = await create({ inputs_schema: SECRET_SCHEMA, inputs: { url: { value: 'https://x' }, token: { value: 'Bearer s3cr3t' } } });
    expect(f.inputs.token).toEqual({ secret: true });
    expect(JSON.stringify(f)).not.toContain('s3cr3t');
    const raw = emu.project(1)?.hogFunctions[0];
    expect(raw?.encrypted_inputs.token).toMatchObject({ value: 'Bearer s3cr3t' });
    expect(raw?.inputs).not.toHaveProperty('token');
  });

  it('keeps the stored secret when {}, nothing, {"secret": true} or {"secret": true, "value": "********"} is sent; another value rotates it', async () => {
    const f = await create({ inputs_schema: SECRET_SCHEMA, inputs: { url: { value: 'https://x' }, token: { value: 'one' } } });
    const stored = () => (emu.project(1)?.hogFunctions[0]?.encrypted_inputs.token as { value: string } | undefined)?.value;
    for (const token of [{}, undefined, { secret: true }, { secret: true, value: '********' }]) {
      const inputs = token === undefined ? { url: { value: 'https://x' } } : { url: { value: 'https://x' }, token };
      const r = await api().patch(`hog_functions/${f.id}/`, { inputs });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.inputs.token).toEqual({ secret: true });
      expect(stored()).toBe('one');
    }
    await api().patch(`hog_functions/${f.id}/`, { inputs: { url: { value: 'https://x' }, token: { value: 'two' } } });
    expect(stored()).toBe('two');
    // A bare mask without the secret marker would store the mask itself: refused (posthog/cdp/validation.py).
    const bare = await api().patch(`hog_functions/${f.id}/`, { inputs: { url: { value: 'https://x' }, token: { value: '********' } } });
    expect(bare.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'This secret input was not updated correctly. Enter the value again.',
      attr: 'inputs__token',
    });
    expect(stored()).toBe('two');
  });

  it('answers the secret marker with nothing stored 400 "No value is saved for this secret input. Enter the value again."', async () => {
    const r = await api().post('hog_functions/', {
      hog: 'return 1',
      inputs_schema: SECRET_SCHEMA,
      inputs: { url: { value: 'https://x' }, token: { secret: true } },
    });
    expect(r.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'No value is saved for this secret input. Enter the value again.',
      attr: 'inputs__token',
    });
    const masked = await api().post('hog_functions/', {
      hog: 'return 1',
      inputs_schema: SECRET_SCHEMA,
      inputs: { url: { value: 'https://x' }, token: { value: '********' } },
    });
    expect(masked.body.attr).toBe('inputs__token');
  });

  it('keeps every input, secret or not, on a PATCH without inputs', async () => {
    const f = await create({ inputs_schema: SECRET_SCHEMA, inputs: { url: { value: 'https://x' }, token: { value: 'one' } } });
    const r = (await api().patch(`hog_functions/${f.id}/`, { name: 'Renamed' })).body;
    expect(r.inputs).toEqual(f.inputs);
    expect(emu.project(1)?.hogFunctions[0]?.encrypted_inputs.token).toMatchObject({ value: 'one' });
  });
});

describe('hog functions: filters, masking, mappings', () => {
  it('defaults filters.source to events and adds compiled bytecode on save', async () => {
    const f = await create({ filters: { events: [{ id: '$pageview', name: '$pageview', type: 'events', order: 0 }], unknown_key: 1 } });
    expect(f.filters).toMatchObject({ source: 'events', events: [{ id: '$pageview' }], bytecode: expect.any(Array) });
    expect(f.filters).not.toHaveProperty('unknown_key');
    const none = await create({});
    expect(none.filters).toMatchObject({ source: 'events', bytecode: expect.any(Array) });
  });

  it('records bytecode_error for an action id missing in the project: saved while disabled, 400 "Invalid filter configuration: ..." when enabled', async () => {
    const filters = { actions: [{ id: 404, name: 'Missing', type: 'actions', order: 0 }] };
    const off = await create({ filters });
    expect(off.filters).toMatchObject({ bytecode: null, bytecode_error: 'Action matching query does not exist.' });
    const on = await api().post('hog_functions/', { hog: 'return 1', enabled: true, filters });
    expect(on.status).toBe(400);
    expect(on.body).toMatchObject({ code: 'invalid_input', detail: 'Invalid filter configuration: Action matching query does not exist.' });
    const known = await create({ enabled: true, filters: { actions: [{ id: 5, name: 'Signed up', type: 'actions', order: 0 }] } });
    expect(known.filters).not.toHaveProperty('bytecode_error');
  });

  it('validates masking (ttl 60..86400, hash required) and compiles the hash', async () => {
    const f = await create({ masking: { ttl: 3600, hash: '{person.id}', threshold: null } });
    expect(f.masking).toMatchObject({ ttl: 3600, hash: '{person.id}', threshold: null, bytecode: expect.any(Array) });
    expect((await api().post('hog_functions/', { hog: 'return 1', masking: { ttl: 59, hash: 'x' } })).body).toMatchObject({
      code: 'min_value',
      attr: 'masking__ttl',
    });
    expect((await api().post('hog_functions/', { hog: 'return 1', masking: { ttl: 86401, hash: 'x' } })).body).toMatchObject({
      code: 'max_value',
      attr: 'masking__ttl',
    });
    expect((await api().post('hog_functions/', { hog: 'return 1', masking: { ttl: 60 } })).body).toMatchObject({
      code: 'required',
      attr: 'masking__hash',
    });
  });

  it('allows mappings only for destination and site_destination', async () => {
    const ok = await create({
      mappings: [{ name: 'Signups', inputs_schema: [{ key: 'x', type: 'string' }], inputs: { x: { value: '{event.event}' } } }],
    });
    expect(ok.mappings[0].inputs.x).toMatchObject({ value: '{event.event}', order: 0 });
    const bad = await api().post('hog_functions/', { type: 'transformation', hog: 'return event', mappings: [{ name: 'x' }] });
    expect(bad.body).toMatchObject({ attr: 'mappings', detail: 'Mappings are only allowed for destinations.' });
  });
});

describe('hog functions: templates and ordering', () => {
  it('fills name, description, hog, inputs_schema and icon_url from template_id on create; template_id is write-only and reads back as template', async () => {
    const f = await create({ hog: undefined, template_id: 'template-webhook', inputs: { url: { value: 'https://x' } } });
    expect(f).toMatchObject({ name: 'HTTP Webhook', icon_url: '/static/services/webhook.svg' });
    expect(f.hog).toContain('fetch(inputs.url');
    expect(f.inputs_schema.map((s: { key: string }) => s.key)).toContain('auth_header');
    expect(f).not.toHaveProperty('template_id');
    expect(f.template).toMatchObject({ id: 'template-webhook', type: 'destination', code_language: 'hog' });
    expect((await create({})).template).toBeNull();
  });

  it('answers an unknown template_id 400 attr template_id, and forces the stored template_id on update', async () => {
    const bad = await api().post('hog_functions/', { template_id: 'template-nope' });
    expect(bad.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: "No template found for id 'template-nope'",
      attr: 'template_id',
    });
    const f = await create({ template_id: 'template-webhook', inputs: { url: { value: 'https://x' } } });
    const r = await api().patch(`hog_functions/${f.id}/`, { template_id: 'template-slack' });
    expect(r.body.template.id).toBe('template-webhook');
  });

  it('gives a new transformation execution_order max+1 when it is omitted', async () => {
    const a = await create({ type: 'transformation', hog: 'return event' });
    const b = await create({ type: 'transformation', hog: 'return event' });
    const c = await create({ type: 'transformation', hog: 'return event', execution_order: 7 });
    const d = await create({ type: 'transformation', hog: 'return event' });
    expect([a.execution_order, b.execution_order, c.execution_order, d.execution_order]).toEqual([1, 2, 7, 8]);
    expect((await create({})).execution_order).toBeNull();
  });

  it('allows at most 20 enabled transformations (400 attr type); disabled ones are unlimited', async () => {
    for (let n = 0; n < 20; n++) await create({ type: 'transformation', hog: 'return event', enabled: true });
    const r = await api().post('hog_functions/', { type: 'transformation', hog: 'return event', enabled: true });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ attr: 'type', detail: expect.stringContaining('Maximum of 20 enabled transformation functions') });
    expect((await api().post('hog_functions/', { type: 'transformation', hog: 'return event' })).status).toBe(201);
  });

  it('filters the list by type (comma list), enabled and search, ordered by execution_order then -updated_at', async () => {
    await create({ name: 'Webhook to CRM' });
    await create({ name: 'Second transformation', type: 'transformation', hog: 'return event', execution_order: 2, enabled: true });
    await create({ name: 'First transformation', type: 'transformation', hog: 'return event', execution_order: 1 });
    await create({ name: 'Site app', type: 'site_app', hog: 'export function onLoad() {}' });
    const names = async (q: string) => (await api().get(`hog_functions/${q}`)).body.results.map((f: { name: string }) => f.name);
    expect(await names('?type=transformation')).toEqual(['First transformation', 'Second transformation']);
    expect(await names('?type=destination,site_app')).toEqual(['Site app', 'Webhook to CRM']);
    expect(await names('?enabled=true')).toEqual(['Second transformation']);
    expect(await names('?search=crm')).toEqual(['Webhook to CRM']);
  });
});

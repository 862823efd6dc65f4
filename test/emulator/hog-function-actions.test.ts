import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { call, project, start } from './helpers.js';

let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({ seed: { projects: [{ id: 1, name: 'Test' }] } });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function create(body: Record<string, unknown>) {
  const r = await api().post('hog_functions/', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

const WEBHOOK = {
  hog: "let res := fetch(inputs.url, {'method': 'POST', 'headers': {'Authorization': inputs.token}, 'body': {'event': event.event}})\nprint('sent', res.status)",
  inputs_schema: [
    { key: 'url', type: 'string', required: true },
    { key: 'token', type: 'string', secret: true },
  ],
  inputs: { url: { value: 'https://hooks.example.com/{event.event}' }, token: { value: 'Bearer stored-secret' } },
};

describe('rearrange', () => {
  it('PATCH rearrange {"orders": {uuid: n}} answers a bare array of every non-deleted function of that type, full serializer', async () => {
    const a = await create({ type: 'transformation', name: 'A', hog: 'return event' });
    const b = await create({ type: 'transformation', name: 'B', hog: 'return event' });
    const c = await create({ type: 'transformation', name: 'C', hog: 'return event' });
    await api().patch(`hog_functions/${c.id}/`, { deleted: true });
    const r = await api().patch('hog_functions/rearrange/', { orders: { [a.id]: 2, [b.id]: 1 } });
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body)).toBe(true);
    expect(r.body.map((f: { name: string; execution_order: number }) => [f.name, f.execution_order])).toEqual([
      ['B', 1],
      ['A', 2],
    ]);
    expect(r.body[0]).toHaveProperty('inputs');
  });

  it('answers empty orders 400 "No orders provided" and an unknown id 400 "HogFunction with id X does not exist"', async () => {
    const empty = await api().patch('hog_functions/rearrange/', { orders: {} });
    expect(empty.body).toEqual({ type: 'validation_error', code: 'invalid_input', detail: 'No orders provided', attr: null });
    const dest = await create({ hog: 'return 1' });
    const unknown = await api().patch('hog_functions/rearrange/', { orders: { [dest.id]: 1 } });
    expect(unknown.body.detail).toBe(`HogFunction with id ${dest.id} does not exist`);
  });
});

describe('invocations', () => {
  it('tests an unsaved configuration on id "new": {status, result, errors, logs} with a log line per mocked fetch', async () => {
    const r = await api().post('hog_functions/new/invocations/', {
      configuration: WEBHOOK,
      globals: { event: { uuid: 'e-1', event: 'signed_up', distinct_id: 'u1', properties: {}, url: '' } },
      mock_async_functions: true,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'success', errors: [] });
    expect(Object.keys(r.body).sort()).toEqual(['errors', 'logs', 'result', 'status']);
    const messages = r.body.logs.map((l: { message: string }) => l.message);
    expect(messages).toContain("Async function 'fetch' was mocked with arguments:");
    expect(messages.find((m: string) => m.startsWith('fetch('))).toContain("fetch('https://hooks.example.com/signed_up'");
    expect(messages).toContain('sent 200');
    for (const l of r.body.logs) expect(Object.keys(l).sort()).toEqual(['level', 'message', 'timestamp']);
  });

  it('recovers secret inputs from the stored function when the configuration sends the marker', async () => {
    const f = await create(WEBHOOK);
    const r = await api().post(`hog_functions/${f.id}/invocations/`, {
      configuration: { ...WEBHOOK, inputs: { url: WEBHOOK.inputs.url, token: { secret: true } } },
      globals: { event: { uuid: 'e-2', event: 'upgraded', properties: {} } },
    });
    expect(r.status).toBe(200);
    expect(r.body.logs.map((l: { message: string }) => l.message).join('\n')).toContain('Bearer stored-secret');
  });

  it('accepts a clickhouse_event instead of globals', async () => {
    const r = await api().post('hog_functions/new/invocations/', {
      configuration: WEBHOOK,
      clickhouse_event: {
        uuid: 'e-3',
        event: 'signed_up',
        distinct_id: 'u',
        properties: '{"plan": "pro"}',
        timestamp: '2025-01-01 00:00:00',
      },
    });
    expect(r.body.status).toBe('success');
  });

  it('answers an invalid body 400 with raw DRF errors, not the envelope', async () => {
    const missing = await api().post('hog_functions/new/invocations/', { globals: { event: {} } });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ configuration: ['This field is required.'] });
    const bad = await api().post('hog_functions/new/invocations/', { configuration: { hog: 'let := 1' }, globals: { event: {} } });
    expect(bad.body).toEqual({ configuration: { hog: ['Hog code has errors.'] } });
  });

  it('answers a type that cannot be tested 400 "Invalid function type"', async () => {
    const r = await api().post('hog_functions/new/invocations/', {
      configuration: { type: 'site_app', hog: 'export function onLoad() {}' },
      globals: { event: {} },
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'error', errors: ['Invalid function type'] });
  });

  it('returns the event from a transformation and reports thrown errors as status error', async () => {
    const t = await api().post('hog_functions/new/invocations/', {
      configuration: { type: 'transformation', hog: "let e := event\ne.properties.$ip := '0.0.0.0'\nreturn e" },
      globals: { event: { uuid: 'e', event: 'x', properties: { $ip: '1.2.3.4' } } },
    });
    expect(t.body.result).toMatchObject({ properties: { $ip: '0.0.0.0' } });
    const err = await api().post('hog_functions/new/invocations/', {
      configuration: { hog: "throw Error('nope')" },
      globals: { event: { uuid: 'e', event: 'x', properties: {} } },
    });
    expect(err.body).toMatchObject({ status: 'error', errors: ['nope'] });
  });
});

describe('logs and metrics', () => {
  let fnId = '';
  beforeEach(async () => {
    fnId = (await create({ hog: 'return 1' })).id;
    const res = await call(emu, 'POST', `/_emulator/projects/1/hog_functions/${fnId}/logs`, [
      { timestamp: '2025-01-01T10:00:00Z', level: 'info', message: 'Executing function', instance_id: 'i1' },
      { timestamp: '2025-01-01T10:00:01Z', level: 'error', message: 'Webhook failed with status 500', instance_id: 'i1' },
      { timestamp: '2025-01-02T10:00:00Z', level: 'debug', message: 'Executing function', instance_id: 'i2' },
      { timestamp: '2025-01-03T10:00:00Z', level: 'warn', message: 'Slow response', instance_id: 'i3' },
    ]);
    expect(res.body).toEqual({ added: 4 });
  });

  it('serves logs newest first in the LimitOffset envelope with upper-case levels, filtered by level, search, after, before and limit', async () => {
    const all = (await api().get(`hog_functions/${fnId}/logs/`)).body;
    expect(all).toMatchObject({ count: 4, next: null, previous: null });
    expect(all.results[0]).toEqual({
      log_source_id: fnId,
      instance_id: 'i3',
      timestamp: '2025-01-03T10:00:00Z',
      level: 'WARN',
      message: 'Slow response',
    });
    // `level` is a list (LogEntryRequestSerializer, posthog/api/log_entries.py): repeated, not comma-separated.
    const levels = (await api().get(`hog_functions/${fnId}/logs/?level=error&level=Warn`)).body.results.map(
      (r: { level: string }) => r.level,
    );
    expect(levels).toEqual(['WARN', 'ERROR']);
    expect((await api().get(`hog_functions/${fnId}/logs/?search=WEBHOOK`)).body.count).toBe(1);
    expect((await api().get(`hog_functions/${fnId}/logs/?after=2025-01-02T00:00:00Z&before=2025-01-03T00:00:00Z`)).body.count).toBe(1);
    expect((await api().get(`hog_functions/${fnId}/logs/?limit=2`)).body.results).toHaveLength(2);
    const tooMany = await api().get(`hog_functions/${fnId}/logs/?limit=501`);
    expect(tooMany.body).toMatchObject({ code: 'max_value', attr: 'limit' });
    expect((await api().get(`hog_functions/${fnId}/logs/?limit=0`)).body).toMatchObject({ code: 'min_value', attr: 'limit' });
  });

  it('buckets seeded metrics into {labels, series} by interval, broken down by kind (default) or name, filtered by name/kind', async () => {
    await call(emu, 'POST', `/_emulator/projects/1/hog_functions/${fnId}/metrics`, [
      { timestamp: '-2h', name: 'succeeded', kind: 'success', count: 5 },
      { timestamp: '-1h', name: 'succeeded', kind: 'success', count: 2 },
      { timestamp: '-1h', name: 'failed', kind: 'failure', count: 1 },
      { timestamp: '-30d', name: 'succeeded', kind: 'success', count: 100 },
    ]);
    const byKind = (await api().get(`hog_functions/${fnId}/metrics/`)).body;
    expect(byKind.labels).toHaveLength(8);
    expect(byKind.labels[0]).toMatch(/^\d{4}-\d\d-\d\d$/);
    const total = (name: string) =>
      byKind.series.find((s: { name: string }) => s.name === name).values.reduce((a: number, b: number) => a + b, 0);
    expect(total('success')).toBe(7);
    expect(total('failure')).toBe(1);
    const hourly = (await api().get(`hog_functions/${fnId}/metrics/?interval=hour&after=-3h&breakdown_by=name&name=succeeded`)).body;
    expect(hourly.labels[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00$/);
    expect(hourly.series.map((s: { name: string }) => s.name)).toEqual(['succeeded']);
    expect((await api().get(`hog_functions/${fnId}/metrics/?interval=minute`)).body).toMatchObject({
      code: 'invalid_choice',
      attr: 'interval',
    });
  });

  it('sums metrics/totals per breakdown over the last 7 days by default', async () => {
    await call(emu, 'POST', `/_emulator/projects/1/hog_functions/${fnId}/metrics`, [
      { timestamp: '-1h', name: 'succeeded', kind: 'success', count: 3 },
      { timestamp: '-2d', name: 'filtered', kind: 'other', count: 9 },
      { timestamp: '-30d', name: 'succeeded', kind: 'success', count: 100 },
    ]);
    expect((await api().get(`hog_functions/${fnId}/metrics/totals/`)).body).toEqual({ totals: { success: 3, other: 9 } });
    expect((await api().get(`hog_functions/${fnId}/metrics/totals/?breakdown_by=name&kind=success&after=-60d`)).body).toEqual({
      totals: { succeeded: 103 },
    });
  });
});

describe('icons and templates', () => {
  it('lists icons matching ?query= with @current icon urls, and [] without a query', async () => {
    const r = await api().get('hog_functions/icons/?query=slack');
    expect(r.body).toEqual([{ id: 'slack.com', name: 'Slack', url: '/api/projects/@current/hog_functions/icon/?id=slack.com' }]);
    expect((await api().get('hog_functions/icons/')).body).toEqual([]);
  });

  it('serves icon?id= as PNG bytes, 400 without id, 404 for an unknown domain', async () => {
    const res = await fetch(`${emu.url}/api/projects/1/hog_functions/icon/?id=slack.com`, {
      headers: { Authorization: 'Bearer phx_fake_hogsync_dev_key' },
    });
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect((await api().get('hog_functions/icon/')).body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'id is required',
      attr: null,
    });
    expect((await api().get('hog_functions/icon/?id=nope.example')).status).toBe(404);
  });

  it('lists hog function templates filtered by type (default destination), with template_id usable on create', async () => {
    const dest = (await api().get('hog_function_templates/')).body;
    expect(dest.results.map((t: { id: string }) => t.id)).toEqual(['template-webhook', 'template-slack']);
    const slack = dest.results[1];
    expect(slack.inputs_schema.find((s: { key: string }) => s.key === 'slack_workspace')).toMatchObject({
      type: 'integration',
      integration: 'slack',
    });
    const tr = (await api().get('hog_function_templates/?type=transformation')).body.results.map((t: { name: string }) => t.name);
    expect(tr).toEqual(['GeoIP', 'IP Anonymization', 'URL Masking']);
    expect((await api().get('hog_function_templates/template-url-masking/')).body.type).toBe('transformation');
    const created = await create({ type: 'transformation', template_id: 'template-url-masking' });
    expect(created.inputs.urlProperties.value).toContain('$current_url');
  });
});

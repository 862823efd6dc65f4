// Ported from PostHog's products/cdp/backend/api/test/test_hog_function.py (TestLogTransformationAPI)
// and test_hog_function_drafts.py (the base_updated_at guard, as a plain API key sees it).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { project, start } from '../helpers.js';

let emu: Emulator;
const api = (id = 1) => project(emu, id);

beforeAll(async () => {
  // Project 2 models a team without the logs-transformations flag PostHog gates creation on;
  // project 3 a PostHog from before hog-function drafts (hog_function.py at 97b1610).
  emu = await start({
    seed: {
      projects: [
        { id: 1, name: 'Flag on' },
        { id: 2, name: 'Flag off', feature_flags: [] },
        { id: 3, name: 'Before drafts', hog_function_drafts: false },
      ],
    },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const createLog = (extra: Record<string, unknown> = {}, projectId = 1) =>
  api(projectId).post('hog_functions/', {
    name: 'Log transformation',
    type: 'transformation_log',
    hog: 'return record',
    enabled: false,
    ...extra,
  });

describe('test_hog_function.py: TestLogTransformationAPI', () => {
  it('test_hog_function.py::test_create_log_transformation', async () => {
    const r = await createLog();
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ type: 'transformation_log', execution_order: 1 });
  });

  it('test_hog_function.py::test_creation_blocked_without_feature_flag — other types are not gated', async () => {
    const r = await createLog({}, 2);
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('Log transformations are not enabled for this team');
    expect(
      (await api(2).post('hog_functions/', { name: 'Event transformation', type: 'transformation', hog: 'return event', enabled: false }))
        .status,
    ).toBe(201);
  });

  it('test_hog_function.py::test_execution_order_is_scoped_per_type', async () => {
    const event = await api().post('hog_functions/', {
      name: 'Event transformation',
      type: 'transformation',
      hog: 'return event',
      enabled: false,
    });
    expect(event.body.execution_order).toBe(1);
    expect((await createLog()).body.execution_order).toBe(1);
    expect((await createLog({ name: 'Second log transformation' })).body.execution_order).toBe(2);
  });

  it('test_hog_function.py::test_limits_enabled_log_transformations_per_team', async () => {
    for (let i = 0; i < 5; i++) expect((await createLog({ name: `Enabled log transformation ${i}`, enabled: true })).status).toBe(201);
    const over = await createLog({ name: 'One too many', enabled: true });
    expect(over.status).toBe(400);
    expect(over.body.detail).toContain('Maximum of 5 enabled transformation log functions');
    expect((await createLog({ name: 'Disabled is fine', enabled: false })).status).toBe(201);
  });

  it('test_hog_function.py::test_restoring_deleted_enabled_log_transformation_counts_against_cap', async () => {
    const first = (await createLog({ name: 'Original', enabled: true })).body;
    expect((await api().patch(`hog_functions/${first.id}/`, { deleted: true })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await createLog({ name: `Replacement ${i}`, enabled: true })).status).toBe(201);
    const restore = await api().patch(`hog_functions/${first.id}/`, { deleted: false });
    expect(restore.status).toBe(400);
    expect(restore.body.detail).toContain('Maximum of 5 enabled transformation log functions');
    expect((await api().patch(`hog_functions/${first.id}/`, { deleted: false, enabled: false })).status).toBe(200);
    expect(
      (await api().post('hog_functions/', { name: 'Event transformation', type: 'transformation', hog: 'return event', enabled: true }))
        .status,
    ).toBe(201);
  });

  it.each([
    ['with_event_filter', { events: [{ id: '$pageview', type: 'events', order: 0 }] }, 400],
    ['empty', {}, 201],
  ])('test_hog_function.py::test_filters_rejected_unless_empty (%s)', async (_name, filters, status) => {
    expect((await createLog({ filters })).status).toBe(status);
  });

  it.each([
    ['fetch', "fetch('https://example.com')\nreturn record"],
    ['postHogCapture', 'postHogCapture({})\nreturn record'],
    ['event_global', 'return event'],
    ['person_global', 'let e := person.properties.email\nreturn record'],
  ])('test_hog_function.py::test_rejects_async_functions_and_unavailable_globals_in_hog_code (%s)', async (_name, hog) => {
    const r = await createLog({ hog });
    expect(r.status).toBe(400);
    expect(r.body.attr).toBe('hog');
  });

  it('test_hog_function.py::test_allows_locals_loops_and_lambdas_in_hog_code', async () => {
    const hog =
      "fun redact(value) { return replaceAll(value, 'x', 'y') }\nlet rec := record\nfor (let key, value in rec.attributes) {\n    rec.attributes[key] := redact(value)\n}\nlet mapped := arrayMap(x -> x, [1, 2])\nreturn rec";
    const r = await createLog({ hog });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });

  it('test_hog_function.py::test_rejects_inputs_referencing_event_globals', async () => {
    const r = await createLog({
      inputs_schema: [{ key: 'eid', type: 'string', required: false }],
      inputs: { eid: { value: 'event = {event.uuid}' } },
    });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('Variable not available in log transformations: event');
  });

  it('test_hog_function.py::test_allows_inputs_referencing_record_globals', async () => {
    const r = await createLog({
      inputs_schema: [{ key: 'svc', type: 'string', required: false }],
      inputs: { svc: { value: 'service = {record.service_name}' } },
    });
    expect(r.status).toBe(201);
  });

  it('test_hog_function.py::test_rearrange_log_transformations — the answer is that type, ordered by execution_order', async () => {
    const first = (await createLog({ name: 'A', enabled: true })).body;
    const second = (await createLog({ name: 'B', enabled: true })).body;
    const r = await api().patch('hog_functions/rearrange/', { orders: { [first.id]: 2, [second.id]: 1 } });
    expect(r.status).toBe(200);
    expect(r.body.map((f: { id: string }) => f.id)).toEqual([second.id, first.id]);
    expect(r.body.map((f: { execution_order: number }) => f.execution_order)).toEqual([1, 2]);
  });

  it('test_hog_function.py::test_rearrange_rejects_mixed_types', async () => {
    const log = (await createLog({ name: 'A', enabled: true })).body;
    const event = (await api().post('hog_functions/', { name: 'Event transformation', type: 'transformation', hog: 'return event' })).body;
    const r = await api().patch('hog_functions/rearrange/', { orders: { [log.id]: 1, [event.id]: 2 } });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('different types');
  });
});

describe('test_hog_function_drafts.py: optimistic concurrency for plain API keys', () => {
  const BASE = {
    name: 'Webhook',
    type: 'destination',
    hog: 'fetch(inputs.url);',
    enabled: true,
    inputs_schema: [{ key: 'url', type: 'string', required: true }],
    inputs: { url: { value: 'https://example.com/live' } },
  };

  it('test_hog_function_drafts.py::test_stale_base_updated_at_is_a_conflict (live_edit) — 409 stale_update, nothing written', async () => {
    const f = (await api().post('hog_functions/', BASE)).body;
    const r = await api().patch(`hog_functions/${f.id}/`, {
      hog: "fetch(inputs.url, {'method': 'PATCH'});",
      base_updated_at: '2020-01-01T00:00:00Z',
    });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ type: 'invalid_request', code: 'stale_update', attr: null });
    expect((await api().get(`hog_functions/${f.id}/`)).body.hog).toBe(BASE.hog);
  });

  it('test_hog_function_drafts.py::test_current_base_updated_at_is_accepted — adapted to a live edit with the updated_at last read', async () => {
    const f = (await api().post('hog_functions/', BASE)).body;
    const r = await api().patch(`hog_functions/${f.id}/`, {
      hog: "fetch(inputs.url, {'method': 'PATCH'});",
      base_updated_at: f.updated_at,
    });
    expect(r.status).toBe(200);
  });

  it('test_hog_function_drafts.py::test_no_revision_is_written (metadata_only, config_resent_unchanged) — version stays 1; a config change makes it 2', async () => {
    const f = (await api().post('hog_functions/', BASE)).body;
    expect((await api().patch(`hog_functions/${f.id}/`, { name: 'Renamed' })).body.version).toBe(1);
    expect((await api().patch(`hog_functions/${f.id}/`, { hog: BASE.hog, name: 'Renamed again' })).body.version).toBe(1);
    expect((await api().patch(`hog_functions/${f.id}/`, { hog: "fetch(inputs.url, {'method': 'PUT'});" })).body.version).toBe(2);
  });

  it('hog_function.py at 97b1610, before drafts: no version, draft or draft_updated_at in any answer, and base_updated_at dropped unread — a stale one writes', async () => {
    const f = (await api(3).post('hog_functions/', BASE)).body;
    const answers = [
      f,
      (await api(3).get(`hog_functions/${f.id}/`)).body,
      ...(await api(3).get('hog_functions/?full=true')).body.results,
      ...(await api(3).get('hog_functions/')).body.results,
    ];
    for (const a of answers) for (const field of ['version', 'draft', 'draft_updated_at']) expect(a).not.toHaveProperty(field);
    const r = await api(3).patch(`hog_functions/${f.id}/`, {
      hog: "fetch(inputs.url, {'method': 'PATCH'});",
      base_updated_at: '2020-01-01T00:00:00Z',
    });
    expect(r.status).toBe(200);
    expect(r.body.hog).toBe("fetch(inputs.url, {'method': 'PATCH'});");
    // Not even read: a value the newer serializer would refuse passes too.
    expect((await api(3).patch(`hog_functions/${f.id}/`, { name: 'Renamed', base_updated_at: 'yesterday' })).status).toBe(200);
  });
});

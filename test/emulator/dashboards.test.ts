// The dashboards API beyond PostHog's own tests: fields and their errors, list order, the newest
// serializer's delete/undelete (products/dashboards/backend/api/dashboard.py), partial writes,
// per-row latency, seeds and old state files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { tempDir } from '../helpers/temp.js';
import { call, DEV_API_KEY, project, start, trendsQuery, type Reply } from './helpers.js';

/** An answer's JSON, narrowed by each expect() (helpers.ts Reply). */
type Answer = Reply['body'];

let emu: Emulator;
const api = () => project(emu);
const READ_ONLY_KEY = 'phx_fake_insight_reader';

beforeAll(async () => {
  emu = await start({
    keys: [
      { key: DEV_API_KEY, scopes: ['*'] },
      { key: READ_ONLY_KEY, scopes: ['insight:read'] },
    ],
    seed: { projects: [{ id: 1, name: 'Test' }] },
  });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.clearRequests();
});

async function dashboard(body: Record<string, unknown>): Promise<Answer> {
  const r = await api().post('dashboards/', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const insight = async (body: Record<string, unknown>) => (await api().post('insights/', { query: trendsQuery(), ...body })).body;

describe('dashboard fields', () => {
  it.each([
    [{ name: 'x'.repeat(401) }, 'max_length', 'name', 'Ensure this field has no more than 400 characters.'],
    [{ description: null }, 'null', 'description', 'This field may not be null.'],
    [{ restriction_level: 99 }, 'invalid_choice', 'restriction_level', '"99" is not a valid choice.'],
    [{ quick_filter_ids: ['nope'] }, 'invalid_input', 'quick_filter_ids', 'Invalid UUID: nope'],
    [
      { quick_filter_ids: ['0190AAAA-5C1B-7000-8D2F-3C1A9E6B7F01'] },
      'invalid_input',
      'quick_filter_ids',
      'Quick filters not found: 0190aaaa-5c1b-7000-8d2f-3c1a9e6b7f01',
    ],
    [
      { last_accessed_at: 'yesterday' },
      'invalid_input',
      'last_accessed_at',
      'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
    ],
    [{ breakdown_colors: null }, 'null', 'breakdown_colors', 'This field may not be null.'],
    [{ use_dashboard: 'x' }, 'invalid_input', 'use_dashboard', 'A valid integer is required.'],
    [{ filters: 'x' }, 'invalid_input', null, 'Filters must be a dictionary'],
  ])('refuses %j with the first DRF error', async (body, code, attr, detail) => {
    const r = await api().post('dashboards/', body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ type: 'validation_error', code, detail, attr });
  });

  it('trims, stores datetimes in UTC, ignores read-only fields and tiles on create, and takes filters but not variables', async () => {
    const d = await dashboard({
      name: '  Sales ',
      last_accessed_at: '2024-01-02T03:04:05+02:00',
      creation_mode: 'template',
      team_id: 9,
      filters: { date_from: '-30d' },
      variables: { a: { code_name: 'a' } },
      tiles: [{ text: { body: 'ignored' } }],
    });
    expect(d).toMatchObject({
      name: 'Sales',
      last_accessed_at: '2024-01-02T01:04:05Z',
      creation_mode: 'default',
      team_id: 1,
      filters: { date_from: '-30d' },
      variables: {},
      persisted_variables: null,
      tiles: [],
    });
  });

  it('PATCH {filters: {}} keeps the filters; a non-dict variables says "Filters must be a dictionary"', async () => {
    const d = await dashboard({ filters: { date_from: '-7d' } });
    expect((await api().patch(`dashboards/${d.id}/`, { filters: {} })).body.filters).toEqual({ date_from: '-7d' });
    const r = await api().patch(`dashboards/${d.id}/`, { variables: ['x'] });
    expect(r.body).toMatchObject({ detail: 'Filters must be a dictionary', attr: null });
  });

  it('retrieve stamps last_accessed_at; a non-integer id is a 404; DELETE is 405 whatever the id', async () => {
    const d = await dashboard({ name: 'A' });
    expect(d.last_accessed_at).toBeNull();
    expect((await api().get(`dashboards/${d.id}/`)).body.last_accessed_at).toEqual(expect.any(String));
    expect((await api().get('dashboards/abc/')).status).toBe(404);
    expect((await api().del('dashboards/999/')).status).toBe(405);
  });

  it('needs the dashboard scope', async () => {
    const r = await api().get('dashboards/', { key: READ_ONLY_KEY });
    expect(r.status).toBe(403);
    expect(r.body.detail).toBe("API key missing required scope 'dashboard:read'");
  });
});

describe('dashboard list', () => {
  it('orders by -pinned then name, NULL names last; hides deleted and unlisted ones unless ?creation_mode asks; ?tags= repeats', async () => {
    emu.seed({ projects: [{ id: 1, name: 'Test', dashboards: [{ id: 10, name: 'hidden', creation_mode: 'unlisted' }] }] });
    await dashboard({ name: 'b' });
    await dashboard({});
    await dashboard({ name: 'a', tags: ['sales'] });
    await dashboard({ name: 'z', pinned: true, tags: ['ops'] });
    const gone = await dashboard({ name: 'gone' });
    await api().patch(`dashboards/${gone.id}/`, { deleted: true });
    const names = async (q = '') => (await api().get(`dashboards/${q}`)).body.results.map((d: { name: string | null }) => d.name);
    expect(await names()).toEqual(['z', 'a', 'b', null]);
    expect(await names('?creation_mode=unlisted')).toEqual(['hidden']);
    expect(await names('?tags=sales&tags=ops')).toEqual(['z', 'a']);
    expect(await names('?search=A')).toEqual(['a']);
    expect((await api().get('dashboards/?limit=1&offset=1')).body).toMatchObject({ count: 4, results: [{ name: 'a' }] });
    expect((await api().get('dashboards/?creation_mode=default')).body.results.every((d: object) => !('tiles' in d))).toBe(true);
  });

  it('draws ties of (pinned, name) in no particular order', async () => {
    for (let i = 0; i < 6; i++) await dashboard({ name: 'same' });
    const orders = new Set<string>();
    for (let i = 0; i < 10; i++) orders.add((await api().get('dashboards/')).body.results.map((d: { id: number }) => d.id).join(','));
    expect(orders.size).toBeGreaterThan(1);
  });
});

describe('soft delete and undelete (newest DashboardSerializer.update)', () => {
  it('undelete brings back every tile and restores every soft-deleted insight with a tile on it, however it was deleted', async () => {
    const d = await dashboard({ name: 'D' });
    const withDashboard = await insight({ name: 'only here', dashboards: [d.id] });
    const onItsOwn = await insight({ name: 'deleted itself', dashboards: [d.id] });
    await api().patch(`insights/${onItsOwn.id}/`, { deleted: true });
    await api().patch(`dashboards/${d.id}/`, { deleted: true, delete_insights: true });
    expect((await api().get(`insights/${withDashboard.id}/`)).status).toBe(404);
    const restored = await api().patch(`dashboards/${d.id}/`, { deleted: false });
    expect(restored.body.tiles.map((t: { insight: { id: number } }) => t.insight.id).sort()).toEqual(
      [withDashboard.id, onItsOwn.id].sort(),
    );
    expect((await api().get(`insights/${onItsOwn.id}/`)).body.deleted).toBe(false);
  });

  it('only a PATCH whose deleted reads false sees a soft-deleted dashboard; the delete answer has no tiles', async () => {
    const d = await dashboard({ name: 'D' });
    await insight({ dashboards: [d.id] });
    expect((await api().patch(`dashboards/${d.id}/`, { deleted: true })).body).toMatchObject({ deleted: true, tiles: [] });
    expect((await api().patch(`dashboards/${d.id}/`, { name: 'x' })).status).toBe(404);
    expect((await api().patch(`dashboards/${d.id}/`, { deleted: 'no' })).body).toMatchObject({
      deleted: false,
      tiles: [expect.any(Object)],
    });
  });

  it('a 400 after the tiles were deleted leaves them deleted (no transaction) and logs the write as committed; the row was not saved', async () => {
    const d = await dashboard({ name: 'D' });
    await insight({ dashboards: [d.id] });
    const r = await api().patch(`dashboards/${d.id}/`, { deleted: true, filters: ['bad'] });
    expect(r.status).toBe(400);
    expect(emu.requests().at(-1)).toMatchObject({ status: 400, committed: true });
    expect((await api().get(`dashboards/${d.id}/`)).body).toMatchObject({ deleted: false, tiles: [] });
  });
});

describe('latency and storage', () => {
  it('charges a dashboard answer 1 + its insight tiles at latencyPerItemMs', async () => {
    const d = await dashboard({ name: 'D' });
    for (let i = 0; i < 3; i++) await insight({ dashboards: [d.id] });
    await api().patch(`dashboards/${d.id}/`, { tiles: [{ text: { body: 'free' } }] });
    emu.setFaults({ latencyPerItemMs: 25 });
    emu.clearRequests();
    await api().get(`dashboards/${d.id}/`);
    emu.setFaults({ latencyPerItemMs: 0 });
    expect(emu.requests()[0]?.durationMs).toBeGreaterThanOrEqual(100);
  });

  it('seeds dashboards before insights and their tiles after, with fixed ids', async () => {
    emu.seed({
      projects: [
        {
          id: 1,
          name: 'Test',
          dashboards: [
            {
              id: 40,
              name: 'Seeded',
              pinned: true,
              variables: { x: { code_name: 'nope' } },
              tiles: [
                { insight: 7, layouts: { sm: { x: 0, y: 5, w: 6, h: 5 } }, color: 'blue' },
                { text: { body: '# Top' }, layouts: { sm: { x: 0, y: 0, w: 12, h: 1 } } },
              ],
            },
          ],
          insights: [{ id: 7, name: 'On it', query: trendsQuery(), dashboards: [40] }],
        },
      ],
    });
    const d = (await api().get('dashboards/40/')).body;
    expect(d).toMatchObject({ name: 'Seeded', pinned: true, persisted_variables: { x: { code_name: 'nope' } }, variables: {} });
    expect(d.tiles.map((t: Answer) => [t.order, t.text?.body ?? t.insight.id, t.color])).toEqual([
      [0, '# Top', null],
      [1, 7, 'blue'],
    ]);
    expect(() => emu.seed({ projects: [{ id: 1, name: 'Test', dashboards: [{ name: 'Bad', tiles: [{ insight: 99 }] }] }] })).toThrow(
      /dashboards\[0\]\.tiles: tile insight 99/,
    );
  });

  it('loads a state file written before dashboards were full rows, and keeps counting ids from it', async () => {
    const file = join(tempDir('dash-state'), 'state.json');
    const insightRow = {
      id: 3,
      short_id: 'abcdefgh',
      name: 'Old',
      derived_name: null,
      description: null,
      filters: {},
      query: trendsQuery(),
      order: null,
      deleted: false,
      tags: [],
      favorited: false,
      saved: true,
      is_sample: false,
      created_at: '2025-01-01T00:00:00Z',
      created_by: 1,
      updated_at: '2025-01-01T00:00:00Z',
      last_modified_at: '2025-01-01T00:00:00Z',
      last_modified_by: 1,
      last_viewed_at: null,
    };
    const old = {
      id: 1,
      name: 'Old',
      tagging: true,
      actions: [],
      dashboards: [{ id: 5, name: 'Legacy', creation_mode: 'default' }],
      insights: [insightRow],
      dashboardTiles: [{ id: 9, insight_id: 3, dashboard_id: 5, deleted: null }],
      insightVariables: [],
      hogFunctions: [],
      hogFunctionLogs: [],
      hogFunctionMetrics: [],
      nextIds: { tile: 10 },
    };
    writeFileSync(file, JSON.stringify({ version: 1, uuid_counter: 0, insight_counter: 3, projects: [old] }));
    const restored = await start({ stateFile: file });
    try {
      const d = (await call(restored, 'GET', '/api/projects/1/dashboards/5/')).body;
      expect(d).toMatchObject({ name: 'Legacy', description: '', pinned: false, tiles: [{ id: 9, layouts: {}, insight: { id: 3 } }] });
      const created = (await call(restored, 'POST', '/api/projects/1/dashboards/', { name: 'New' })).body;
      expect(created.id).toBe(6);
      const i = (await call(restored, 'POST', '/api/projects/1/insights/', { name: 'On new', dashboards: [created.id] })).body;
      expect(i.dashboard_tiles[0].id).toBe(10);
    } finally {
      await restored.close();
    }
  });
});

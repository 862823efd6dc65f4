// The alerts API's behaviours that PostHog's own tests do not pin down, each following the file
// it names: AlertViewSet's queryset and AlertSerializer (products/alerts/backend/api/alert.py), the
// insight serializer's prefetched `alerts` (products/product_analytics/backend/api/insight.py), and
// the seeds and state files that carry alerts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_API_KEY, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { tempDir } from '../helpers/temp.js';
import { call, project, start } from './helpers.js';

const TRENDS = { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }] } };
const ALERT_ID = '018f0000-0000-7000-8000-00000000a1e7';
const FULL_SEED_ALERT = {
  id: ALERT_ID,
  created_at: '2024-05-01T10:00:00Z',
  name: 'Signups dropped',
  subscribed_users: [1, 2],
  threshold: { name: 'floor', configuration: { type: 'absolute', bounds: { lower: 10 } } },
  condition: { type: 'relative_decrease' },
  config: { type: 'TrendsAlertConfig', series_index: 0, check_ongoing_interval: false },
  calculation_interval: 'every_15_minutes',
  enabled: false,
  skip_weekend: true,
  schedule_restriction: { blocked_windows: [{ start: '22:00', end: '06:00' }] },
  detector_config: null,
};
const SEED: SeedDoc = {
  projects: [
    {
      id: 1,
      name: 'Test',
      alert_plan: { high_frequency: true },
      insights: [
        { id: 11, short_id: 'signups1', name: 'Signups', query: TRENDS, alerts: [FULL_SEED_ALERT] },
        {
          id: 12,
          short_id: 'plain001',
          name: 'Plain',
          query: TRENDS,
          alerts: [{ name: 'Defaults', threshold: { configuration: { type: 'absolute', bounds: { upper: 5 } } } }],
        },
      ],
    },
  ],
};

let emu: Emulator;
const api = () => project(emu);
const UPPER = { configuration: { type: 'absolute', bounds: { upper: 100 } } };
const body = (insight: number, extra: object = {}) => ({
  insight,
  subscribed_users: [],
  condition: { type: 'absolute_value' },
  config: { type: 'TrendsAlertConfig', series_index: 0 },
  threshold: UPPER,
  ...extra,
});

beforeAll(async () => {
  emu = await start({
    seed: SEED,
    keys: [1, 2, 3, 4, 5].map((n) => ({
      key: n === 1 ? DEV_API_KEY : `phx_fake_alert_user_${n}`,
      scopes: n === 4 ? ['insight:write'] : ['*'],
    })),
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('routes and seeds', () => {
  it('serves /alerts/ under /api/projects/ and /api/environments/ (dual route), with the alert scope', async () => {
    const env = await call(emu, 'GET', '/api/environments/1/alerts/');
    expect(env.status).toBe(200);
    expect(env.body.count).toBe(2);
    const scoped = await api().get('alerts/', { key: 'phx_fake_alert_user_4' });
    expect(scoped.status).toBe(403);
    expect(scoped.body.detail).toBe("API key missing required scope 'alert:read'");
  });

  it('seeds an alert with a fixed id and created_at and every writable field, through the API validation (fixtures/README.md)', async () => {
    const a = (await api().get(`alerts/${ALERT_ID}/`)).body;
    expect(a).toMatchObject({
      id: ALERT_ID,
      created_at: '2024-05-01T10:00:00Z',
      name: 'Signups dropped',
      state: 'Not firing',
      enabled: false,
      subscribed_users: expect.arrayContaining([expect.objectContaining({ id: 1 }), expect.objectContaining({ id: 2 })]),
      threshold: { name: 'floor', created_at: '2024-05-01T10:00:00Z', configuration: { type: 'absolute', bounds: { lower: 10 } } },
      condition: { type: 'relative_decrease' },
      calculation_interval: 'every_15_minutes',
      skip_weekend: true,
      schedule_restriction: { blocked_windows: [{ start: '22:00', end: '06:00' }] },
      insight: { id: 11, short_id: 'signups1', tags: [], user_access_level: null },
      checks: [],
      checks_total: 0,
    });
    // A seed alert may leave out subscribed_users ([]), condition (absolute_value) and config (the kind's own).
    const [plain] = (await api().get('alerts/?insight=12')).body.results;
    expect(plain).toMatchObject({
      subscribed_users: [],
      condition: { type: 'absolute_value' },
      config: { type: 'TrendsAlertConfig', series_index: 0 },
    });
    // Without the seed's high_frequency flag the default plan refuses every_15_minutes, in seeds as in the API.
    expect(() =>
      emu.seed({
        projects: [
          { id: 1, name: 'Test', insights: [{ query: TRENDS, alerts: [{ calculation_interval: 'every_15_minutes', threshold: UPPER }] }] },
        ],
      }),
    ).toThrow(/15-minute alert intervals/);
  });

  it('lists newest first (-created_at); equal created_at come back in no particular order', async () => {
    const at = '2024-06-01T00:00:00Z';
    const alerts = ['a', 'b', 'c', 'd'].map((name) => ({ name, created_at: at, threshold: UPPER }));
    await emu.seed({ projects: [{ id: 1, name: 'Test', insights: [{ query: TRENDS, alerts }] }] });
    const orders = new Set<string>();
    for (let n = 0; n < 20; n++) {
      const results = (await api().get('alerts/')).body.results.map((a: { name: string }) => a.name);
      expect([results[0], results[5]]).toEqual(['Defaults', 'Signups dropped']);
      orders.add(results.slice(1, 5).join());
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it('applies the list filters to detail routes too (the queryset serves every action); a malformed id is a 404', async () => {
    expect((await api().get(`alerts/${ALERT_ID}/?insight=12`)).status).toBe(404);
    expect((await api().get(`alerts/${ALERT_ID}/?created_by=nope`)).status).toBe(400);
    expect((await api().get(`alerts/${ALERT_ID.toUpperCase().replace(/-/g, '')}/`)).status).toBe(200);
    expect((await api().get('alerts/not-a-uuid/')).status).toBe(404);
    // filter(insight_id="x") raises ValueError in Django: an unhandled 500.
    expect((await api().get('alerts/?insight_id=x')).status).toBe(500);
  });
});

describe('writes', () => {
  it('edits the same threshold row; a changed configuration resets the state and next_check_at, PATCH {threshold: {}} is refused', async () => {
    const a = (await api().post('alerts/', body(11, { schedule_restriction: { blocked_windows: [{ start: '01:00', end: '02:00' }] } })))
      .body;
    const quiet = (await api().patch(`alerts/${a.id}/`, { schedule_restriction: { blocked_windows: [{ start: '03:00', end: '04:00' }] } }))
      .body;
    expect(quiet.next_check_at).not.toBeNull();
    const snoozed = (await api().patch(`alerts/${a.id}/`, { snoozed_until: '2h' })).body;
    expect(snoozed.state).toBe('Snoozed');
    expect(snoozed.snoozed_until).toMatch(/T\d\d:00:00Z$/);
    const edited = (await api().patch(`alerts/${a.id}/`, { threshold: { configuration: { type: 'absolute', bounds: { upper: 50 } } } }))
      .body;
    expect(edited.threshold).toMatchObject({
      id: a.threshold.id,
      created_at: a.threshold.created_at,
      configuration: { bounds: { upper: 50 } },
    });
    expect(edited).toMatchObject({ state: 'Not firing', next_check_at: null });
    const emptied = await api().patch(`alerts/${a.id}/`, { threshold: {} });
    expect(emptied.status).toBe(400);
    expect(emptied.body.attr).toBe('threshold__non_field_errors');
    expect(emptied.body.detail).toMatch(
      /^Invalid threshold configuration: 1 validation error for InsightThreshold\ntype\n {2}Field required/,
    );
  });

  it('replaces subscribed users with ids of the organisation (users 1–4 and each key’s user); others do not exist', async () => {
    const updated = (await api().patch(`alerts/${ALERT_ID}/`, { subscribed_users: [5, 2] })).body;
    expect(updated.subscribed_users.map((u: { id: number }) => u.id).sort()).toEqual([2, 5]);
    const r = await api().patch(`alerts/${ALERT_ID}/`, { subscribed_users: [6] });
    expect(r.body).toMatchObject({ code: 'does_not_exist', detail: 'Invalid pk "6" - object does not exist.', attr: 'subscribed_users' });
  });

  it('stores snoozed_until from a create as given (no snooze state); a relative one there cannot be saved (500)', async () => {
    const iso = await api().post('alerts/', body(11, { snoozed_until: '2030-01-02T03:04:05+01:00' }));
    expect(iso.body).toMatchObject({ snoozed_until: '2030-01-02T03:04:05+01:00', state: 'Not firing' });
    expect((await api().get(`alerts/${iso.body.id}/`)).body.snoozed_until).toBe('2030-01-02T02:04:05Z');
    expect((await api().post('alerts/', body(11, { snoozed_until: '2h' }))).status).toBe(500);
  });

  it('stores detector_config as the pydantic model dumps it (every field, null where unset)', async () => {
    const a = (await api().post('alerts/', body(11, { detector_config: { type: 'iqr', multiplier: 3 } }))).body;
    expect(a.detector_config).toEqual({ multiplier: 3, preprocessing: null, type: 'iqr', window: null });
  });
});

describe('alerts and their insight', () => {
  it('a PATCH that soft-deletes the insight answers with the alerts prefetched before it (deleted, without subscribers)', async () => {
    const patched = (await api().patch('insights/signups1/', { deleted: true })).body;
    expect(patched.alerts).toHaveLength(1);
    expect(patched.alerts[0]).toMatchObject({ id: ALERT_ID, subscribed_users: [] });
    expect(emu.project(1)?.alerts.map((a) => a.id)).not.toContain(ALERT_ID);
  });

  it('hides alerts whose insight was soft-deleted without deleting them (dashboard delete_insights) until the insight comes back; the limit still counts them', async () => {
    const dir = tempDir('emu-alerts');
    const stateFile = join(dir, 'state.json');
    const first = await start({ seed: SEED, stateFile });
    await project(first).patch('insights/plain001/', { name: 'Plain' });
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    state.projects[0].insights.find((i: { id: number }) => i.id === 11).deleted = true;
    state.projects[0].alertPlan = { alerts: 2, high_frequency: true };
    await first.close();
    writeFileSync(stateFile, JSON.stringify(state));
    const second = await start({ stateFile });
    try {
      const p = project(second);
      expect((await p.get('alerts/')).body.results.map((a: { name: string }) => a.name)).toEqual(['Defaults']);
      expect((await p.get(`alerts/${ALERT_ID}/`)).status).toBe(404);
      const limited = await p.post('alerts/', body(12));
      expect(limited.body).toMatchObject({ attr: 'alert', detail: 'Your team has reached the limit of 2 alerts on your plan.' });
      const restored = (await p.patch('insights/11/', { deleted: false })).body;
      expect(restored.alerts.map((a: { id: string }) => a.id)).toEqual([ALERT_ID]);
      expect((await p.get(`alerts/${ALERT_ID}/`)).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('reads alerts from state files written before the alerts API with the model defaults', async () => {
    const dir = tempDir('emu-alerts-old');
    const stateFile = join(dir, 'state.json');
    const first = await start({ seed: { projects: [{ id: 1, name: 'Test', insights: [{ id: 11, query: TRENDS }] }] }, stateFile });
    await project(first).patch('insights/11/', { name: 'x' });
    await first.close();
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    state.projects[0].alerts = [
      {
        id: ALERT_ID,
        insight_id: 11,
        name: 'Old',
        condition: { type: 'absolute_value' },
        threshold: { id: 'b3f1e0a2-0000-4000-8000-000000000001', name: '', configuration: { type: 'absolute' } },
        config: null,
        calculation_interval: 'daily',
        enabled: true,
        skip_weekend: false,
        created_by: 1,
        created_at: '2024-01-01T00:00:00Z',
      },
    ];
    writeFileSync(stateFile, JSON.stringify(state));
    const second = await start({ stateFile });
    try {
      const a = (await project(second).get(`alerts/${ALERT_ID}/`)).body;
      expect(a).toMatchObject({
        name: 'Old',
        subscribed_users: [],
        state: 'Not firing',
        threshold: { created_at: '2024-01-01T00:00:00Z' },
        investigation_inconclusive_action: 'notify',
        checks: [],
      });
    } finally {
      await second.close();
    }
  });
});

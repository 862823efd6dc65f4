// Ported from PostHog's products/alerts/backend/api/test/test_alert.py: TestAlertListFilters,
// TestAlertAPIKeyAccess, TestAlertRealTimeInterval, TestInvestigationAgentValidation and TestAlert's
// quiet-hours cases. Alerts PostHog makes with the ORM are made through the API; the organisation's
// plan (`available_product_features`) is the seed's `alert_plan`; `freeze_time` is replaced by times
// computed from now.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_API_KEY, type Emulator, type SeedDoc } from '../../../src/emulator/index.js';
import { project, start, type Reply } from '../helpers.js';

/** An answer's JSON, narrowed by each expect() (helpers.ts Reply). */
type Answer = Reply['body'];

const OTHER_KEY = 'phx_fake_conformance_other_user';
const SCOPED: Record<string, string[]> = {
  phx_fake_feature_flag_read: ['feature_flag:read'],
  phx_fake_alert_read: ['alert:read'],
  phx_fake_alert_write: ['alert:write'],
  phx_fake_insight_write: ['insight:write'],
};
let emu: Emulator;
const api = () => project(emu);

const TRENDS = { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }], trendsFilter: { display: 'BoldNumber' } };
const LINE_DAY = { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }], interval: 'day' };
const PLAIN: SeedDoc = { projects: [{ id: 1, name: 'Test' }] };

beforeAll(async () => {
  emu = await start({
    keys: [
      { key: DEV_API_KEY, scopes: ['*'] },
      { key: OTHER_KEY, scopes: ['*'] },
      ...Object.entries(SCOPED).map(([key, scopes]) => ({ key, scopes })),
    ],
    seed: PLAIN,
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function insight(query: object = TRENDS): Promise<number> {
  const r = await api().post('insights/', { query });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

const body = (insightId: number, extra: object = {}) => ({
  insight: insightId,
  subscribed_users: [1],
  condition: { type: 'absolute_value' },
  config: { type: 'TrendsAlertConfig', series_index: 0 },
  threshold: { configuration: { type: 'absolute', bounds: { upper: 100 } } },
  name: 'alert name',
  ...extra,
});

async function alert(payload: object, key = DEV_API_KEY): Promise<Record<string, Answer>> {
  const r = await api().post('alerts/', payload, { key });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

const names = async (query: string) => (await api().get(`alerts/${query}`)).body.results.map((a: { name: string }) => a.name);

describe('test_alert.py: TestAlertListFilters', () => {
  it('test_alert.py::test_list_filter_by_search', async () => {
    const i = await insight();
    await alert(body(i, { name: 'Revenue spike' }));
    await alert(body(i, { name: 'Unrelated alert' }));
    expect(await names('?search=Reven')).toEqual(['Revenue spike']);
  });

  it('test_alert.py::test_list_filter_by_created_by_uuid — the other user is the second key', async () => {
    const i = await insight();
    await alert(body(i, { name: 'Mine' }));
    const theirs = await alert(body(i, { name: 'Theirs' }), OTHER_KEY);
    expect(await names(`?created_by=${theirs.created_by.uuid}`)).toEqual(['Theirs']);
  });

  it('test_alert.py::test_list_filter_validation_errors', async () => {
    for (const [query, attr] of [
      [`search=${'a'.repeat(201)}`, 'search'],
      ['created_by=not-a-uuid', 'created_by'],
    ]) {
      const r = await api().get(`alerts/?${query}`);
      expect(r.status).toBe(400);
      expect(r.body.attr).toBe(attr);
    }
  });
});

describe('test_alert.py: TestAlertAPIKeyAccess', () => {
  it('test_alert.py::test_alert_api_key_access', async () => {
    const a = await alert(body(await insight()));
    const cases: Array<[string, 'get' | 'del', string, number, string | null]> = [
      ['phx_fake_feature_flag_read', 'get', '', 403, 'alert:read'],
      ['phx_fake_alert_read', 'get', '', 200, null],
      ['phx_fake_alert_write', 'get', '', 200, null],
      ['phx_fake_alert_read', 'get', `${a.id}/`, 200, null],
      ['phx_fake_alert_read', 'del', `${a.id}/`, 403, 'alert:write'],
      ['phx_fake_alert_write', 'del', `${a.id}/`, 204, null],
    ];
    for (const [key, method, suffix, status, scope] of cases) {
      const r = await api()[method](`alerts/${suffix}`, { key });
      expect(r.status, `${key} ${method} ${suffix}`).toBe(status);
      if (scope) expect(r.body.detail).toContain(scope);
    }
  });

  it('test_alert.py::test_alert_create_api_key_access', async () => {
    const i = await insight();
    for (const [key, status, scope] of [
      ['phx_fake_insight_write', 403, 'alert:write'],
      ['phx_fake_alert_read', 403, 'alert:write'],
      ['phx_fake_alert_write', 201, null],
    ] as const) {
      const r = await api().post('alerts/', body(i, { name: 'New Alert' }), { key });
      expect(r.status).toBe(status);
      if (scope) expect(r.body.detail).toContain(scope);
    }
  });
});

describe('test_alert.py: TestAlertRealTimeInterval', () => {
  const realTime = (i: number, extra: object = {}) =>
    body(i, {
      name: 'real time alert',
      threshold: { configuration: { type: 'absolute', bounds: { lower: 0 } } },
      calculation_interval: 'real_time',
      ...extra,
    });
  const plan = (alertPlan: object) => emu.seed({ projects: [{ id: 1, name: 'Test', alert_plan: alertPlan }] });

  it('test_alert.py::test_create_real_time_rejected_when_limit_reached — with test_create_real_time_rejected_without_billing_entitlement', async () => {
    const i = await insight();
    const refused = await api().post('alerts/', realTime(i));
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain('Scale or Enterprise');
    await plan({ real_time: 1 });
    await alert(realTime(i));
    const second = await api().post('alerts/', realTime(i, { name: 'second' }));
    expect(second.status).toBe(400);
    expect(second.body).toMatchObject({
      attr: 'calculation_interval',
      detail: 'Your team has reached the limit of 1 real-time alerts on your plan.',
    });
  });

  it('test_alert.py::test_patch_existing_real_time_rejected_after_entitlement_removed', async () => {
    await plan({ real_time: true });
    const a = await alert(realTime(await insight()));
    await plan({});
    const r = await api().patch(`alerts/${a.id}/`, { name: 'still real time' });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('Scale or Enterprise');
  });
});

describe('test_alert.py: TestInvestigationAgentValidation', () => {
  it('test_alert.py::test_investigation_agent_enabled_validation', async () => {
    const i = await insight(LINE_DAY);
    const cases: Array<[object | null, boolean, number, string | null]> = [
      [null, true, 400, 'investigation_agent_enabled'],
      [null, false, 201, null],
      [{ type: 'zscore', threshold: 0.95, window: 30 }, true, 201, null],
    ];
    for (const [detector, enabled, status, attr] of cases) {
      const r = await api().post(
        'alerts/',
        body(i, {
          name: 'investigation alert',
          calculation_interval: 'daily',
          detector_config: detector,
          investigation_agent_enabled: enabled,
        }),
      );
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      if (attr) expect(r.body.attr).toBe(attr);
    }
  });
});

describe('test_alert.py: quiet hours (schedule_restriction)', () => {
  it('test_alert.py::test_create_alert_rejects_invalid_schedule_restriction', async () => {
    const i = await insight();
    const cases = [
      { blocked_windows: Array.from({ length: 6 }, (_, n) => ({ start: `0${n}:00`, end: `0${n}:30` })) },
      { blocked_windows: [{ end: '12:00' }] },
      { blocked_windows: [{ start: '12:00' }] },
      { blocked_windows: [{ start: '10:00', end: '10:00' }] },
      { blocked_windows: [{ start: '12:00:00', end: '13:00' }] },
      { blocked_windows: [{ start: '25:00', end: '26:00' }] },
      { blocked_windows: ['not-an-object'] },
      { blocked_windows: {} },
      { blocked_windows: [{ start: '12:00', end: '12:20' }] },
    ];
    for (const restriction of cases) {
      const r = await api().post('alerts/', body(i, { name: 'quiet hours alert', schedule_restriction: restriction }));
      expect(r.status, JSON.stringify(restriction)).toBe(400);
      expect(r.body).toMatchObject({ attr: 'schedule_restriction', detail: 'Invalid schedule restriction.' });
    }
  });

  it('test_alert.py::test_patch_schedule_restriction_snaps_next_check_to_first_minute_outside_quiet_hours — quiet hours placed around now + 1h instead of a frozen 14:00', async () => {
    const a = await alert(body(await insight(), { name: 'snap next', calculation_interval: 'hourly' }));
    const candidate = Math.floor((Date.now() + 3_600_000) / 60_000) * 60_000;
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const window = { start: hhmm(candidate - 30 * 60_000), end: hhmm(candidate + 60 * 60_000) };
    const r = await api().patch(`alerts/${a.id}/`, { schedule_restriction: { blocked_windows: [window] } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(Date.parse(r.body.next_check_at)).toBe(candidate + 60 * 60_000);
  });

  it('test_alert.py::test_patch_alert_adds_quiet_hours_and_skip_weekend', async () => {
    const a = await alert(body(await insight(), { name: 'patch me', calculation_interval: 'daily' }));
    const r = await api().patch(`alerts/${a.id}/`, {
      skip_weekend: true,
      schedule_restriction: { blocked_windows: [{ start: '12:00', end: '13:00' }] },
      calculation_interval: 'weekly',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      skip_weekend: true,
      calculation_interval: 'weekly',
      schedule_restriction: { blocked_windows: [{ start: '12:00', end: '13:00' }] },
    });
  });
});

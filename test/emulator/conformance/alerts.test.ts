// Ported from PostHog's products/alerts/backend/api/test/test_alert.py (class TestAlert). Rows PostHog
// writes with the ORM (alert checks, a firing state) come from the API here: checks are the ones a
// snooze change writes. `posthoganalytics.feature_enabled` is the team's feature flags, switched by
// re-seeding the project.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { project, start, type Reply } from '../helpers.js';

/** An answer's JSON, narrowed by each expect() (helpers.ts Reply). */
type Answer = Reply['body'];

let emu: Emulator;
const api = () => project(emu);

const TRENDS = { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }], trendsFilter: { display: 'BoldNumber' } };
const HOGQL = { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'select count() from events' } };
const FUNNEL = {
  kind: 'FunnelsQuery',
  series: [
    { kind: 'EventsNode', event: '$pageview' },
    { kind: 'EventsNode', event: '$autocapture' },
  ],
};
const RETENTION = { kind: 'RetentionQuery', retentionFilter: {} };
const UPPER_100 = { configuration: { type: 'absolute', bounds: { upper: 100 } } };
const ALL_FLAGS = ['hogql-insight-alerts', 'funnel-insight-alerts'];

beforeAll(async () => {
  emu = await start({
    seed: {
      projects: [
        { id: 1, name: 'Test' },
        { id: 2, name: 'Another team' },
      ],
    },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function insight(query: object, projectId = 1): Promise<{ id: number }> {
  const r = await project(emu, projectId).post('insights/', { query });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

const body = (insightId: number, extra: object = {}) => ({
  insight: insightId,
  subscribed_users: [1],
  condition: { type: 'absolute_value' },
  config: { type: 'TrendsAlertConfig', series_index: 0 },
  threshold: UPPER_100,
  name: 'alert name',
  ...extra,
});

async function alert(payload: object): Promise<Record<string, Answer>> {
  const r = await api().post('alerts/', payload);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

const flags = (featureFlags: string[]) => emu.seed({ projects: [{ id: 1, name: 'Test', feature_flags: featureFlags }] });

describe('test_alert.py: create, read, delete', () => {
  it('test_alert.py::test_create_and_delete_alert', async () => {
    const i = await insight(TRENDS);
    const r = await api().post('alerts/', body(i.id, { calculation_interval: 'daily' }));
    const expected = {
      calculation_interval: 'daily',
      condition: { type: 'absolute_value' },
      created_at: expect.any(String),
      created_by: expect.any(Object),
      enabled: true,
      id: expect.any(String),
      insight: expect.any(Object),
      last_notified_at: null,
      name: 'alert name',
      subscribed_users: expect.any(Array),
      state: 'Not firing',
      config: { type: 'TrendsAlertConfig', series_index: 0 },
      detector_config: null,
      threshold: {
        configuration: { type: 'absolute', bounds: { upper: 100 } },
        created_at: expect.any(String),
        id: expect.any(String),
        name: '',
      },
      last_checked_at: null,
      next_check_at: null,
      snoozed_until: null,
      skip_weekend: false,
      schedule_restriction: null,
      last_value: null,
      investigation_agent_enabled: false,
      investigation_gates_notifications: false,
      investigation_inconclusive_action: 'notify',
    };
    expect(r.status).toBe(201);
    expect(r.body).toStrictEqual(expected);
    expect((await api().get('alerts/')).body.results).toStrictEqual([{ ...expected, checks: [] }]);
    expect((await api().del(`alerts/${r.body.id}/`)).status).toBe(204);
    expect((await api().get('alerts/')).body.results).toHaveLength(0);
  });

  it('test_alert.py::test_incorrect_creation', async () => {
    const noInsight = await api().post('alerts/', { subscribed_users: [1], threshold: { configuration: {} }, name: 'alert name' });
    expect(noInsight.status).toBe(400);
    expect(noInsight.body).toMatchObject({ code: 'required', attr: 'insight' });
    const other = await insight(TRENDS, 2);
    const foreign = await api().post('alerts/', {
      insight: String(other.id),
      subscribed_users: [1],
      threshold: { configuration: {} },
      name: 'alert name',
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toMatchObject({
      code: 'does_not_exist',
      attr: 'insight',
      detail: `Invalid pk "${other.id}" - object does not exist.`,
    });
  });

  it('test_alert.py::test_create_and_list_alert', async () => {
    const i = await insight(TRENDS);
    const a = await alert(body(i.id));
    const listed = await api().get(`alerts/?insight=${i.id}`);
    expect(listed.status).toBe(200);
    expect(listed.body.results.map((x: { id: string }) => x.id)).toEqual([a.id]);
    const elsewhere = await api().get(`alerts/?insight=${i.id + 1}`);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.results).toHaveLength(0);
  });

  it('test_alert.py::test_retrieve_checks_limit_behaviour — checks written by snooze changes stand in for ORM rows', async () => {
    const cases: Array<[number, string, number]> = [
      [8, '', 5],
      [10, '?checks_limit=3', 3],
      [3, '?checks_limit=9999', 3],
      [5, '?checks_limit=-5', 1],
      [5, '?checks_limit=0', 1],
      [5, '?checks_limit=abc', 5],
    ];
    for (const [total, query, expectedCount] of cases) {
      const a = await alert(body((await insight(TRENDS)).id, { name: 'checks limit test' }));
      for (let n = 0; n < total; n++) await api().patch(`alerts/${a.id}/`, { snoozed_until: n % 2 ? null : '1d' });
      const r = await api().get(`alerts/${a.id}/${query}`);
      expect(r.status).toBe(200);
      expect(r.body.checks).toHaveLength(expectedCount);
      expect(r.body.checks_total).toBe(total);
    }
  });

  it('test_alert.py::test_retrieve_checks_offset_pagination — newest first, compared by id (no check has a value here)', async () => {
    const a = await alert(body((await insight(TRENDS)).id, { name: 'checks offset test' }));
    for (let n = 0; n < 8; n++) await api().patch(`alerts/${a.id}/`, { snoozed_until: n % 2 ? null : '2h' });
    const newestFirst = (await api().get(`alerts/${a.id}/?checks_limit=500`)).body.checks.map((c: { id: string }) => c.id);
    for (const [limit, offset, from] of [
      [3, 0, 0],
      [3, 3, 3],
      [2, -1, 0],
    ] as const) {
      const r = (await api().get(`alerts/${a.id}/?checks_limit=${limit}&checks_offset=${offset}`)).body;
      expect(r.checks_total).toBe(8);
      expect(r.checks.map((c: { id: string }) => c.id)).toEqual(newestFirst.slice(from, from + limit));
    }
  });

  it('test_alert.py::test_snooze_alert — the FIRING state set through the ORM has no API equivalent and is left out', async () => {
    const a = await alert({ ...body((await insight(TRENDS)).id), state: 'Firing' });
    expect(a.state).toBe('Not firing');
    const snoozed = await api().patch(`alerts/${a.id}/`, { snoozed_until: new Date().toISOString() });
    expect(snoozed.body.state).toBe('Snoozed');
    const checks = (await api().get(`alerts/${a.id}/`)).body.checks;
    expect(checks[0].state).toBe('Snoozed');
  });
});

describe('test_alert.py: the insight side', () => {
  it('test_alert.py::test_alert_is_deleted_on_insight_update', async () => {
    const i = await insight(TRENDS);
    const a = await alert(body(i.id));
    await api().patch(`insights/${i.id}/`, { query: { ...TRENDS, series: [{ kind: 'EventsNode', event: '$anotherEvent' }] } });
    expect((await api().get(`alerts/${a.id}/`)).status).toBe(200);
    await api().patch(`insights/${i.id}/`, { query: RETENTION });
    expect((await api().get(`alerts/${a.id}/`)).status).toBe(404);
  });

  it('test_alert.py::test_hogql_alert_survives_insight_update_and_is_listed_on_insight', async () => {
    const i = await insight(HOGQL);
    const a = await alert(body(i.id, { config: { type: 'HogQLAlertConfig', evaluation: 'last_row' }, name: 'sql alert' }));
    expect((await api().get(`insights/${i.id}/`)).body.alerts.map((x: { id: string }) => x.id)).toEqual([a.id]);
    await api().patch(`insights/${i.id}/`, {
      query: { ...HOGQL, source: { kind: 'HogQLQuery', query: 'select count() + 1 from events' } },
    });
    expect((await api().get(`alerts/${a.id}/`)).status).toBe(200);
    await api().patch(`insights/${i.id}/`, { query: RETENTION });
    expect((await api().get(`alerts/${a.id}/`)).status).toBe(404);
  });

  it('test_alert.py::test_funnel_alert_survives_insight_update_and_is_listed_on_insight', async () => {
    const i = await insight(FUNNEL);
    const a = await alert(
      body(i.id, {
        config: { type: 'FunnelsAlertConfig', metric: 'conversion_from_start', funnel_step: null },
        threshold: { configuration: { type: 'absolute', bounds: { upper: 50 } } },
      }),
    );
    expect((await api().get(`insights/${i.id}/`)).body.alerts.map((x: { id: string }) => x.id)).toEqual([a.id]);
    await api().patch(`insights/${i.id}/`, {
      query: { ...FUNNEL, series: [FUNNEL.series[0], { kind: 'EventsNode', event: '$pageleave' }] },
    });
    expect((await api().get(`alerts/${a.id}/`)).status).toBe(200);
    await api().patch(`insights/${i.id}/`, { query: RETENTION });
    expect((await api().get(`alerts/${a.id}/`)).status).toBe(404);
  });

  it('test_alert.py::test_alert_survives_switch_between_alertable_kinds', async () => {
    const i = await insight(TRENDS);
    const a = await alert(body(i.id, { name: 'trends alert' }));
    await api().patch(`insights/${i.id}/`, { query: HOGQL });
    expect((await api().get(`alerts/${a.id}/`)).status).toBe(200);
  });

  it('test_alert.py::test_alert_is_deleted_on_insight_soft_delete — the linked destination is made through the hog function API', async () => {
    const i = await insight(TRENDS);
    const a = await alert(body(i.id));
    const fn = await api().post('hog_functions/', {
      name: 'Slack notification for alert',
      type: 'internal_destination',
      hog: 'return 1',
      enabled: true,
      filters: {
        events: [{ id: '$insight_alert_firing', type: 'events' }],
        properties: [{ key: 'alert_id', value: a.id, operator: 'exact', type: 'event' }],
      },
    });
    expect(fn.status, JSON.stringify(fn.body)).toBe(201);
    expect((await api().patch(`insights/${i.id}/`, { deleted: true })).status).toBe(200);
    expect((await api().get(`alerts/${a.id}/`)).status).toBe(404);
    expect(emu.project(1)?.hogFunctions.find((f) => f.id === fn.body.id)).toMatchObject({ deleted: true, enabled: false });
  });

  it('test_alert.py::test_delete_alert_cleans_up_hog_functions', async () => {
    const a = await alert(body((await insight(TRENDS)).id));
    const destination = (alertId: string, name: string) =>
      api().post('hog_functions/', {
        name,
        type: 'internal_destination',
        hog: 'return 1',
        enabled: true,
        filters: {
          events: [{ id: '$insight_alert_firing', type: 'events' }],
          properties: [{ key: 'alert_id', value: alertId, operator: 'exact', type: 'event' }],
        },
      });
    const linked = (await destination(a.id, 'Slack notification for alert')).body;
    const unrelated = (await destination('some-other-id', 'Unrelated destination')).body;
    expect((await api().del(`alerts/${a.id}/`)).status).toBe(204);
    const stored = (id: string) => emu.project(1)?.hogFunctions.find((f) => f.id === id);
    expect(stored(linked.id)).toMatchObject({ deleted: true, enabled: false });
    expect(stored(unrelated.id)).toMatchObject({ deleted: false, enabled: true });
  });
});

describe('test_alert.py: feature flags', () => {
  it('test_alert.py::test_create_alert_on_funnel_insight_is_flag_gated', async () => {
    const i = await insight(FUNNEL);
    const request = body(i.id, {
      config: { type: 'FunnelsAlertConfig', metric: 'conversion_from_start', funnel_step: null },
      threshold: { configuration: { type: 'absolute', bounds: { upper: 50 } } },
    });
    await flags([]);
    const off = await api().post('alerts/', request);
    expect(off.status).toBe(400);
    expect(off.body).toMatchObject({ attr: 'insight', detail: 'Funnel insight alerts are not enabled for your account.' });
    await flags(ALL_FLAGS);
    expect((await api().post('alerts/', request)).status).toBe(201);
  });

  it('test_alert.py::test_hogql_flag_enforced_on_config_only_patch', async () => {
    const a = await alert(body((await insight(HOGQL)).id, { config: { type: 'HogQLAlertConfig', evaluation: 'last_row' } }));
    const patch = { config: { type: 'HogQLAlertConfig', evaluation: 'first_row' } };
    await flags([]);
    const blocked = await api().patch(`alerts/${a.id}/`, patch);
    expect(blocked.status).toBe(400);
    expect(blocked.body).toMatchObject({ attr: null, detail: 'SQL insight alerts are not enabled for your account.' });
    await flags(ALL_FLAGS);
    expect((await api().patch(`alerts/${a.id}/`, patch)).status).toBe(200);
  });
});

describe('test_alert.py: validation', () => {
  it('test_alert.py::test_create_threshold_alert_rejects_empty_bounds', async () => {
    const r = await api().post(
      'alerts/',
      body((await insight(TRENDS)).id, { threshold: { configuration: { type: 'absolute', bounds: {} } } }),
    );
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'At least one threshold bound (lower or upper) must be provided.',
      attr: 'threshold__configuration',
    });
  });

  it('test_alert.py::test_patch_empty_threshold_bounds_rejected', async () => {
    const a = await alert(body((await insight(TRENDS)).id));
    const r = await api().patch(`alerts/${a.id}/`, { threshold: { configuration: { type: 'absolute', bounds: {} } } });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('At least one threshold bound');
  });

  it('test_alert.py::test_create_alert_rejects_invalid_config', async () => {
    const pie = await insight({ ...TRENDS, trendsFilter: { display: 'ActionsPie' } });
    const cases: Array<[object, string]> = [
      [
        { condition: { type: 'bogus' }, config: { type: 'TrendsAlertConfig', series_index: 0 } },
        "Alert has invalid condition: {'type': 'bogus'}",
      ],
      [{ condition: { type: 'absolute_value' }, config: { series_index: 0 } }, "Unsupported alert config type: {'series_index': 0}"],
      [
        { condition: { type: 'relative_increase' }, config: { type: 'TrendsAlertConfig', series_index: 0 } },
        "Relative alert condition 'relative_increase' is not compatible with non time series trends",
      ],
      [
        { threshold: { configuration: { type: 'percentage', bounds: { upper: 100 } } } },
        'Absolute value alerts require an absolute threshold, but a percentage threshold was configured',
      ],
      [{ name: 'a'.repeat(256) }, 'Ensure this field has no more than 255 characters.'],
      [{ threshold: { ...UPPER_100, name: 'a'.repeat(256) } }, 'Ensure this field has no more than 255 characters.'],
    ];
    for (const [overrides, detail] of cases) {
      const r = await api().post('alerts/', { ...body(pie.id), ...overrides });
      expect(r.status, detail).toBe(400);
      expect(r.body.detail).toBe(detail);
    }
  });

  it('test_alert.py::test_patch_alert_rejects_invalid_config', async () => {
    const a = await alert(body((await insight(TRENDS)).id));
    const cases: Array<[object, string]> = [
      [{ condition: { type: 'bogus' } }, 'invalid condition'],
      [{ config: { series_index: 0 } }, 'unsupported alert config type'],
      [
        { condition: { type: 'absolute_value' }, threshold: { configuration: { type: 'percentage', bounds: { upper: 100 } } } },
        'absolute value alerts require an absolute threshold',
      ],
    ];
    for (const [overrides, fragment] of cases) {
      const r = await api().patch(`alerts/${a.id}/`, overrides);
      expect(r.status).toBe(400);
      expect(r.body.detail.toLowerCase()).toContain(fragment);
    }
  });

  it('test_alert.py::test_patch_calculation_interval', async () => {
    const cases: Array<[object, number, string, string | null]> = [
      [{ calculation_interval: null }, 400, 'weekly', null],
      [{ name: 'renamed alert' }, 200, 'weekly', 'renamed alert'],
      [{ calculation_interval: 'hourly' }, 200, 'hourly', 'alert name'],
    ];
    for (const [payload, status, interval, name] of cases) {
      const a = await alert(body((await insight(TRENDS)).id, { calculation_interval: 'weekly' }));
      expect(a.calculation_interval).toBe('weekly');
      const r = await api().patch(`alerts/${a.id}/`, payload);
      expect(r.status).toBe(status);
      if (status === 200) expect(r.body).toMatchObject({ calculation_interval: interval, name });
      else expect(r.body).toMatchObject({ code: 'null', attr: 'calculation_interval' });
    }
  });

  it('test_alert.py::test_alert_limit — the free tier (no ALERTS feature) is a seed flag; its limit stays 5', async () => {
    await emu.seed({ projects: [{ id: 1, name: 'Test', alert_plan: { alerts: false } }] });
    const i = await insight(TRENDS);
    for (let n = 0; n < 5; n++) await alert(body(i.id));
    const sixth = await api().post('alerts/', body(i.id));
    expect(sixth.status).toBe(400);
    expect(sixth.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'Your plan is limited to 5 alerts.',
      attr: 'alert',
    });
  });
});

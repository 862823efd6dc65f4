// Insight alerts and drafts as InsightSerializer handles them (products/product_analytics/backend/
// api/insight.py: get_alerts, update's alert and tile deletion, saved.setdefault).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator, SeedDoc } from '../../src/emulator/index.js';
import { call, project, start, trendsQuery } from './helpers.js';

const SEED: SeedDoc = {
  projects: [
    {
      id: 1,
      name: 'Test',
      dashboards: [{ id: 7, name: 'Overview' }],
      insights: [
        {
          name: 'Watched',
          short_id: 'watched1',
          query: trendsQuery(),
          dashboards: [7],
          alerts: [
            {
              name: 'Too many',
              threshold: { configuration: { type: 'absolute', bounds: { upper: 100 } } },
              config: { type: 'TrendsAlertConfig', series_index: 0 },
            },
          ],
        },
        { name: 'Legacy', short_id: 'legacy01', filters: { events: [{ id: '$pageview' }] } },
      ],
    },
  ],
};

let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({ seed: SEED });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('alerts', () => {
  it("lists an alertable insight's alerts in the full serializer (AlertSerializer shape, insight as InsightBasicSerializer), not in basic", async () => {
    const full = (await api().get('insights/watched1/')).body;
    expect(full.alerts).toHaveLength(1);
    expect(full.alerts[0]).toMatchObject({
      id: expect.any(String),
      name: 'Too many',
      state: 'Not firing',
      enabled: true,
      calculation_interval: 'daily',
      condition: { type: 'absolute_value' },
      threshold: { configuration: { type: 'absolute', bounds: { upper: 100 } } },
      config: { type: 'TrendsAlertConfig', series_index: 0 },
      subscribed_users: [],
      insight: { id: full.id, short_id: 'watched1' },
    });
    // get_alerts serializes the prefetched rows, which have no `checks`: the field is left out.
    expect(full.alerts[0]).not.toHaveProperty('checks');
    expect((await api().get('insights/watched1/?basic=true')).body).not.toHaveProperty('alerts');
  });

  it('attaches an alert through POST /_emulator/projects/:id/insights/:ref/alerts, refusing insights alerts do not support', async () => {
    // The alerts API requires a threshold with a bound (validate_alert_config), and so does the control.
    const bare = await call(emu, 'POST', '/_emulator/projects/1/insights/watched1/alerts', { name: 'Second' });
    expect(bare.body.detail).toBe('This field is required.');
    const r = await call(emu, 'POST', '/_emulator/projects/1/insights/watched1/alerts', {
      name: 'Second',
      threshold: { configuration: { type: 'absolute', bounds: { lower: 1 } } },
    });
    expect(r.status).toBe(200);
    expect((await api().get('insights/watched1/')).body.alerts.map((a: { id: string }) => a.id)).toContain(r.body.id);
    const legacy = await call(emu, 'POST', '/_emulator/projects/1/insights/legacy01/alerts', { name: 'Nope' });
    expect(legacy.status).toBe(400);
    expect(legacy.body.detail).toBe('Alerts are not supported for this insight.');
  });

  it('soft-deleting an insight deletes its alerts and soft-deletes its dashboard tiles; a restore brings neither back', async () => {
    expect((await api().patch('insights/watched1/', { deleted: true })).status).toBe(200);
    expect(emu.project(1)?.alerts).toHaveLength(0);
    expect(emu.project(1)?.dashboardTiles.every((t) => t.deleted === true)).toBe(true);
    const restored = (await api().patch('insights/watched1/', { deleted: false })).body;
    expect(restored).toMatchObject({ alerts: [], dashboards: [], dashboard_tiles: [] });
  });

  it('deletes alerts once the query can no longer carry one (alertable_query_kind is None), keeps them across alertable kinds', async () => {
    await api().patch('insights/watched1/', {
      query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'select 1' } },
    });
    expect(emu.project(1)?.alerts).toHaveLength(1);
    await api().patch('insights/watched1/', { query: { kind: 'InsightVizNode', source: { kind: 'RetentionQuery', retentionFilter: {} } } });
    expect(emu.project(1)?.alerts).toHaveLength(0);
  });
});

describe('drafts (saved)', () => {
  it('keeps saved: false on create; an update that does not send saved makes it true; ?saved= filters', async () => {
    const draft = (await api().post('insights/', { name: 'Draft', saved: false })).body;
    expect(draft.saved).toBe(false);
    expect((await api().get('insights/?saved=false')).body.results.map((i: { id: number }) => i.id)).toEqual([draft.id]);
    expect((await api().patch(`insights/${draft.id}/`, { saved: false, name: 'Still a draft' })).body.saved).toBe(false);
    expect((await api().patch(`insights/${draft.id}/`, { name: 'Renamed' })).body.saved).toBe(true);
    expect((await api().get('insights/?saved=false')).body.count).toBe(0);
  });

  it('reads last_viewed_at from the list annotation only (create records a view; retrieve reads null)', async () => {
    const i = (await api().post('insights/', { name: 'Seen' })).body;
    expect(i.last_viewed_at).toBeNull();
    const listed = (await api().get(`insights/?short_id=${i.short_id}`)).body.results[0];
    expect(listed.last_viewed_at).toBe(i.created_at);
    expect((await api().get(`insights/${i.id}/`)).body.last_viewed_at).toBeNull();
  });
});

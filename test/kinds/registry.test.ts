import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator } from '../../src/emulator/index.js';
import type { Json, JsonObject } from '../../src/json.js';
import { dependencyLevels, KINDS, type KindDef } from '../../src/kinds/index.js';
import { DEV_API_KEY } from '../../src/emulator/index.js';
import { ROOT, testEmulator, workspace } from '../helpers/e2e.js';

/**
 * The invariants every kind keeps, one case per kind per rule (after SDR's registry
 * validation tests): adding a kind that breaks one fails here, not in a user's project.
 */

/** A value of each spec field that is not the server's default, so normalize must keep it. */
const SAMPLES: Record<string, { base: JsonObject; fields: JsonObject }> = {
  Insight: {
    base: {},
    fields: {
      name: 'Signups',
      derived_name: 'Pageview count',
      description: 'Why it matters',
      tags: ['growth'],
      favorited: true,
      dashboards: [7],
      saved: false,
      filters: { insight: 'TRENDS' },
      query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [] } },
    },
  },
  InsightVariable: {
    // A List variable with a values query: the one shape that keeps every field (the connection needs the query).
    base: { name: 'Region', type: 'List', values_query: 'SELECT DISTINCT region FROM accounts' },
    fields: {
      name: 'Region',
      type: 'String',
      default_value: 'EU',
      values: ['EU', 'US'],
      is_multi: true,
      values_query: 'SELECT region FROM accounts',
      values_query_connection_id: '0190aaaa-0000-7000-8000-000000000001',
    },
  },
  HogFunction: {
    base: { type: 'transformation', hog: 'return event' },
    fields: {
      name: 'GeoIP',
      description: 'Adds geo properties',
      type: 'destination',
      enabled: true,
      template_id: 'template-geoip',
      icon_url: '/static/geo.png',
      execution_order: 3,
      hog: 'return event',
      inputs_schema: [{ key: 'url', type: 'string' }],
      inputs: { url: { value: 'https://example.com' } },
      filters: { events: [{ id: '$pageview', type: 'events' }] },
      masking: { ttl: 60, hash: '{person.id}' },
      mappings: [{ name: 'Signups' }],
    },
  },
  Dashboard: {
    base: {},
    fields: {
      name: 'Growth',
      description: 'Weekly numbers',
      pinned: true,
      tags: ['growth'],
      restriction_level: 37,
      filters: { date_from: '-30d' },
      variables: { country: { value: 'NL' } },
      breakdown_colors: [{ breakdownValue: 'Chrome', colorToken: 'preset-2' }],
      data_color_theme_id: 3,
      quick_filter_ids: ['0190aaaa-0000-7000-8000-000000000002'],
      tiles: [{ text: '## Notes', layouts: { sm: { x: 0, y: 0, w: 6, h: 5 } } }],
    },
  },
  Alert: {
    base: { insight: 'weekly-signups' },
    fields: {
      insight: 'weekly-signups',
      name: 'Signups drop',
      enabled: false,
      calculation_interval: 'hourly',
      condition: { type: 'relative_decrease' },
      threshold: { configuration: { type: 'percentage', bounds: { lower: 0.2 } } },
      config: { type: 'TrendsAlertConfig', series_index: 0 },
      detector_config: { type: 'zscore', threshold: 3 },
      skip_weekend: true,
      schedule_restriction: { blocked_windows: [{ start: '22:00', end: '06:00' }] },
      subscribed_users: [1],
      investigation_agent_enabled: true,
      investigation_gates_notifications: true,
      investigation_inconclusive_action: 'suppress',
    },
  },
  Action: {
    base: { name: 'Signed up' },
    fields: {
      name: 'Signed up',
      description: 'A new account',
      tags: ['growth'],
      pinned: true,
      post_to_slack: true,
      slack_message_format: '[user.name] signed up',
      steps: [{ event: '$pageview', url: '/welcome', url_matching: 'exact' }],
    },
  },
  Cohort: {
    base: { name: 'Power users' },
    fields: {
      name: 'Power users',
      description: 'Most active',
      filters: { properties: { type: 'AND', values: [{ type: 'person', key: 'email', operator: 'icontains', value: '@example.com' }] } },
    },
  },
};

function schemaOf(kind: KindDef): JsonObject {
  return JSON.parse(readFileSync(join(ROOT, 'schemas', kind.schema), 'utf8')) as JsonObject;
}

function specFields(kind: KindDef): string[] {
  const spec = (schemaOf(kind).properties as JsonObject).spec as JsonObject;
  return Object.keys(spec.properties as JsonObject);
}

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: await loadSeed(demoSeedPath()) });
});
afterAll(async () => emu.close());

describe('the kind registry', () => {
  it('has kinds with unique names, folders and paths', () => {
    expect(KINDS.length).toBeGreaterThanOrEqual(3);
    for (const field of ['kind', 'cliName', 'folder', 'apiPath', 'schema'] as const) {
      expect(new Set(KINDS.map((k) => k[field])).size, field).toBe(KINDS.length);
    }
  });

  it('orders kinds so that every kind comes after what it depends on (dependsOn registered, no cycle)', () => {
    const order = dependencyLevels()
      .flat()
      .map((k) => k.kind);
    for (const k of KINDS) {
      for (const d of k.dependsOn) {
        expect(order, `${k.kind} depends on ${d}`).toContain(d);
        expect(order.indexOf(d)).toBeLessThan(order.indexOf(k.kind));
      }
    }
  });

  it('has samples for every kind in this test', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(KINDS.map((k) => k.kind).sort());
  });
});

describe.each(KINDS.map((k) => [k.kind, k] as const))('kind %s', (_name, kind) => {
  it('has a JSON Schema in schemas/ for its files, with the envelope and its kind name', () => {
    expect(existsSync(join(ROOT, 'schemas', kind.schema))).toBe(true);
    const props = schemaOf(kind).properties as JsonObject;
    expect(Object.keys(props).sort()).toEqual(['apiVersion', 'key', 'kind', 'spec']);
    expect((props.kind as JsonObject).const).toBe(kind.kind);
  });

  it("keeps exactly the schema's spec fields: each one survives normalize, anything else is dropped", () => {
    const sample = SAMPLES[kind.kind] as (typeof SAMPLES)[string];
    const fields = specFields(kind);
    expect(Object.keys(sample.fields).sort()).toEqual([...fields].sort());
    for (const field of fields) {
      const spec = { ...sample.base, [field]: sample.fields[field] as Json };
      expect(kind.normalize(spec), field).toHaveProperty([field]);
    }
    expect(kind.normalize({ ...sample.base, not_a_field: 1 })).not.toHaveProperty(['not_a_field']);
  });

  it('is served by the emulator, and the demo seed has some', async () => {
    const res = await fetch(`${emu.url}/api/projects/1/${kind.apiPath}?${new URLSearchParams(kind.listQuery ?? {})}`, {
      headers: { Authorization: `Bearer ${DEV_API_KEY}` },
    });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { count: number; results: unknown[] };
    expect(page.results.length).toBeGreaterThan(0);
  });

  it('round-trips: pull of the seeded project, then diff, shows nothing to do', async () => {
    const ws = await workspace(emu);
    const pull = await ws.run(['pull', '--kinds', kind.cliName]);
    expect(pull.code, pull.stderr).toBe(0);
    expect(ws.files(`posthog/${kind.folder}`).length).toBeGreaterThan(0);
    const diff = await ws.run(['diff', '--kinds', kind.cliName]);
    expect(diff.code, diff.stdout).toBe(0);
  });
});

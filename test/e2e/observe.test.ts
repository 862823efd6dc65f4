import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace, type Workspace } from '../helpers/e2e.js';
import { expectGolden } from '../helpers/golden.js';

let emu: Emulator;
let demo: SeedDoc;
let ws: Workspace;

/** Compares with test/golden/observe/<name>, volatile values (times, ports) replaced first. */
function golden(name: string, actual: string): void {
  const normalised = actual
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g, '<time>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>');
  expectGolden(`observe/${name}`, normalised);
}

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
  ws = await workspace(emu);
  expect((await ws.run(['pull'])).code).toBe(0);
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

describe('hogsync test', () => {
  it('runs the edited, unpushed file through the invocations endpoint, fetches mocked, secrets hidden', async () => {
    const file = 'posthog/hog-functions/notify-crm-of-signups.yaml';
    const original = ws.read(file);
    ws.write(file, original.replace('  hog: |-\n', "  hog: |-\n    print('testing the local version')\n"));
    try {
      emu.clearRequests();
      const r = await ws.run(['test', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^HogFunction\/notify-crm-of-signups: success/);
      expect(r.stdout).toContain('testing the local version');
      expect(r.stdout).toContain("Async function 'fetch' was mocked");
      expect(r.stdout).toContain('https://hooks.example.com/posthog/signups');
      expect(r.stdout).toContain('<secret:auth_header>');
      expect(r.stdout).not.toContain('fake-demo-token');
      expect(emu.requests().map((q) => `${q.method} ${q.path}`)).toEqual([
        `POST /api/projects/1/hog_functions/${emu.project(1)?.hogFunctions.find((h) => h.name === 'Notify CRM of signups')?.id}/invocations/`,
      ]);
      // The stored function did not change.
      expect(emu.project(1)?.hogFunctions.find((h) => h.name === 'Notify CRM of signups')?.hog).not.toContain('testing the local version');
    } finally {
      ws.write(file, original);
    }
  });

  it('a secret set from ${VAR} runs with its value, masked in the output', async () => {
    const file = 'posthog/hog-functions/notify-crm-of-signups.yaml';
    const original = ws.read(file);
    ws.write(file, original.replace('    auth_header:\n      secret: true', '    auth_header:\n      value: ${CRM_TOKEN}'));
    try {
      const r = await ws.run(['test', file, '--output', 'json'], { CRM_TOKEN: 'Bearer fake-token-from-env' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain('fake-token-from-env');
      expect(
        JSON.parse(r.stdout)
          .logs.map((l: { message: string }) => l.message)
          .join('\n'),
      ).toContain('"Authorization": "********"');
    } finally {
      ws.write(file, original);
    }
  });

  it('takes the event from --event, and exits 1 when the invocation reports an error', async () => {
    const file = 'posthog/hog-functions/ip-anonymization.yaml';
    writeFileSync(
      join(ws.dir, 'event.json'),
      JSON.stringify({
        event: '$pageview',
        properties: { $ip: '10.1.2.3' },
        distinct_id: 'u1',
        uuid: 'e1',
        timestamp: '2024-01-01T00:00:00Z',
      }),
    );
    const ok = await ws.run(['test', file, '--event', 'event.json', '--output', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    const failing = 'posthog/hog-functions/failing.yaml';
    ws.write(
      failing,
      "apiVersion: hogsync/v1\nkind: HogFunction\nkey: failing\nspec:\n  name: Failing\n  type: transformation\n  hog: throw Error('boom')\n",
    );
    try {
      const r = await ws.run(['test', failing]);
      expect(r.stdout).toMatch(/HogFunction\/failing: error \(not pushed yet: run as a new function\)/);
      expect(r.stdout).toContain('boom');
      expect(r.code).toBe(1);
    } finally {
      (await import('node:fs')).rmSync(join(ws.dir, failing));
    }
  });

  it('reports a Hog syntax error at file:line:col before sending anything', async () => {
    const file = 'posthog/hog-functions/broken.yaml';
    ws.write(
      file,
      'apiVersion: hogsync/v1\nkind: HogFunction\nkey: broken\nspec:\n  name: Broken\n  type: transformation\n  hog: |-\n    let x := 1\n    return x +\n',
    );
    try {
      emu.clearRequests();
      const r = await ws.run(['test', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: posthog\/hog-functions\/broken\.yaml:9:\d+: Hog syntax error:/);
      expect(emu.requests()).toHaveLength(0);
    } finally {
      (await import('node:fs')).rmSync(join(ws.dir, file));
    }
  });
});

describe('hogsync status', () => {
  it('prints enabled, state, counts and the latest errors of every managed hog function (table, golden)', async () => {
    const r = await ws.run(['status']);
    expect(r.code, r.stderr).toBe(0);
    golden('status.txt', r.stdout);
    expect(r.stdout).toMatch(/notify-crm-of-signups\s+destination\s+yes\s+healthy\s+\d+\s+[1-9]/);
  });

  it('--output json (golden)', async () => {
    const r = await ws.run(['status', '--since', '7d', '--output', 'json']);
    expect(r.code).toBe(0);
    golden('status.json', r.stdout);
  });

  it('push --verify exits 1 when a function it changed reports failures since the push', async () => {
    const file = 'posthog/hog-functions/notify-crm-of-signups.yaml';
    const original = ws.read(file);
    ws.write(file, original.replace('description: Posts every signup and upgrade to the CRM webhook.', 'description: Verified'));
    try {
      const id = emu.project(1)?.hogFunctions.find((h) => h.name === 'Notify CRM of signups')?.id;
      const soon = new Date(Date.now() + 60_000).toISOString();
      await fetch(`${emu.url}/_emulator/projects/1/hog_functions/${id}/metrics`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify([{ timestamp: soon, name: 'failed', kind: 'failure', count: 3 }]),
      });
      await fetch(`${emu.url}/_emulator/projects/1/hog_functions/${id}/logs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify([{ timestamp: soon, level: 'ERROR', message: 'Webhook failed with status 401: Unauthorized' }]),
      });
      const r = await ws.run(['push', '--yes', '--verify']);
      expect(r.stdout).toContain('Verify (since the push began):');
      expect(r.stdout).toContain('Webhook failed with status 401: Unauthorized');
      expect(r.stderr).toMatch(/notify-crm-of-signups is failing since the push/);
      expect(r.code).toBe(1);
    } finally {
      ws.write(file, original);
      emu.reset(demo);
      await ws.run(['pull', '--force']);
    }
  });
});

describe('hogsync list and get', () => {
  it.each(['table', 'json', 'csv'])('list insight --output %s marks managed and unmanaged resources (golden)', async (format) => {
    await fetch(`${emu.url}/api/projects/1/insights/`, {
      method: 'POST',
      headers: { Authorization: 'Bearer phx_fake_hogsync_dev_key', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Made in the UI', query: { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } } }),
    });
    emu.clearRequests();
    const r = await ws.run(['list', 'insight', '--output', format]);
    expect(r.code, r.stderr).toBe(0);
    golden(`list-insight.${format === 'table' ? 'txt' : format}`, r.stdout);
    expect(r.stdout).toContain('Made in the UI');
    // Lists are fetched lightweight: basic=true skips PostHog's result-cache work.
    expect(emu.requests()[0]?.query.basic).toBe('true');
  });

  it('list keeps its columns straight for names with emoji and CJK characters, as a terminal shows them', async () => {
    for (const name of ['🚀 Launch funnel', '日本語の分析']) {
      await fetch(`${emu.url}/api/projects/1/insights/`, {
        method: 'POST',
        headers: { Authorization: 'Bearer phx_fake_hogsync_dev_key', 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, query: { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } } }),
      });
    }
    const r = await ws.run(['list', 'insight']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    // Display cells up to MANAGED, wide characters (emoji, CJK) counting two: the same on every line.
    const cells = (text: string) =>
      [...text].reduce((w, ch) => w + (/[\u{1F300}-\u{1FAFF}\u3040-\u30ff\u4e00-\u9fff]/u.test(ch) ? 2 : 1), 0);
    const upToManaged = (line: string) => cells(line.slice(0, line.search(/ {2}(yes|no|MANAGED)( |$)/) + 2));
    const header = upToManaged(lines[0] ?? '');
    for (const name of ['🚀 Launch funnel', '日本語の分析'])
      expect(upToManaged(lines.find((l) => l.includes(name)) ?? ''), name).toBe(header);
  });

  it('list cohort marks the static cohort unmanaged, and list dashboard reads the light list (golden)', async () => {
    emu.clearRequests();
    const cohorts = await ws.run(['list', 'cohort']);
    expect(cohorts.code, cohorts.stderr).toBe(0);
    golden('list-cohort.txt', cohorts.stdout);
    expect(cohorts.stdout).toMatch(/Beta testers \(uploaded\) +no/);
    const dashboards = await ws.run(['list', 'dashboard', '--output', 'csv']);
    expect(dashboards.code, dashboards.stderr).toBe(0);
    golden('list-dashboard.csv', dashboards.stdout);
    // A list needs no dashboard's tiles: one request, no retrieve per dashboard.
    expect(emu.requests().filter((q) => q.path.includes('/dashboards/'))).toHaveLength(1);
  });

  it('list hog-function --output csv quotes names with commas and marks the managed ones', async () => {
    const r = await ws.run(['list', 'hog-function', '--output', 'csv']);
    expect(r.stdout.split('\r\n')[0]).toBe('id,name,managed,key,file');
    expect(r.stdout).toContain(
      'Slack: enterprise upgrades,yes,slack-enterprise-upgrades,posthog/hog-functions/slack-enterprise-upgrades.yaml',
    );
  });

  it('get insight <short_id> prints the resource exactly as pull wrote its file', async () => {
    const insight = emu.project(1)?.insights.find((i) => i.name === 'Active users by country (SQL)');
    const r = await ws.run(['get', 'insight', insight?.short_id ?? '']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(ws.read('posthog/insights/active-users-by-country-sql.yaml'));
    expect(parse(r.stdout).spec.query.source.variables).toHaveProperty('country');
    const byKey = await ws.run(['get', 'hog-function', 'geoip']);
    expect(byKey.stdout).toBe(ws.read('posthog/hog-functions/geoip.yaml'));
    const missing = await ws.run(['get', 'insight', 'nope1234']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No Insight "nope1234" in production/);
  });

  it('icons searches PostHog’s icon service', async () => {
    const r = await ws.run(['icons', 'slack']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/slack\.com\s+Slack\s+\/api\/projects\/@current\/hog_functions\/icon\/\?id=slack\.com/);
    expect((await ws.run(['icons', 'zzzz-no-such-service'])).stdout).toBe('No icon found for "zzzz-no-such-service".\n');
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/json.js';
import { TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * Issue 22: an insight PostHog already holds can carry a problem the checks find (saved in the
 * UI with an undefined `{variables.nope}`, or its variable deleted in the UI). The file is as
 * last synced, so nothing of it is sent: it is a warning, with file:line:col, and a push of a
 * change to another file goes on. The same problem in a file the push would send still stops it.
 */

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

async function api(method: string, path: string, body?: unknown): Promise<JsonObject> {
  const res = await fetch(`${emu.url}/api/projects/1/${path}`, {
    method,
    headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return res.status === 204 ? {} : ((await res.json()) as JsonObject);
}

const SQL_NAME = 'Active users by country (SQL)';
const SQL_FILE = 'posthog/insights/active-users-by-country-sql.yaml';
const sqlInsight = () => {
  const found = emu.project(1)?.insights.find((i) => i.name === SQL_NAME);
  expect(found).toBeDefined();
  return found as NonNullable<typeof found>;
};

/** A change to a file other than the SQL insight's: a description of another insight. */
function editAnotherFile(ws: Workspace): void {
  const path = 'posthog/insights/weekly-active-users.yaml';
  ws.write(path, ws.read(path).replace(/^(\s+)name: Weekly active users$/m, '$1name: Weekly active users (edited)'));
}

async function expectPushGoesOn(ws: Workspace, unknown: string): Promise<void> {
  editAnotherFile(ws);
  const diff = await ws.run(['diff', '--output', 'json']);
  expect(diff.code, diff.stderr).toBe(2);
  const warning = new RegExp(
    `${SQL_FILE.replace(/[.]/g, '\\.')}:\\d+:\\d+: \\{variables\\.${unknown}\\} refers to no insight variable file`,
  );
  expect(diff.stderr).toMatch(new RegExp(`^warning: ${warning.source}`, 'm'));
  expect((JSON.parse(diff.stdout) as { warnings: string[] }).warnings).toEqual([expect.stringMatching(warning)]);
  emu.clearRequests();
  const push = await ws.run(['push', '--yes']);
  expect(push.code, push.stdout + push.stderr).toBe(0);
  expect(push.stderr).toMatch(warning);
  expect(emu.project(1)?.insights.find((i) => i.name === 'Weekly active users (edited)')).toBeDefined();
  // Nothing of the SQL insight was sent.
  expect(emu.requests().filter((r) => r.method !== 'GET' && r.path.includes(`/insights/${String(sqlInsight().id)}/`))).toEqual([]);
}

describe('an insight PostHog holds with an unknown variable', () => {
  it('saved so in the UI: a warning, and a change to another file is pushed', async () => {
    const ws = await workspace(emu);
    const query = structuredClone(sqlInsight().query) as JsonObject;
    const source = query.source as JsonObject;
    source.query = `${String(source.query)}\n-- and {variables.nope}`;
    await api('PATCH', `insights/${String(sqlInsight().id)}/`, { query });
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    expect(ws.read(SQL_FILE)).toContain('{variables.nope}');
    await expectPushGoesOn(ws, 'nope');
    // Asked for, validate still reports every problem.
    const validate = await ws.run(['validate']);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toMatch(/active-users-by-country-sql\.yaml:\d+:\d+: \{variables\.nope\} refers to no insight variable file/);
  });

  it('its variable deleted in the UI: a warning, and a change to another file is pushed', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const minEvents = emu.project(1)?.insightVariables.find((v) => v.code_name === 'min_events');
    await api('DELETE', `insight_variables/${String(minEvents?.id)}/`);
    // The nightly backup takes the deletion: the variable's file goes, the insight's stays as it is.
    const pull = await ws.run(['pull', '--commit']);
    expect(pull.code, pull.stderr).toBe(0);
    expect(ws.files('posthog/insight-variables')).not.toContain('min_events.yaml');
    await expectPushGoesOn(ws, 'min_events');
  });

  it('still stops a push that would send that file, with file:line:col', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    ws.write(SQL_FILE, ws.read(SQL_FILE).replace('LIMIT 20', 'LIMIT {variables.nope}'));
    emu.clearRequests();
    const push = await ws.run(['push', '--yes']);
    expect(push.code).toBe(1);
    expect(push.stderr).toMatch(
      new RegExp(`${SQL_FILE.replace(/[.]/g, '\\.')}:\\d+:\\d+: \\{variables\\.nope\\} refers to no insight variable file`),
    );
    expect(emu.requests()).toEqual([]);
  });
});

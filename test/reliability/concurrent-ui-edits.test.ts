import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';
import { startCli, waitFor } from './attack-kit.js';

/**
 * Someone edits a resource in PostHog's UI while a push is on its way: after push read the
 * project, before its write lands. The edit must never vanish from hogsync's view (a base that
 * already holds it would make diff say "in sync" and git never get it), and an edit to a field the
 * push writes must not be overwritten unseen. Every request waits LATENCY_MS before PostHog
 * handles it, and push reads dashboards one by one after the lists: an edit sent through the API
 * as soon as a list has been answered lands after push's read and before its write.
 */

const LATENCY_MS = 250;

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

const project = () => emu.project(1);

/** The file's `name:` line changed: the push's own edit. */
function rename(ws: Workspace, file: string, name: string): void {
  ws.write(file, ws.read(file).replace(/^ {2}name: .*$/m, `  name: ${name}`));
}

/** An edit made in PostHog's UI: a PATCH through the API with the same key. */
async function inTheUi(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${emu.url}/api/projects/1/${path}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, path).toBe(200);
}

/** Pushes (or runs `args`) with every request delayed, and makes `uiEdit` once `listed` (a list path) has been answered. */
async function pushWhileEdited(
  ws: Workspace,
  listed: string,
  uiEdit: () => Promise<void>,
  env: Record<string, string> = {},
  args = ['push', '--yes', '--concurrency', '1'],
) {
  emu.setFaults({ latencyMs: LATENCY_MS });
  emu.clearRequests();
  const push = startCli(ws.dir, args, env);
  const read = await waitFor(() => emu.requests().some((r) => r.method === 'GET' && r.path.endsWith(listed)), 30_000);
  await uiEdit();
  const done = await push.done;
  emu.setFaults({ latencyMs: 0 });
  expect(read, `the push never listed ${listed}`).toBe(true);
  return done;
}

describe("a UI edit that lands between push's read and its write", () => {
  it('to another field of an insight: kept in PostHog, and the next diff shows it as drift that pull takes', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    rename(ws, 'posthog/insights/weekly-active-users.yaml', 'WAU (renamed in git)');
    const push = await pushWhileEdited(ws, '/insights/', () => inTheUi('insights/1/', { description: 'Edited in the UI meanwhile' }));
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(push.stdout).toMatch(
      /description changed in PostHog while this push ran \(kept there, not overwritten\); diff shows it as drift/,
    );
    const wau = project()?.insights.find((i) => i.id === 1);
    expect(wau?.name).toBe('WAU (renamed in git)');
    expect(wau?.description).toBe('Edited in the UI meanwhile');

    const diff = await ws.run(['diff']);
    expect(diff.stdout).toMatch(/! drift Insight\/weekly-active-users[\s\S]*Edited in the UI meanwhile/);
    expect((await ws.run(['pull'])).code).toBe(0);
    expect(ws.read('posthog/insights/weekly-active-users.yaml')).toContain('description: Edited in the UI meanwhile');
    expect((await ws.run(['diff'])).code).toBe(0);
  });

  it('to another field of a variable: the same', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    rename(ws, 'posthog/insight-variables/country.yaml', 'Country (renamed in git)');
    const id = project()?.insightVariables.find((v) => v.name === 'Country')?.id;
    const push = await pushWhileEdited(ws, '/insight_variables/', () => inTheUi(`insight_variables/${id}/`, { default_value: 'FR' }));
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(project()?.insightVariables.find((v) => v.id === id)?.default_value).toBe('FR');
    const diff = await ws.run(['diff']);
    expect(diff.stdout).toMatch(/! drift InsightVariable\/country/);
    expect((await ws.run(['pull'])).code).toBe(0);
    expect(ws.read('posthog/insight-variables/country.yaml')).toContain('default_value: FR');
  });

  it("to the field the push writes, with PostHog's copy older than the freshness window: read again first, a conflict, nothing overwritten", async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    rename(ws, 'posthog/insights/weekly-active-users.yaml', 'WAU (renamed in git)');
    // A window of 0 ms: every update without PostHog's concurrency guard reads the resource again.
    const push = await pushWhileEdited(ws, '/insights/', () => inTheUi('insights/1/', { name: 'WAU (renamed in the UI)' }), {
      HOGSYNC_FRESH_MS: '0',
    });
    expect(push.code, push.stdout + push.stderr).toBe(3);
    expect(push.stdout).toMatch(
      /conflict: changed in PostHog after this run read it \(read again before the write\), so nothing was overwritten/,
    );
    expect(project()?.insights.find((i) => i.id === 1)?.name).toBe('WAU (renamed in the UI)');
    expect((await ws.run(['diff'])).stdout).toMatch(/! conflict Insight\/weekly-active-users/);
  });

  it("to the field the push writes, early in a listing longer than the freshness window: PostHog's copy is as old as the listing, so it is read again", async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    rename(ws, 'posthog/insights/weekly-active-users.yaml', 'WAU (renamed in git)');
    // The insights come in the first round of the listing; the dashboards' retrieves take a second
    // one, so the listing lasts two latencies, longer than this window, and the write follows at once.
    const push = await pushWhileEdited(ws, '/insights/', () => inTheUi('insights/1/', { name: 'WAU (renamed in the UI)' }), {
      HOGSYNC_FRESH_MS: String(Math.round(LATENCY_MS * 1.6)),
    });
    expect(push.code, push.stdout + push.stderr).toBe(3);
    expect(project()?.insights.find((i) => i.id === 1)?.name).toBe('WAU (renamed in the UI)');
  });

  it('during a restore: the conflict names restore, the command to run again', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    rename(ws, 'posthog/insights/weekly-active-users.yaml', 'WAU (renamed in git)');
    await ws.git.add('.');
    await ws.git.commit('rename');
    const run = await pushWhileEdited(
      ws,
      '/insights/',
      () => inTheUi('insights/1/', { name: 'WAU (renamed in the UI)' }),
      { HOGSYNC_FRESH_MS: '0' },
      ['restore', 'HEAD', '--yes'],
    );
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(run.stdout).toMatch(/so nothing was overwritten; run diff to see both sides, then restore again/);
    expect(project()?.insights.find((i) => i.id === 1)?.name).toBe('WAU (renamed in the UI)');
  });

  it("to a hog function: PostHog's own guard (base_updated_at) turns it into a conflict, nothing overwritten", async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    rename(ws, 'posthog/hog-functions/geoip.yaml', 'GeoIP (renamed in git)');
    const id = project()?.hogFunctions.find((f) => f.name === 'GeoIP')?.id;
    const push = await pushWhileEdited(ws, '/hog_functions/', () =>
      inTheUi(`hog_functions/${id}/`, { description: 'Edited in the UI meanwhile' }),
    );
    expect(push.stdout).toMatch(/conflict: changed in PostHog after this run read it/);
    const geoip = project()?.hogFunctions.find((f) => f.id === id);
    expect(geoip?.name).toBe('GeoIP');
    expect(geoip?.description).toBe('Edited in the UI meanwhile');
  });
});

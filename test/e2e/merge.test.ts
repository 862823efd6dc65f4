import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * The file and PostHog both changed one resource since the last sync. Different fields are no
 * conflict: push sends the file's and keeps PostHog's, and pull brings PostHog's into the file
 * while keeping the file's own edit. Only a field changed on both sides is a conflict.
 */

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

const FILE = 'posthog/hog-functions/geoip.yaml';
const destination = () => emu.project(1)?.hogFunctions.find((f) => f.name?.startsWith('GeoIP'));

async function disableInTheUi(): Promise<void> {
  const res = await fetch(`${emu.url}/api/projects/1/hog_functions/${destination()?.id}/`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ enabled: false }),
  });
  expect(res.status).toBe(200);
}

/** The file renames the transformation, PostHog's UI disables it. */
async function bothSides(): Promise<Workspace> {
  const ws = await workspace(emu);
  expect((await ws.run(['pull', '--commit'])).code).toBe(0);
  const text = ws.read(FILE);
  expect(text).toMatch(/^ {2}enabled: true$/m);
  ws.write(FILE, text.replace(/^ {2}name: .*$/m, '  name: GeoIP (renamed in git)'));
  await disableInTheUi();
  return ws;
}

describe('a file and PostHog that changed different fields', () => {
  it("push sends the file's field and keeps PostHog's; the next pull brings PostHog's into the file", async () => {
    const ws = await bothSides();
    const diff = await ws.run(['diff']);
    expect(diff.code).toBe(2);
    expect(diff.stdout).toMatch(
      /~ update HogFunction\/geoip .*\n\s+# changed in both places, different fields: push sends the file's name and keeps PostHog's enabled, which pull then brings into the file/,
    );
    expect(diff.stdout).not.toMatch(/! conflict/);

    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(push.stdout).toMatch(/kept PostHog's enabled, which pull brings into the file/);
    expect(destination()?.name).toBe('GeoIP (renamed in git)');
    expect(destination()?.enabled).toBe(false);

    const after = await ws.run(['diff']);
    expect(after.stdout).toMatch(/! drift HogFunction\/geoip[\s\S]*enabled: true → false/);
    expect((await ws.run(['pull'])).code).toBe(0);
    expect(ws.read(FILE)).toMatch(/^ {2}enabled: false$/m);
    expect(ws.read(FILE)).toContain('name: GeoIP (renamed in git)');
    expect((await ws.run(['diff'])).code).toBe(0);
  });

  it("pull first: PostHog's field comes into the file, the file's own edit stays for push, and the backup commit leaves it out", async () => {
    const ws = await bothSides();
    const pull = await ws.run(['pull', '--commit']);
    expect(pull.code, pull.stdout + pull.stderr).toBe(0);
    expect(pull.stdout).toMatch(/took PostHog's enabled and kept the file's own name, for push to send/);
    expect(ws.read(FILE)).toMatch(/^ {2}enabled: false$/m);
    expect(ws.read(FILE)).toContain('name: GeoIP (renamed in git)');

    const diff = await ws.run(['diff']);
    expect(diff.stdout).toMatch(/~ update HogFunction\/geoip/);
    expect(diff.stdout).toMatch(/name: "GeoIP" → "GeoIP \(renamed in git\)"/);
    expect(diff.stdout).not.toMatch(/enabled/);
    expect((await ws.run(['push', '--yes'])).code).toBe(0);
    expect(destination()?.enabled).toBe(false);
    expect(destination()?.name).toBe('GeoIP (renamed in git)');
    expect((await ws.run(['diff'])).code).toBe(0);
  });
});

describe('a field changed on both sides', () => {
  it('is a conflict that shows the base, the file and PostHog', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    ws.write(FILE, ws.read(FILE).replace(/^ {2}name: .*$/m, '  name: GeoIP (git)'));
    const res = await fetch(`${emu.url}/api/projects/1/hog_functions/${destination()?.id}/`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'GeoIP (UI)' }),
    });
    expect(res.status).toBe(200);
    const diff = await ws.run(['diff']);
    expect(diff.code).toBe(3);
    expect(diff.stdout).toMatch(/! conflict HogFunction\/geoip/);
    expect(diff.stdout).toMatch(/~ spec\.name:\n\s+base:\s+"GeoIP"\n\s+file:\s+"GeoIP \(git\)"\n\s+PostHog: "GeoIP \(UI\)"/);
    const md = await ws.run(['diff', '-o', 'markdown']);
    expect(md.stdout).toContain('base `"GeoIP"` · file `"GeoIP (git)"` · PostHog `"GeoIP (UI)"`');
    const json = JSON.parse((await ws.run(['diff', '-o', 'json'])).stdout) as { changes: Array<{ key: string; base?: unknown }> };
    expect(json.changes.find((c) => c.key === 'geoip')?.base).toEqual({ name: 'GeoIP' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * Issue 21 (7): list answers that are not PostHog's. A proxy in front of PostHog that does not
 * pass the hog-function path on answers its list with an empty page and each retrieve with its
 * own HTML 404 page: pull took the 404s for "deleted" and removed every hog-function file (and
 * their bindings). And a `null` among a list's rows crashed pull with an internal error. Only
 * PostHog's own 404 (JSON) says a resource is gone, and a row must be an object.
 */

const FOLDER = 'posthog/hog-functions';
let emu: Emulator;
let seed: SeedDoc;
beforeAll(async () => {
  seed = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed });
});
afterAll(async () => emu.close());

/** The demo project pulled and committed, as the nightly backup leaves it. */
async function backedUp(): Promise<{ ws: Workspace; files: string[]; state: string }> {
  emu.reset(seed);
  emu.setFaults({ malformed: null });
  const ws = await workspace(emu);
  const pull = await ws.run(['pull', '--commit']);
  expect(pull.code, pull.stderr).toBe(0);
  const files = ws.files(FOLDER);
  expect(files.length).toBeGreaterThan(0);
  return { ws, files, state: ws.read('.hogsync/state/production.json') };
}

describe('a proxy that does not pass the hog-function path on (empty list, HTML 404s)', () => {
  it.each([['pull'], ['diff'], ['push', '--yes']])(
    '%s stops with one sentence and removes, deletes and re-creates nothing',
    async (...args) => {
      const { ws, files, state } = await backedUp();
      const before = emu.project(1)?.hogFunctions.length;
      emu.clearRequests();
      emu.setFaults({ malformed: { rate: 1, kind: 'misrouted', path: '/hog_functions/' } });
      const run = await ws.run(args);
      emu.setFaults({ malformed: null });
      expect(emu.requests().some((r) => r.fault === 'malformed')).toBe(true);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /^error: The server answered 404 to GET \/api\/projects\/1\/hog_functions\/[^/]+\/: an HTML page \("404 Not Found"\)\. It is not PostHog's answer .* check that --host is PostHog's API and not a proxy or web page in front of it\.\n$/m,
      );
      expect(run.stderr).not.toMatch(/internal error/);
      expect(ws.files(FOLDER)).toEqual(files);
      expect(ws.read('.hogsync/state/production.json')).toBe(state);
      expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);
      expect(emu.project(1)?.hogFunctions.filter((f) => !f.deleted)).toHaveLength(before ?? 0);
    },
  );
});

describe('a list answer with a null among its rows', () => {
  it('is read again instead of crashing, and the pull ends as on a clean read', async () => {
    const { ws, files, state } = await backedUp();
    emu.clearRequests();
    emu.setFaults({ malformed: { rate: 0.5, kind: 'null_row', path: '/(insights|hog_functions)/$' }, seed: 21 });
    const pull = await ws.run(['pull', '-o', 'json']);
    emu.setFaults({ malformed: null });
    expect(emu.requests().filter((r) => r.fault === 'malformed').length, pull.stderr).toBeGreaterThan(0);
    expect(pull.code, pull.stderr).toBe(0);
    expect((JSON.parse(pull.stdout) as { summary: Record<string, number> }).summary).toMatchObject({ added: 0, changed: 0, removed: 0 });
    expect(ws.files(FOLDER)).toEqual(files);
    expect(ws.read('.hogsync/state/production.json')).toBe(state);
  });
});

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * The plan is what gets applied: files are checked before any write, a dry run says what
 * the same push does, a saved plan applies exactly, and exit codes tell what was left.
 */

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

async function pulled(): Promise<Workspace> {
  const ws = await workspace(emu);
  expect((await ws.run(['pull'])).code).toBe(0);
  return ws;
}

const WAU = 'posthog/insights/weekly-active-users.yaml';
const GEOIP = 'posthog/hog-functions/geoip.yaml';

describe('one gate before any write', () => {
  // What needs no parser is checked before any request; Hog and HogQL are parsed while the lists
  // travel (issue 22), so only reads can have gone out then.
  it.each([
    [
      'a misspelled field',
      (ws: Workspace) =>
        ws.write(WAU, ws.read(WAU).replace('  name: Weekly active users', '  name: Weekly active users\n  descripton: typo')),
      /weekly-active-users\.yaml:\d+:3: unknown field "descripton"; did you mean "description"\?/,
      'none',
    ],
    [
      'an unknown field',
      (ws: Workspace) => ws.write(WAU, ws.read(WAU).replace('  name: Weekly active users', '  name: Weekly active users\n  colour: red')),
      /weekly-active-users\.yaml:\d+:3: unknown field "colour"/,
      'none',
    ],
    [
      'broken Hog',
      (ws: Workspace) => ws.write(GEOIP, ws.read(GEOIP).replace(/ {2}hog: \|-\n/, '  hog: |-\n    let x := (\n')),
      /geoip\.yaml:\d+:\d+: Hog syntax error/,
      'reads',
    ],
  ])('%s: diff and push exit 1 with file:line:col and send nothing', async (_name, edit, message, sent) => {
    const ws = await pulled();
    edit(ws);
    for (const args of [['diff'], ['push', '--yes'], ['push', '--yes', '--dry-run']]) {
      emu.clearRequests();
      const r = await ws.run(args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(
        emu.requests().filter((q) => sent === 'none' || q.method !== 'GET'),
        args.join(' '),
      ).toEqual([]);
    }
  });
});

describe('honest dry runs and exit codes', () => {
  type Doc = { results: Array<{ kind: string; key: string; outcome: string; reason?: string }>; dryRun?: boolean };
  const actions = (doc: Doc) => doc.results.map((e) => `${e.outcome} ${e.kind}/${e.key}`).sort();

  it.each([[[]], [['--prune']], [['--force']], [['--prune', '--force']]])(
    'push --dry-run %j says exactly what the same push does',
    async (flags) => {
      const ws = await pulled();
      // One of each: an edit, a new file, a removed file, and a UI edit (drift).
      ws.write(WAU, ws.read(WAU).replace('name: Weekly active users', 'name: WAU'));
      ws.write(
        'posthog/insights/fresh.yaml',
        'apiVersion: hogsync/v1\nkind: Insight\nkey: fresh\nspec:\n  name: Fresh\n  query:\n    kind: DataTableNode\n    source:\n      kind: EventsQuery\n      select:\n        - "*"\n',
      );
      rmSync(join(ws.dir, 'posthog/insights/recent-signups.yaml'));
      const funnel = emu.project(1)?.insights.find((i) => i.name === 'Signup funnel')?.id;
      await fetch(`${emu.url}/api/projects/1/insights/${funnel}/`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ description: 'UI' }),
      });

      emu.clearRequests();
      const dry = await ws.run(['push', '--yes', '--dry-run', '-o', 'json', ...flags]);
      expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);
      const real = await ws.run(['push', '--yes', '-o', 'json', ...flags]);
      const [d, r] = [JSON.parse(dry.stdout) as Doc, JSON.parse(real.stdout) as Doc];
      expect(d.dryRun).toBe(true);
      expect(actions(d)).toEqual(actions(r));
      // A dry run that would write exits 2 (changes wait), like diff; otherwise as the push would.
      expect(dry.code).toBe(real.code === 0 ? 2 : real.code);
      // Exit codes: 3 while drift is left, 2 while only deletes are left (no --prune), 0 when all was applied.
      const expected = flags.includes('--force') ? (flags.includes('--prune') ? 0 : 2) : 3;
      expect(real.code, real.stdout).toBe(expected);
    },
  );

  it('a push that leaves deletes (no --prune) exits 2 and says which flag applies them', async () => {
    const ws = await pulled();
    rmSync(join(ws.dir, 'posthog/insights/recent-signups.yaml'));
    const r = await ws.run(['push', '--yes']);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout).toMatch(/! skipped Insight\/recent-signups.*pass --prune to delete it in PostHog/);
  });
});

describe('saved plans', () => {
  it('diff --out, then push --plan applies exactly that plan, nothing that came after', async () => {
    const ws = await pulled();
    ws.write(WAU, ws.read(WAU).replace('name: Weekly active users', 'name: WAU'));
    const diff = await ws.run(['diff', '--out', 'plan.json']);
    expect(diff.code).toBe(2);
    // A change made after the review is not part of the plan.
    ws.write(GEOIP, ws.read(GEOIP).replace(/ {2}name: GeoIP/, '  name: GeoIP (after review)'));
    emu.clearRequests();
    const push = await ws.run(['push', '--yes', '--plan', 'plan.json']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(
      emu
        .requests()
        .filter((r) => r.method !== 'GET')
        .map((r) => r.path),
    ).toEqual([expect.stringMatching(/\/insights\/\d+\/$/)]);
    expect(emu.project(1)?.hogFunctions.find((f) => f.name === 'GeoIP (after review)')).toBeUndefined();
  });

  it('refuses (exit 3) after a UI edit to a resource it covers, naming it, and sends nothing', async () => {
    const ws = await pulled();
    ws.write(WAU, ws.read(WAU).replace('name: Weekly active users', 'name: WAU'));
    expect((await ws.run(['diff', '--out', 'plan.json'])).code).toBe(2);
    const id = emu.project(1)?.insights.find((i) => i.name === 'Weekly active users')?.id;
    await fetch(`${emu.url}/api/projects/1/insights/${id}/`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ description: 'edited in the UI' }),
    });
    emu.clearRequests();
    const push = await ws.run(['push', '--yes', '--plan', 'plan.json']);
    expect(push.code).toBe(3);
    expect(push.stderr).toMatch(
      /plan\.json is out of date, so nothing was pushed:\n {2}- Insight\/weekly-active-users \(update\): PostHog changed since the plan was saved/,
    );
    expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

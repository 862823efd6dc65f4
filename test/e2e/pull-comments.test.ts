import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { diffArrays } from 'diff';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { project } from '../emulator/helpers.js';
import { runMain, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

let emu: Emulator;
let demo: SeedDoc;
const dirs: string[] = [];

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => {
  await emu.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emu.reset(demo));

async function pulled(server: Emulator): Promise<Workspace> {
  const ws = await workspace(server, { git: false });
  dirs.push(ws.dir);
  const r = await runMain(['pull'], { cwd: ws.dir });
  expect(r.code, r.stderr).toBe(0);
  return ws;
}

const FILE = 'posthog/insights/signup-funnel.yaml';

/** The demo's signup funnel with comments above, beside and inside its fields, and a blank line. */
function annotate(text: string): string {
  const edits: Array<[string, string]> = [
    ['apiVersion: hogsync/v1\n', '# Reviewed by the growth team every quarter.\napiVersion: hogsync/v1\n'],
    ['  name: Signup funnel\n', '  # owner: growth team\n  name: Signup funnel\n'],
    ['    - funnel\n', '    - funnel  # the funnel board filters on this tag\n'],
    ['        funnelWindowInterval: 14\n', '        # two weeks: the trial length\n        funnelWindowInterval: 14\n'],
    [
      '        - kind: EventsNode\n          name: signed_up\n',
      '\n        # step 2: the signup itself\n        - kind: EventsNode\n          name: signed_up\n',
    ],
  ];
  let out = text;
  for (const [from, to] of edits) {
    expect(out, from).toContain(from);
    out = out.replace(from, to);
  }
  return out;
}

function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const parts = diffArrays(before.split('\n'), after.split('\n'));
  return { removed: parts.filter((p) => p.removed).flatMap((p) => p.value), added: parts.filter((p) => p.added).flatMap((p) => p.value) };
}

async function patchFunnel(server: Emulator, change: (insight: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const id = server.project(1)?.insights.find((i) => i.name === 'Signup funnel')?.id;
  const api = project(server);
  const current = (await api.get(`insights/${id}/`)).body as Record<string, unknown>;
  const r = await api.patch(`insights/${id}/`, change(current));
  expect(r.status, r.text).toBe(200);
}

describe('pull keeps what the user wrote around the values', () => {
  it('a remote change to one field rewrites that line only: every comment and blank line stays, and diff is clean', async () => {
    const ws = await pulled(emu);
    const before = annotate(ws.read(FILE));
    ws.write(FILE, before);
    await patchFunnel(emu, () => ({ name: 'Signup funnel (14 days)' }));

    const r = await runMain(['pull'], { cwd: ws.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`~ ${FILE}`);
    const after = ws.read(FILE);
    expect(changedLines(before, after)).toEqual({ removed: ['  name: Signup funnel'], added: ['  name: Signup funnel (14 days)'] });
    const diff = await runMain(['diff'], { cwd: ws.dir });
    expect(diff.code, diff.stdout).toBe(0);
  });

  it('a field removed in PostHog goes with its comment; the other comments stay', async () => {
    const ws = await pulled(emu);
    const before = annotate(ws.read(FILE));
    ws.write(FILE, before);
    await patchFunnel(emu, (current) => {
      const query = structuredClone(current.query) as { source: { funnelsFilter: Record<string, unknown> } };
      delete query.source.funnelsFilter.funnelWindowInterval;
      delete query.source.funnelsFilter.funnelWindowIntervalUnit;
      return { query };
    });

    const r = await runMain(['pull'], { cwd: ws.dir });
    expect(r.code, r.stderr).toBe(0);
    const after = ws.read(FILE);
    expect(changedLines(before, after)).toEqual({
      removed: ['        # two weeks: the trial length', '        funnelWindowInterval: 14', '        funnelWindowIntervalUnit: day'],
      added: [],
    });
    expect((await runMain(['diff'], { cwd: ws.dir })).code).toBe(0);
  });

  it('a second pull with no remote change rewrites no file, commented or not (same inode and mtime)', async () => {
    const insights = Array.from({ length: 300 }, (_, i) => ({
      name: `Insight ${i}`,
      description: `Number ${i}`,
      query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: `event_${i % 7}` }] } },
    }));
    const big = await testEmulator({ seed: { projects: [{ id: 1, name: 'Big', insights }] } });
    try {
      const ws = await pulled(big);
      const folder = join(ws.dir, 'posthog/insights');
      const names = ws.files('posthog/insights');
      expect(names).toHaveLength(300);
      // A tenth of the files get a comment, as a team documenting its insights would.
      for (const name of names.filter((n) => /0\.yaml$/.test(n)))
        ws.write(`posthog/insights/${name}`, `# kept by the data team\n${ws.read(`posthog/insights/${name}`)}`);
      const stamp = () =>
        Object.fromEntries(names.map((n) => [n, `${statSync(join(folder, n)).ino}@${statSync(join(folder, n)).mtimeMs}`]));
      const before = stamp();

      const again = await runMain(['pull'], { cwd: ws.dir });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('No file changed.');
      expect(stamp()).toEqual(before);

      // A remote change rewrites that one file, comment kept, and no other.
      const id = big.project(1)?.insights.find((i) => i.name === 'Insight 10')?.id;
      expect((await project(big).patch(`insights/${id}/`, { description: 'Changed' })).status).toBe(200);
      const third = await runMain(['pull'], { cwd: ws.dir });
      expect(third.code, third.stderr).toBe(0);
      const after = stamp();
      expect(names.filter((n) => after[n] !== before[n])).toEqual(['insight-10.yaml']);
      expect(ws.read('posthog/insights/insight-10.yaml')).toMatch(/^# kept by the data team\n[\s\S]* {2}description: Changed\n/);
    } finally {
      await big.close();
    }
  });
});

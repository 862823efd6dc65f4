import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { runMain, TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

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

async function repo(opts: { git?: boolean } = {}): Promise<Workspace> {
  const ws = await workspace(emu, opts);
  dirs.push(ws.dir);
  return ws;
}

const FOLDERS = [
  ['InsightVariable', 'posthog/insight-variables'],
  ['Insight', 'posthog/insights'],
  ['HogFunction', 'posthog/hog-functions'],
  ['Dashboard', 'posthog/dashboards'],
  ['Alert', 'posthog/alerts'],
  ['Action', 'posthog/actions'],
  ['Cohort', 'posthog/cohorts'],
] as const;

describe('pull --commit', () => {
  it('a stale .git/index.lock: files are written, the commit is refused with what to do; the rerun commits everything it really holds', async () => {
    const ws = await repo();
    writeFileSync(join(ws.dir, '.git', 'index.lock'), '');
    const first = await runMain(['pull', '--commit'], { cwd: ws.dir });
    expect(first.code).toBe(1);
    expect(first.stderr).toBe(
      'error: git could not commit: another git process is running or a previous one crashed: remove .git/index.lock if no git is running. The files are written; run again to commit them.\n',
    );
    const counts = FOLDERS.map(([kind, folder]) => [kind, ws.files(folder)] as const);
    const total = counts.reduce((n, [, files]) => n + files.length, 0);
    expect(total).toBeGreaterThan(10);
    expect((await ws.git.log()).total).toBe(1);

    rmSync(join(ws.dir, '.git', 'index.lock'));
    const again = await runMain(['pull', '--commit'], { cwd: ws.dir });
    expect(again.code, again.stderr).toBe(0);
    // This run wrote nothing: the message counts what the commit holds.
    expect(again.stdout).toMatch(/; 0 added, 0 changed, 0 removed\. Committed [0-9a-f]{12}\./);
    const latest = (await ws.git.log()).latest;
    expect(latest?.message).toBe(`hogsync pull production: ${total} added, 0 changed, 0 removed`);
    for (const [kind, files] of counts) {
      expect(latest?.body).toContain(`${kind}: ${files.length} added, 0 changed, 0 removed`);
      for (const f of files) expect(latest?.body).toContain(`  + ${kind}/${f.replace(/\.yaml$/, '')}`);
    }
    const committed = (await ws.git.raw(['show', '--name-only', '--format=', 'HEAD'])).trim().split('\n');
    expect(committed).toHaveLength(total + 1);
    expect(committed).toContain('.hogsync/state/production.json');
  });

  it('the backup commit holds exactly what pull wrote: an unpushed local edit stays in the work tree, and the summary names it', async () => {
    const ws = await repo();
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const mine = 'posthog/insights/weekly-active-users.yaml';
    ws.write(mine, ws.read(mine).replace('name: Weekly active users', 'name: WAU (not pushed yet)'));
    const theirs = emu.project(1)?.insights.find((i) => i.name === 'Signup funnel')?.id;
    await fetch(`${emu.url}/api/projects/1/insights/${theirs}/`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ description: 'changed in the UI' }),
    });

    const r = await ws.run(['pull', '--commit']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Committed [0-9a-f]{12}, without the local work in posthog\/insights\/weekly-active-users\.yaml\./);
    expect(await ws.git.raw(['show', '--name-only', '--format=', 'HEAD'])).toBe(
      '.hogsync/state/production.json\nposthog/insights/signup-funnel.yaml\n',
    );
    expect(await ws.git.raw(['status', '--porcelain'])).toBe(` M ${mine}\n`);
    expect(ws.read(mine)).toContain('WAU (not pushed yet)');
  });

  it('-m sets the subject and the per-resource summary stays in the body', async () => {
    const ws = await repo();
    const r = await runMain(['pull', '--commit', '-m', 'nightly backup'], { cwd: ws.dir });
    expect(r.code, r.stderr).toBe(0);
    const latest = (await ws.git.log()).latest;
    expect(latest?.message).toBe('nightly backup');
    const total = FOLDERS.reduce((n, [, folder]) => n + ws.files(folder).length, 0);
    expect(latest?.body.startsWith(`hogsync pull production: ${total} added, 0 changed, 0 removed\n\nInsightVariable: `)).toBe(true);
    expect(latest?.body).toContain('  + Insight/weekly-active-users');
  });

  it.each([
    [
      'outside a git repository',
      async (_ws: Workspace) => undefined,
      { git: false },
      /^error: --commit needs a git repository, and .* is not in one\. Run "git init" there or drop --commit\.\n$/,
    ],
    [
      'on a detached HEAD',
      async (ws: Workspace) => void (await ws.git.raw(['checkout', '--quiet', '--detach'])),
      {},
      /^error: --commit needs a branch, but HEAD is detached at [0-9a-f]+ in .*: check out a branch first \("git switch <branch>", or "git switch -c hogsync-backup"\)\.\n$/,
    ],
    [
      'in the middle of a merge',
      async (ws: Workspace) => {
        const main = (await ws.git.raw(['symbolic-ref', '--short', 'HEAD'])).trim();
        ws.write('notes.txt', 'a\n');
        await ws.git.add('notes.txt').commit('notes');
        await ws.git.checkoutLocalBranch('other');
        ws.write('notes.txt', 'b\n');
        await ws.git.add('notes.txt').commit('other notes');
        await ws.git.checkout(main);
        ws.write('notes.txt', 'c\n');
        await ws.git.add('notes.txt').commit('conflicting notes');
        await ws.git.raw(['merge', 'other']).catch(() => undefined);
      },
      {},
      /^error: --commit cannot commit in the middle of a merge in .*: finish it with "git commit" or abort it with "git merge --abort", then run again\.\n$/,
    ],
  ])('is refused %s before any file is written', async (_name, setup, opts, message) => {
    const ws = await repo(opts);
    await setup(ws);
    emu.clearRequests();
    const r = await runMain(['pull', '--commit'], { cwd: ws.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(ws.exists('posthog')).toBe(false);
    expect(ws.exists('.hogsync')).toBe(false);
    expect(emu.requests()).toEqual([]);
  });
});

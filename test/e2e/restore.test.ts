import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * `hogsync restore <git-rev>`: PostHog made to match the files of a nightly backup commit,
 * read from git (the work tree and HEAD are not touched), with push's plan and safeguards.
 */

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${emu.url}/api/projects/1/${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
  });

const insightId = (name: string) => emu.project(1)?.insights.find((i) => i.name === name && !i.deleted)?.id;

/** Three nightly backups with changes made in the UI in between; returns the first commit. */
async function nightlies(ws: Workspace): Promise<string> {
  expect((await ws.run(['pull', '--commit', '-m', 'nightly 1'])).code).toBe(0);
  const first = (await ws.git.revparse(['HEAD'])).trim();
  // Day 2: a rename and a deletion in the UI.
  await api(`insights/${insightId('Weekly active users')}/`, {
    method: 'PATCH',
    body: JSON.stringify({ name: 'WAU (renamed in the UI)' }),
  });
  await api(`insights/${insightId('Recent signups')}/`, { method: 'PATCH', body: JSON.stringify({ deleted: true }) });
  expect((await ws.run(['pull', '--commit', '-m', 'nightly 2'])).code).toBe(0);
  // Day 3: a description changed, and a new insight.
  await api(`insights/${insightId('Signup funnel')}/`, { method: 'PATCH', body: JSON.stringify({ description: 'changed on day 3' }) });
  await api('insights/', {
    method: 'POST',
    body: JSON.stringify({ name: 'Made on day 3', query: { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } } }),
  });
  expect((await ws.run(['pull', '--commit', '-m', 'nightly 3'])).code).toBe(0);
  return first;
}

describe('hogsync restore <git-rev>', () => {
  it('plans exactly the differences to that commit, applies them, and leaves the work tree and HEAD as they were', async () => {
    const ws = await workspace(emu);
    const first = await nightlies(ws);
    const head = (await ws.git.revparse(['HEAD'])).trim();
    const status = await ws.git.raw(['status', '--porcelain']);
    const recentId = ws.state().resources['Insight/recent-signups']
      ? undefined
      : (JSON.parse(ws.read('.hogsync/state/production.json')).tombstones['Insight/recent-signups'].id as number);

    const plan = await ws.run(['restore', first, '--dry-run', '-o', 'json']);
    expect(plan.code, plan.stderr).toBe(2);
    const changes = (JSON.parse(plan.stdout) as { plan: { changes: Array<{ key: string; action: string }> } }).plan.changes;
    expect(
      changes
        .filter((c) => c.action !== 'unmanaged')
        .map((c) => `${c.action} ${c.key}`)
        .sort(),
    ).toEqual(['delete made-on-day-3', 'restore recent-signups', 'update signup-funnel', 'update weekly-active-users']);

    const run = await ws.run(['restore', first, '--yes']);
    // The day-3 insight is left alone without --prune: exit 2 says a planned change was not applied.
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stdout).toMatch(/^Restoring production to [0-9a-f]{12} \(nightly 1\)\./);
    expect(emu.project(1)?.insights.find((i) => i.id === recentId)?.deleted).toBe(false);
    expect(insightId('Weekly active users')).toBeDefined();
    expect(emu.project(1)?.insights.find((i) => i.name === 'Signup funnel')?.description).not.toBe('changed on day 3');
    expect(insightId('Made on day 3')).toBeDefined();

    const again = await ws.run(['restore', first, '--dry-run', '-o', 'json']);
    const left = (JSON.parse(again.stdout) as { plan: { changes: Array<{ key: string; action: string }> } }).plan.changes.filter(
      (c) => c.action !== 'unmanaged',
    );
    expect(left).toEqual([expect.objectContaining({ key: 'made-on-day-3', action: 'delete' })]);
    expect((await ws.git.revparse(['HEAD'])).trim()).toBe(head);
    // Only the state file changed: it records what was restored.
    expect(status).toBe('');
    expect(await ws.git.raw(['status', '--porcelain'])).toBe(' M .hogsync/state/production.json\n');

    const pruned = await ws.run(['restore', first, '--yes', '--prune', '--commit']);
    expect(pruned.code, pruned.stdout + pruned.stderr).toBe(0);
    expect(insightId('Made on day 3')).toBeUndefined();
    const message = await ws.git.raw(['log', '-1', '--format=%B']);
    expect(message).toMatch(
      /^hogsync restore production to [0-9a-f]{12}: 0 restored, 0 created, 0 updated, 1 deleted\n\nFiles as of [0-9a-f]{40} \(nightly 1\)\./,
    );
    expect(await ws.git.raw(['show', '--name-only', '--format=', 'HEAD'])).toBe('.hogsync/state/production.json\n');
  });

  it('a restored resource whose file the work tree lost is written back by the next pull, and push --prune leaves it alone meanwhile', async () => {
    const ws = await workspace(emu);
    const first = await nightlies(ws);
    const FILE = 'posthog/insights/recent-signups.yaml';
    expect(ws.exists(FILE), 'the nightly pull removed the file of the deleted insight').toBe(false);
    const run = await ws.run(['restore', first, '--yes', 'insight/recent-signups']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `note: 1 restored resource(s) have no file in the work tree, or an older one (${FILE}): the next "hogsync pull" writes them as PostHog now holds them`,
    );
    const id = insightId('Recent signups');
    expect(id).toBeDefined();

    emu.clearRequests();
    const push = await ws.run(['push', '--yes', '--prune']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(
      emu
        .requests()
        .filter((r) => r.method !== 'GET')
        .map((r) => `${r.method} ${r.path}`),
      `the missing file is not a removal: ${push.stdout}`,
    ).toEqual([]);
    expect(insightId('Recent signups')).toBe(id);

    const pull = await ws.run(['pull']);
    expect(pull.code, pull.stderr).toBe(0);
    expect(ws.read(FILE)).toBe(await ws.git.show([`${first}:${FILE}`]));
    expect(ws.state().resources['Insight/recent-signups']).toEqual(expect.not.objectContaining({ awaitsFile: true }));
    expect((await ws.run(['diff'])).code).toBe(0);
  });

  it('a selector restores only the selected resources', async () => {
    const ws = await workspace(emu);
    const first = await nightlies(ws);
    const run = await ws.run(['restore', first, '--yes', 'insight/weekly-active-users']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(insightId('Weekly active users')).toBeDefined();
    expect(emu.project(1)?.insights.find((i) => i.name === 'Signup funnel')?.description).toBe('changed on day 3');
    expect(emu.project(1)?.insights.find((i) => i.name === 'Recent signups')?.deleted).toBe(true);
  });

  it('leaves an edit made in PostHog since the last sync, which no backup holds, and names restore --force to overwrite it', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    await api(`insights/${insightId('Weekly active users')}/`, {
      method: 'PATCH',
      body: JSON.stringify({ name: 'WAU (renamed in the UI)' }),
    });
    const run = await ws.run(['restore', 'HEAD', '--yes']);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain("changed in PostHog since the last sync; restore --force overwrites PostHog with the commit's version");
    expect(run.stdout).not.toContain('push --force');
    expect(insightId('WAU (renamed in the UI)')).toBeDefined();
  });

  it('a dry run needs no variable values: it shows the plan and names what the real run would need', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    ws.write(
      'posthog/insight-variables/region.yaml',
      'apiVersion: hogsync/v1\nkind: InsightVariable\nkey: region\nspec:\n  name: Region\n  type: String\n  default_value: ${DEFAULT_REGION}\n',
    );
    await ws.git.add('.');
    await ws.git.commit('a variable whose default comes from the environment');

    emu.clearRequests();
    const dry = await ws.run(['restore', 'HEAD', '--dry-run']);
    expect(dry.code, dry.stdout + dry.stderr).toBe(2);
    expect(dry.stdout).toMatch(/\+ create InsightVariable\/region/);
    expect(dry.stdout).toMatch(
      /warning: restore needs these variables, which are not set here[^\n]*\n\s+\$\{DEFAULT_REGION\} {2}used by InsightVariable\/region/,
    );
    expect(dry.stderr).not.toMatch(/Nothing was pushed/);
    const json = JSON.parse((await ws.run(['restore', 'HEAD', '--dry-run', '-o', 'json'])).stdout) as { plan: { needs: unknown } };
    expect(json.plan.needs).toEqual([{ variable: 'DEFAULT_REGION', secret: false, users: ['InsightVariable/region'] }]);
    const push = await ws.run(['push', '--dry-run']);
    expect(push.stdout).toMatch(/warning: push needs these variables[^\n]*\n\s+\$\{DEFAULT_REGION\}/);
    expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);
    // The real run still stops before any write until the variable is set.
    const real = await ws.run(['restore', 'HEAD', '--yes']);
    expect(real.code).toBe(1);
    expect(real.stderr).toMatch(/DEFAULT_REGION is not set/);
  });

  it('a revision that names no commit is one sentence, before any request', async () => {
    const ws = await workspace(emu);
    emu.clearRequests();
    const r = await ws.run(['restore', 'no-such-rev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: "no-such-rev" names no commit of this repository/);
    expect(emu.requests()).toEqual([]);
  });
});

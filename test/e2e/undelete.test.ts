import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * Backups you can restore: a resource deleted in PostHog comes back in place, with its id
 * and short_id (PATCH {"deleted": false}, posthog-api.md §2.4 and products/cdp/backend/api/hog_function.py
 * update), so shared links and dashboard tiles keep working; a variable, which PostHog deletes
 * for good, is re-created and the SQL insights that use it are re-pointed.
 */

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

// On no dashboard and with no alert: what a restore does to those is in whole-project.test.ts.
const INSIGHT = 'recent-signups';
const FUNCTION = 'notify-crm-of-signups';

async function pulled(): Promise<Workspace> {
  const ws = await workspace(emu);
  const r = await ws.run(['pull', '--commit']);
  expect(r.code, r.stderr).toBe(0);
  return ws;
}

function ids(ws: Workspace) {
  const r = ws.state().resources;
  return { insight: r[`Insight/${INSIGHT}`], fn: r[`HogFunction/${FUNCTION}`] };
}

async function softDelete(path: string): Promise<void> {
  const res = await fetch(`${emu.url}/api/projects/1/${path}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ deleted: true }),
  });
  expect(res.status).toBe(200);
}

function diffJson(stdout: string): Array<{ kind: string; key: string; action: string; id?: number | string; notes?: string[] }> {
  return (JSON.parse(stdout) as { changes: Array<{ kind: string; key: string; action: string; id?: number | string; notes?: string[] }> })
    .changes;
}

describe('undelete, never re-create, when PostHog still has the resource', () => {
  it('deleted in the UI, pulled away, then the files brought back by git revert: restore keeps id and short_id', async () => {
    const ws = await pulled();
    const before = ids(ws);
    const shortId = emu.project(1)?.insights.find((i) => i.id === before.insight?.id)?.short_id;
    await softDelete(`insights/${before.insight?.id}/`);
    await softDelete(`hog_functions/${before.fn?.id}/`);

    // The nightly backup records the deletions: files removed, bindings kept as tombstones.
    const nightly = await ws.run(['pull', '--commit']);
    expect(nightly.code, nightly.stderr).toBe(0);
    expect(ws.exists(`posthog/insights/${INSIGHT}.yaml`)).toBe(false);
    expect(JSON.parse(ws.read('.hogsync/state/production.json')).tombstones[`Insight/${INSIGHT}`].id).toBe(before.insight?.id);

    await ws.git.raw(['revert', '--no-edit', 'HEAD']);
    const diff = await ws.run(['diff', '-o', 'json']);
    expect(diff.code).toBe(2);
    const restores = diffJson(diff.stdout).filter((c) => c.action === 'restore');
    expect(restores.map((c) => `${c.kind}/${c.key}`).sort()).toEqual([`HogFunction/${FUNCTION}`, `Insight/${INSIGHT}`]);
    expect(restores.find((c) => c.kind === 'Insight')?.notes?.join()).toMatch(
      new RegExp(`undeleted in place, so id ${before.insight?.id}, short_id ${shortId}`),
    );

    emu.clearRequests();
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(push.stdout).toMatch(/2 restored/);
    expect(emu.requests().filter((r) => r.method === 'POST')).toEqual([]);
    const after = ids(ws);
    expect(after.insight?.id).toBe(before.insight?.id);
    expect(after.fn?.id).toBe(before.fn?.id);
    const insight = emu.project(1)?.insights.find((i) => i.id === before.insight?.id);
    expect([insight?.deleted, insight?.short_id]).toEqual([false, shortId]);
    expect(emu.project(1)?.hogFunctions.find((f) => f.id === before.fn?.id)?.deleted).toBe(false);
    expect((await ws.run(['diff'])).code).toBe(0);
  });

  it('deleted by push --prune, then git revert of the deleting commit: restored in place', async () => {
    const ws = await pulled();
    const before = ids(ws);
    rmSync(join(ws.dir, `posthog/insights/${INSIGHT}.yaml`));
    rmSync(join(ws.dir, `posthog/hog-functions/${FUNCTION}.yaml`));
    await ws.git.add(['-A']);
    await ws.git.commit('remove two resources');
    const prune = await ws.run(['push', '--yes', '--prune']);
    expect(prune.code, prune.stdout + prune.stderr).toBe(0);
    expect(emu.project(1)?.insights.find((i) => i.id === before.insight?.id)?.deleted).toBe(true);

    await ws.git.raw(['revert', '--no-edit', 'HEAD']);
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(push.stdout).toMatch(/\^ restored Insight\/recent-signups .*undeleted in place/);
    expect(ids(ws).insight?.id).toBe(before.insight?.id);
    expect(ids(ws).fn?.id).toBe(before.fn?.id);
    expect(emu.project(1)?.insights.filter((i) => i.name === 'Recent signups')).toHaveLength(1);
  });

  it('a file whose resource was deleted in the UI (not pulled yet): the plan says restore, push undeletes it', async () => {
    const ws = await pulled();
    const before = ids(ws);
    await softDelete(`insights/${before.insight?.id}/`);
    const diff = await ws.run(['diff', '-o', 'json']);
    expect(diff.code).toBe(2);
    expect(diffJson(diff.stdout).find((c) => c.key === INSIGHT)?.action).toBe('restore');
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(ids(ws).insight?.id).toBe(before.insight?.id);
    expect(emu.project(1)?.insights.find((i) => i.id === before.insight?.id)?.deleted).toBe(false);
  });

  it('a deleted variable is re-created, and the SQL insight that uses it is re-pointed to the new id', async () => {
    const ws = await pulled();
    const sqlKey = 'active-users-by-country-sql';
    const variable = 'country';
    const oldId = ws.state().resources[`InsightVariable/${variable}`]?.id;
    expect(oldId).toBeDefined();
    // Deleted in the UI: PostHog deletes variables for good.
    const res = await fetch(`${emu.url}/api/projects/1/insight_variables/${oldId}/`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${TEST_KEY}` },
    });
    expect(res.status).toBe(204);
    const diff = await ws.run(['diff', '-o', 'json']);
    const changes = diffJson(diff.stdout);
    expect(changes.find((c) => c.key === variable)?.action).toBe('restore');
    expect(changes.find((c) => c.key === sqlKey)?.action).toBe('update');
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    const newId = ws.state().resources[`InsightVariable/${variable}`]?.id;
    expect(newId).not.toBe(oldId);
    const stored = emu.project(1)?.insights.find((i) => i.id === ws.state().resources[`Insight/${sqlKey}`]?.id);
    expect(JSON.stringify(stored?.query)).toContain(String(newId));
    expect(JSON.stringify(stored?.query)).not.toContain(String(oldId));
    expect((await ws.run(['diff'])).code).toBe(0);
  });
});

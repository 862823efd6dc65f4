import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, SeedDoc } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace } from '../helpers/e2e.js';

/**
 * The state file is gone (a new clone before it was ever committed, a `git clean`, a checkout
 * of an old branch) while the files are there. Same-named insights (keys `-2`, `-3` from the
 * first pull) and unnamed ones (keys from their short_id) cannot be matched by name: the pull
 * must pair each file with its insight by content, add no file, and leave nothing to create.
 */

const query = (select: string) => ({ kind: 'DataTableNode', source: { kind: 'EventsQuery', select: [select] } });
const seed = (): SeedDoc => ({
  projects: [
    {
      id: 1,
      name: 'Lost state',
      insights: [
        // Same name, different content; and one pair that is the same in every respect.
        ...Array.from({ length: 4 }, (_, i) => ({ name: 'Weekly signups', query: query(`col_${i}`) })),
        { name: 'Twins', query: query('same') },
        { name: 'Twins', query: query('same') },
        // No name at all, different content; and two identical unnamed ones.
        ...Array.from({ length: 4 }, (_, i) => ({ name: null, query: query(`unnamed_${i}`) })),
        { name: null, query: query('unnamed_same') },
        { name: null, query: query('unnamed_same') },
        { name: 'Unique', query: query('unique') },
      ],
    },
  ],
});

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: seed() });
});
afterAll(async () => emu.close());

describe('a pull after the state file was removed', () => {
  it('adds no file for same-named or unnamed insights whose files exist, and a push then creates nothing', async () => {
    emu.reset(seed());
    const ws = await workspace(emu);
    const first = await ws.run(['pull', '--commit']);
    expect(first.code, first.stderr).toBe(0);
    const before = ws.files('posthog/insights');
    expect(before).toHaveLength(13);
    // The first pull gave the same-named ones suffixes: the attack is about those.
    expect(before.filter((f) => /-\d\.yaml$/.test(f)).length).toBeGreaterThanOrEqual(4);

    rmSync(join(ws.dir, '.hogsync/state/production.json'));
    const again = await ws.run(['pull', '-o', 'json']);
    expect(again.code, again.stderr).toBe(0);
    const doc = JSON.parse(again.stdout) as { summary: Record<string, number> };
    expect(doc.summary.added).toBe(0);
    expect(ws.files('posthog/insights')).toEqual(before);
    expect((await ws.git.status()).files.filter((f) => f.path.startsWith('posthog/'))).toEqual([]);

    // Every file bound, each to an insight of its own.
    const ids = Object.values(ws.state().resources).map((b) => String(b.id));
    expect(ids).toHaveLength(13);
    expect(new Set(ids).size).toBe(13);

    emu.clearRequests();
    const push = await ws.run(['push', '--yes', '-o', 'json']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(JSON.parse(push.stdout).summary).toMatchObject({ created: 0, failed: 0 });
    expect(emu.requests().filter((r) => r.method === 'POST')).toEqual([]);
    expect(emu.project(1)?.insights.filter((i) => !i.deleted)).toHaveLength(13);
  });

  // With no state there is no base to tell which side changed: the pair is a conflict for the
  // person to settle (pull --force takes PostHog's), never a second file that push would create again.
  it('pairs files with insights edited in PostHog since the state was lost: no -2 file, a conflict to settle, nothing to create', async () => {
    emu.reset(seed());
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const before = ws.files('posthog/insights');
    rmSync(join(ws.dir, '.hogsync/state/production.json'));
    // One uniquely named and one unnamed insight are edited in the UI meanwhile.
    const unique = emu.project(1)?.insights.find((i) => i.name === 'Unique');
    const unnamed = emu.project(1)?.insights.find((i) => i.name === null);
    for (const i of [unique, unnamed]) {
      const r = await fetch(`${emu.url}/api/projects/1/insights/${i?.id}/`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ description: 'edited in the UI' }),
      });
      expect(r.status).toBe(200);
    }
    const again = await ws.run(['pull', '-o', 'json']);
    expect(again.code, again.stderr).toBe(3);
    const doc = JSON.parse(again.stdout) as { summary: Record<string, number> };
    expect(doc.summary).toMatchObject({ added: 0, conflict: 2 });
    expect(ws.files('posthog/insights')).toEqual(before);
    const diff = await ws.run(['diff', '-o', 'json']);
    expect(JSON.parse(diff.stdout).summary.create).toBe(0);
    const forced = await ws.run(['pull', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(ws.files('posthog/insights')).toEqual(before);
    expect(ws.read(`posthog/insights/unique.yaml`)).toContain('edited in the UI');
    expect((await ws.run(['diff'])).code).toBe(0);
  });
});

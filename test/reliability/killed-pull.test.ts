import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace } from '../helpers/e2e.js';
import { startCli, waitFor } from './attack-kit.js';

/**
 * `kill -9` of a pull while it writes files (test/e2e/pull.test.ts checks that the files left
 * are whole; this checks identity). The state is written last, so the rerun finds files that no
 * state binds: it must pair them with their insights, same-named and unnamed ones included,
 * add no second file for any insight, and leave nothing for a push to create.
 */

const N = 400;
const query = (select: string) => ({ kind: 'DataTableNode', source: { kind: 'EventsQuery', select: [select] } });
const seed = (): SeedDoc => ({
  projects: [
    {
      id: 1,
      name: 'Killed pull',
      insights: [
        ...Array.from({ length: N }, (_, i) => ({ name: `Unique ${i}`, query: query(`u_${i}`) })),
        ...Array.from({ length: N }, (_, i) => ({ name: `Pair ${i % (N / 2)}`, query: query(`p_${i}`) })),
        ...Array.from({ length: N }, (_, i) => ({ name: null, query: query(`n_${i}`) })),
      ],
    },
  ],
});
const TOTAL = 3 * N;

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: seed() });
});
afterAll(async () => emu.close());

const yamlIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml'));

async function plannedCreates(run: (args: string[]) => Promise<{ code: number; stdout: string }>): Promise<number> {
  const diff = await run(['diff', '-o', 'json']);
  return (JSON.parse(diff.stdout) as { summary: { create: number } }).summary.create;
}

describe('a pull killed with SIGKILL while it writes, then run again', () => {
  it('first pull: the rerun leaves one file per insight and nothing to create', async () => {
    emu.reset(seed());
    const ws = await workspace(emu);
    const dir = join(ws.dir, 'posthog/insights');
    // Pages slow enough (PostHog serialises every row) that the kill lands between pages.
    emu.setFaults({ latencyPerItemMs: 2 });
    const pull = startCli(ws.dir, ['pull']);
    const writing = await waitFor(() => {
      try {
        return yamlIn(dir).length >= 50;
      } catch {
        return false;
      }
    }, 30_000);
    pull.child.kill('SIGKILL');
    await pull.done;
    emu.setFaults({ latencyPerItemMs: 0 });
    expect(writing).toBe(true);
    const left = yamlIn(dir).length;
    expect(left).toBeLessThan(TOTAL);
    expect(ws.exists('.hogsync/state/production.json')).toBe(false);

    const again = await ws.run(['pull']);
    expect(again.code, again.stderr).toBe(0);
    expect(yamlIn(dir)).toHaveLength(TOTAL);
    expect(new Set(Object.values(ws.state().resources).map((b) => String(b.id))).size).toBe(TOTAL);
    expect(await plannedCreates(ws.run)).toBe(0);
  });

  // After the state was lost, unnamed insights (no natural key) have files that only their
  // content identifies: a killed pull must leave no second file for them either.
  it('pull after the state was lost: the rerun adds no file and leaves nothing to create', async () => {
    emu.reset(seed());
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const dir = join(ws.dir, 'posthog/insights');
    const before = yamlIn(dir).sort();
    expect(before).toHaveLength(TOTAL);
    rmSync(join(ws.dir, '.hogsync/state/production.json'));

    // The first answers come after the files are read, as they do against a distant PostHog.
    emu.setFaults({ latencyMs: 300, latencyPerItemMs: 2 });
    emu.clearRequests();
    const pull = startCli(ws.dir, ['pull']);
    // Killed once the last page (200 unnamed insights, the quickest to serve) has been answered and
    // handled, while the page before it (500 rows) is still on its way.
    const reading = await waitFor(
      () => emu.requests().some((r) => r.path.endsWith('/insights/') && r.query.offset === '1000' && r.status === 200),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 150));
    pull.child.kill('SIGKILL');
    await pull.done;
    emu.setFaults({ latencyMs: 0, latencyPerItemMs: 0 });
    expect(reading).toBe(true);
    expect(ws.exists('.hogsync/state/production.json'), 'the pull finished before it was killed').toBe(false);

    const again = await ws.run(['pull']);
    expect(again.code, again.stderr).toBe(0);
    expect(yamlIn(dir).sort()).toEqual(before);
    expect(await plannedCreates(ws.run)).toBe(0);
  });
});

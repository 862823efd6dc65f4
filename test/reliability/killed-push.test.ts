import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { parseState } from '../../src/store/state-doc.js';
import { testEmulator } from '../helpers/e2e.js';
import { committedRepo, duplicates, freshClone, insightFile, liveInsightsByName, startCli, waitFor } from './attack-kit.js';

/**
 * A CI job pushing a merged pull request is killed part-way: `kill -9` (the runner died) or
 * SIGTERM (the job was cancelled). The next job starts from a fresh `git clone`: with no state
 * file after a kill -9 (nothing was committed), with the state the killed run wrote after a
 * SIGTERM (the workflow's cleanup step commits it, as the examples do). Either way, the push
 * there must leave exactly one insight per file: no duplicates, at any kill point.
 */

const COUNT = 80;
const LATENCY_MS = 50;
const files = Object.fromEntries(
  Array.from({ length: COUNT }, (_, i) => [`posthog/insights/k-${i}.yaml`, insightFile(`k-${i}`, `Killed ${i}`)]),
);
// Ten kill points spread over the run (after N committed creates, the last with a few rounds of
// writes to go), alternating the signal.
const POINTS = Array.from({ length: 10 }, (_, i) => ({
  after: 1 + i * 7,
  signal: (i % 2 === 0 ? 'SIGKILL' : 'SIGTERM') as NodeJS.Signals,
}));

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => emu.close());

const created = () => emu.project(1)?.insights.length ?? 0;

describe(`a push of ${COUNT} creates killed after N writes, then pushed again from a fresh clone`, () => {
  it.each(POINTS)('$signal after $after creates: 0 duplicates', async ({ after, signal }) => {
    emu.reset();
    emu.setFaults({ latencyMs: LATENCY_MS });
    const ws = await committedRepo(emu, files);
    const push = startCli(ws.dir, ['push', '--yes']);
    const reached = await waitFor(() => created() >= after, 30_000);
    const atKill = created();
    push.child.kill(signal);
    const killed = await push.done;
    expect(reached, `the push never reached ${after} creates: ${killed.stderr}`).toBe(true);
    expect(atKill).toBeLessThan(COUNT);

    if (signal === 'SIGTERM') {
      // Stopped cleanly: exit 143, the state file valid and binding every insight the run made.
      expect(killed.code, killed.stderr).toBe(143);
      const stateFile = join(ws.dir, '.hogsync/state/production.json');
      const state = parseState(readFileSync(stateFile, 'utf8'), 'production.json');
      const bound = new Set(Object.values(state.resources).map((b) => String(b.id)));
      const made = (emu.project(1)?.insights ?? []).map((i) => String(i.id));
      expect(
        made.filter((id) => !bound.has(id)),
        'created but not in the state',
      ).toEqual([]);
      // One sentence, with what was done.
      expect(killed.stderr).toMatch(new RegExp(`^error: Interrupted by SIGTERM: ${made.length} created, [^\\n]* not sent\\. [^\\n]*\\n$`));
      expect(Object.keys(state.pending ?? {})).toEqual([]);
      expect(ws.exists('.hogsync/state/production.journal')).toBe(false);
      expect(ws.exists('.hogsync/state/production.lock')).toBe(false);
      // The workflow's `if: cancelled()` step commits the state.
      await ws.git.add('.hogsync/state/production.json');
      await ws.git.commit('state after a cancelled push');
    } else {
      expect(killed.signal).toBe('SIGKILL');
      // Writes the killed process had sent still land (the server finishes what it received).
      await new Promise((r) => setTimeout(r, LATENCY_MS * 3));
    }

    emu.setFaults({ latencyMs: 0 });
    const clone = await freshClone(ws);
    const again = await clone.run(['push', '--yes']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const counts = liveInsightsByName(emu);
    expect(duplicates(counts)).toEqual([]);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(COUNT);
    expect(counts.size).toBe(COUNT);
    const diff = await clone.run(['diff']);
    expect(diff.code, diff.stdout).toBe(0);
  });
});

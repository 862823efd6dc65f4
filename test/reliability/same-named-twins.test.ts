import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { testEmulator } from '../helpers/e2e.js';
import { committedRepo, insightFile } from './attack-kit.js';

/**
 * Pairs of insights with the same name and different content, created while half of the
 * committed writes lose their answer (the connection is reset after PostHog saved the insight).
 * Looking a lost create up by name would find either twin: hogsync must bind each file to the
 * insight made from its own content, and make exactly one per file.
 */

const PAIRS = 20;
const files: Record<string, string> = {};
for (let i = 0; i < PAIRS; i++) {
  files[`posthog/insights/twin-${i}-a.yaml`] = insightFile(`twin-${i}-a`, `Twin ${i}`, '"event"');
  files[`posthog/insights/twin-${i}-b.yaml`] = insightFile(`twin-${i}-b`, `Twin ${i}`, '"timestamp"');
}

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => emu.close());

describe(`${PAIRS} same-named pairs under 50% resets after commit`, () => {
  it('give exactly one insight per file, each file bound to its own content', async () => {
    const ws = await committedRepo(emu, files);
    emu.setFaults({ resetAfterCommitRate: 0.5, seed: 7 });
    const push = await ws.run(['push', '--yes', '--concurrency', '8']);
    emu.setFaults({ resetAfterCommitRate: 0 });
    expect(emu.requests().filter((r) => r.fault === 'reset_after_commit').length).toBeGreaterThanOrEqual(PAIRS / 2);
    expect(push.code, push.stdout + push.stderr).toBe(0);

    const live = emu.project(1)?.insights.filter((i) => !i.deleted) ?? [];
    expect(live).toHaveLength(2 * PAIRS);
    const byId = new Map(live.map((i) => [String(i.id), i]));
    const wrong: string[] = [];
    const state = ws.state().resources;
    for (let i = 0; i < PAIRS; i++) {
      for (const [side, column] of [
        ['a', 'event'],
        ['b', 'timestamp'],
      ] as const) {
        const key = `twin-${i}-${side}`;
        const insight = byId.get(String(state[`Insight/${key}`]?.id));
        const select = (insight?.query as { source?: { select?: string[] } } | null)?.source?.select;
        if (insight?.name !== `Twin ${i}` || select?.[0] !== column)
          wrong.push(`${key} → ${insight ? `${insight.name} ${JSON.stringify(select)}` : 'nothing'}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(new Set(Object.values(state).map((b) => String(b.id))).size).toBe(2 * PAIRS);
    expect((await ws.run(['diff'])).code).toBe(0);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { testEmulator } from '../helpers/e2e.js';
import { committedRepo, duplicates, insightFile, liveInsightsByName } from './attack-kit.js';

/**
 * A create is answered 201 with something that is not its answer: a proxy's HTML page, broken or
 * cut-off JSON, or an object without an id; either after PostHog saved the insight, or instead of
 * sending the request on at all. A create is believed only with an id: no key may be bound to
 * anything else, the push does not wait for a commit that cannot come any more (the answer came
 * in full), and whatever the first push made of it, a second one converges to one insight per file.
 */

const COUNT = 12;
const files = Object.fromEntries(
  Array.from({ length: COUNT }, (_, i) => [`posthog/insights/m-${i}.yaml`, insightFile(`m-${i}`, `Malformed ${i}`)]),
);

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => emu.close());

describe('malformed answers to creates that PostHog committed', () => {
  const cases = (['html', 'invalid_json', 'truncated', 'no_id'] as const).flatMap((kind) =>
    [true, false].map((afterCommit) => ({ kind, afterCommit })),
  );
  it.each(cases)(
    '$kind (after commit: $afterCommit): no key bound without an id, and a rerun converges to one insight per file',
    async ({ kind, afterCommit }) => {
      emu.reset();
      const ws = await committedRepo(emu, files);
      emu.setFaults({ malformed: { rate: 0.5, kind, afterCommit, methods: ['POST'] }, seed: 3 });
      const started = Date.now();
      const first = await ws.run(['push', '--yes']);
      // A settle window (two minutes by default) per garbled answer would be a push that never ends in CI.
      expect(Date.now() - started).toBeLessThan(15_000);
      emu.setFaults({ malformed: null });
      expect(
        emu.requests().filter((r) => r.fault === (afterCommit ? 'malformed_after_commit' : 'malformed')).length,
        first.stdout + first.stderr,
      ).toBeGreaterThan(0);

      // Every binding the run recorded (state file and any journal left) names a live insight
      // holding that file's content.
      const live = new Map((emu.project(1)?.insights ?? []).filter((i) => !i.deleted).map((i) => [String(i.id), i]));
      const bindings = ws.exists('.hogsync/state/production.json') ? Object.entries(ws.state().resources) : [];
      const journal = join(ws.dir, '.hogsync/state/production.journal');
      const journaled = ws.exists('.hogsync/state/production.journal')
        ? readFileSync(journal, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as { op: string; ref: string; binding?: { id?: unknown } })
            .filter((e) => e.op === 'bind')
        : [];
      const bad = [...bindings.map(([ref, b]) => [ref, b.id] as const), ...journaled.map((e) => [e.ref, e.binding?.id] as const)].filter(
        ([ref, id]) => {
          const insight = live.get(String(id));
          return typeof id !== 'string' && typeof id !== 'number' ? true : insight?.name !== `Malformed ${ref.slice('Insight/m-'.length)}`;
        },
      );
      expect(bad).toEqual([]);

      const again = await ws.run(['push', '--yes']);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      const counts = liveInsightsByName(emu);
      expect(duplicates(counts)).toEqual([]);
      expect(counts.size).toBe(COUNT);
      expect(Object.keys(ws.state().resources)).toHaveLength(COUNT);
      expect((await ws.run(['diff'])).code).toBe(0);
    },
  );
});

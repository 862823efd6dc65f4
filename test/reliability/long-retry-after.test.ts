import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { parseState } from '../../src/store/state-doc.js';
import { TEST_KEY, testEmulator } from '../helpers/e2e.js';
import { committedRepo, endWithin, errorLines, insightFile, startCli } from './attack-kit.js';

/**
 * Issue 21 (2): PostHog answers 429 with a Retry-After far longer than a run can wait (999999 s, or
 * the hour its hourly window can ask for). hogsync used to sleep that long, because it checked
 * its retry budget only before sleeping. Now a wait longer than the run has left (max_wait, 3 min
 * by default) ends the run at once: exit 1, one sentence saying what was throttled, for how long,
 * what was done and how to resume, the state written and the lock released.
 */

const COUNT = 30;
const files = Object.fromEntries(
  Array.from({ length: COUNT }, (_, i) => [`posthog/insights/t-${i}.yaml`, insightFile(`t-${i}`, `Throttled ${i}`)]),
);

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => emu.close());

/** PostHog's insight throttle as one rule: `limit` requests per `seconds`, then 429 until the window frees. */
function throttleInsights(limit: number, seconds: number): void {
  emu.setRateLimits({ enabled: true, buckets: { insights: [{ limit, windowSeconds: seconds }] } });
}

describe('a Retry-After longer than the run may wait', () => {
  it('diff, every insight request refused for 999999 s: exit 1 within seconds, one sentence', async () => {
    emu.reset();
    const ws = await committedRepo(emu, files);
    throttleInsights(0, 999_999);
    const started = Date.now();
    const ended = await endWithin(startCli(ws.dir, ['diff']), 10_000);
    emu.setRateLimits({ enabled: false });
    expect(ended, 'diff was still waiting out the Retry-After after 10 s').toBeDefined();
    if (!ended) return;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(ended.code, ended.stderr).toBe(1);
    const lines = errorLines(ended.stderr);
    expect(lines, ended.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: PostHog throttled GET \/api\/projects\/1\/insights\/\S* for 11\.6 days \(Retry-After: 999999\), longer than the 3 min this run may wait: nothing was changed; run the same command again after \d{4}-\d\d-\d\d \d\d:\d\d UTC, or raise rate_limits\.max_wait \(HOGSYNC_MAX_WAIT\)\.$/,
    );
    expect(ended.stderr).not.toContain(TEST_KEY);
    expect(ended.stderr).not.toMatch(/\n\s+at /);
  });

  it('push, the hourly window full after 12 insight requests: exit 1 at once, what was made is in the state, the lock released', async () => {
    emu.reset();
    const ws = await committedRepo(emu, files);
    throttleInsights(12, 3600);
    const ended = await endWithin(startCli(ws.dir, ['push', '--yes']), 10_000);
    emu.setRateLimits({ enabled: false });
    expect(ended, 'push was still waiting out the Retry-After after 10 s').toBeDefined();
    if (!ended) return;
    expect(ended.code, ended.stderr).toBe(1);
    const made = (emu.project(1)?.insights ?? []).map((i) => String(i.id));
    expect(made.length).toBeGreaterThan(0);
    expect(made.length).toBeLessThan(COUNT);
    const lines = errorLines(ended.stderr);
    expect(lines, ended.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^error: PostHog throttled POST /api/projects/1/insights/ for 60 min \\(Retry-After: 3\\d{3}\\), longer than the 3 min this run may wait: ${made.length} created, 0 restored, 0 updated, 0 adopted, 0 deleted, ${COUNT - made.length} not sent; run the same command again after \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, or raise rate_limits\\.max_wait \\(HOGSYNC_MAX_WAIT\\)\\.$`,
      ),
    );
    const state = parseState(readFileSync(join(ws.dir, '.hogsync/state/production.json'), 'utf8'), 'production.json');
    const bound = new Set(Object.values(state.resources).map((b) => String(b.id)));
    expect(
      made.filter((id) => !bound.has(id)),
      'created but not in the state',
    ).toEqual([]);
    expect(ws.exists('.hogsync/state/production.journal')).toBe(false);
    expect(ws.exists('.hogsync/state/production.lock')).toBe(false);

    // Resumed once PostHog lets it: only the rest is made.
    const again = await ws.run(['push', '--yes', '-o', 'json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).summary.created).toBe(COUNT - made.length);
  });

  it('max_wait in hogsync.yaml (and HOGSYNC_MAX_WAIT over it) sets what the run may wait: a 30 s Retry-After ends a run allowed 10 s', async () => {
    emu.reset();
    const ws = await committedRepo(emu, files);
    ws.write('hogsync.yaml', ws.read('hogsync.yaml').replace('      enabled: false\n', '      enabled: false\n      max_wait: 10s\n'));
    throttleInsights(0, 30);
    const byFile = await endWithin(startCli(ws.dir, ['diff']), 10_000);
    const byEnv = await endWithin(startCli(ws.dir, ['diff'], { HOGSYNC_MAX_WAIT: '5s' }), 10_000);
    emu.setRateLimits({ enabled: false });
    expect(byFile?.code, byFile?.stderr).toBe(1);
    expect(errorLines(byFile?.stderr ?? '')[0]).toMatch(
      /for 30 s \(Retry-After: 30\), longer than the 10 s this run may wait: nothing was changed;/,
    );
    expect(byEnv?.code, byEnv?.stderr).toBe(1);
    expect(errorLines(byEnv?.stderr ?? '')[0]).toMatch(
      /for 30 s \(Retry-After: 30\), longer than the 5 s this run may wait: nothing was changed;/,
    );
  });
});

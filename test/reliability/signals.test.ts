import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { parseState } from '../../src/store/state-doc.js';
import type { Workspace } from '../helpers/e2e.js';
import { testEmulator } from '../helpers/e2e.js';
import { committedRepo, endWithin, errorLines, insightFile, startCli, waitFor, type Ended, type Running } from './attack-kit.js';

/**
 * Issue 21 (3): SIGINT (Ctrl-C) and SIGTERM (a cancelled CI job) are honoured within 5 seconds in
 * every phase: reading, waiting out a Retry-After, pacing for the rate limits, writes in flight.
 * The state file is written, the lock released, and one line says what was done. A second
 * signal ends the run at once, and still releases the lock.
 */

const COUNT = 30;
const files = Object.fromEntries(
  Array.from({ length: COUNT }, (_, i) => [`posthog/insights/s-${i}.yaml`, insightFile(`s-${i}`, `Signalled ${i}`)]),
);
const HONOURED_MS = 5_000;
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => emu.close());

const made = () => (emu.project(1)?.insights ?? []).map((i) => String(i.id));

/** Sends `signal` and returns how the run ended, and how long after the signal; undefined when it did not end within 8 s. */
async function signal(run: Running, name: 'SIGINT' | 'SIGTERM'): Promise<(Ended & { ms: number }) | undefined> {
  const sent = Date.now();
  run.child.kill(name);
  const ended = await endWithin(run, 8_000);
  return ended && { ...ended, ms: Date.now() - sent };
}

/** Stopped cleanly: in time, the signal's exit code, one line, the state binding what was made, no journal, no lock. */
function expectStoppedCleanly(
  ws: Workspace,
  ended: (Ended & { ms: number }) | undefined,
  name: 'SIGINT' | 'SIGTERM',
  opts: { wrote: boolean },
): void {
  expect(ended, `still running 8 s after ${name}`).toBeDefined();
  if (!ended) return;
  expect(ended.ms, `${name} took ${ended.ms} ms`).toBeLessThan(HONOURED_MS);
  expect(ended.code, ended.stderr).toBe(EXIT_CODES[name]);
  const lines = errorLines(ended.stderr);
  expect(lines, ended.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^error: Interrupted by ${name}: .*; run the same command again to finish\\.$`));
  expect(ws.exists('.hogsync/state/production.lock'), 'the lock is left').toBe(false);
  expect(ws.exists('.hogsync/state/production.journal'), 'the state file was not written').toBe(false);
  if (!opts.wrote) return;
  const state = parseState(readFileSync(join(ws.dir, '.hogsync/state/production.json'), 'utf8'), 'production.json');
  const bound = new Set(Object.values(state.resources).map((b) => String(b.id)));
  expect(
    made().filter((id) => !bound.has(id)),
    'created but not in the state',
  ).toEqual([]);
  expect(lines[0]).toMatch(new RegExp(`: ${made().length} created, `));
}

describe('SIGINT and SIGTERM, honoured within 5 s', () => {
  it('SIGTERM while push waits out a 30 s Retry-After', async () => {
    emu.reset();
    const ws = await committedRepo(emu, files);
    emu.setRateLimits({ enabled: true, buckets: { insights: [{ limit: 10, windowSeconds: 30 }] } });
    const push = startCli(ws.dir, ['push', '--yes']);
    const throttled = await waitFor(() => emu.requests().some((r) => r.status === 429), 10_000);
    // The 429 is answered; hogsync is in its wait by the time this runs.
    await new Promise((r) => setTimeout(r, 200));
    const ended = await signal(push, 'SIGTERM');
    emu.setRateLimits({ enabled: false });
    expect(throttled).toBe(true);
    expectStoppedCleanly(ws, ended, 'SIGTERM', { wrote: true });
  });

  it('SIGINT while push paces itself for the rate limits (8 insight requests a minute)', async () => {
    emu.reset();
    const ws = await committedRepo(emu, files);
    ws.write('hogsync.yaml', ws.read('hogsync.yaml').replace('      enabled: false\n', '      insights: [8/minute]\n'));
    const push = startCli(ws.dir, ['push', '--yes']);
    const paced = await waitFor(() => made().length >= 7, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    const ended = await signal(push, 'SIGINT');
    expect(paced).toBe(true);
    expectStoppedCleanly(ws, ended, 'SIGINT', { wrote: true });
    expect(made().length).toBeLessThan(COUNT);
  });

  it.each([
    ['diff', 'SIGINT'],
    ['pull', 'SIGTERM'],
    ['push --yes', 'SIGINT'],
  ] as const)('%s, %s while the lists take 20 s to arrive', async (command, name) => {
    emu.reset();
    const ws = await committedRepo(emu, files);
    emu.setFaults({ latencyMs: 20_000 });
    // A progress line (every 100 ms) shows that the run has started.
    const run = startCli(ws.dir, command.split(' '), { HOGSYNC_PROGRESS_MS: '100' });
    let stderr = '';
    run.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const reading = await waitFor(() => stderr.includes(' production: '), 10_000);
    // The files are read and checked in well under a second; then the lists are on their way.
    await new Promise((r) => setTimeout(r, 700));
    const ended = await signal(run, name);
    emu.setFaults({ latencyMs: 0 });
    expect(reading).toBe(true);
    expectStoppedCleanly(ws, ended, name, { wrote: false });
  });

  it('SIGTERM while creates are in flight for 20 s: they get 3 s, then the run ends with their pending records written', async () => {
    emu.reset();
    const ws = await committedRepo(emu, files);
    emu.setFaults({ commitDelayMs: 20_000 });
    const push = startCli(ws.dir, ['push', '--yes'], { HOGSYNC_PROGRESS_MS: '100' });
    let stderr = '';
    push.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const writing = await waitFor(() => stderr.includes('push production: '), 10_000);
    // Reading an empty project takes well under a second; the first creates are then held in PostHog.
    await new Promise((r) => setTimeout(r, 1_500));
    const ended = await signal(push, 'SIGTERM');
    emu.setFaults({ commitDelayMs: 0 });
    expect(writing).toBe(true);
    expectStoppedCleanly(ws, ended, 'SIGTERM', { wrote: false });
    const state = parseState(ws.read('.hogsync/state/production.json'), 'production.json');
    expect(Object.keys(state.pending ?? {}).length, 'the creates cut short are recorded as pending').toBeGreaterThan(0);
  });

  it('a second SIGINT ends the run at once, with one line, the lock released and the state written', async () => {
    emu.reset();
    const ws = await committedRepo(emu, files);
    emu.setFaults({ commitDelayMs: 20_000 });
    const push = startCli(ws.dir, ['push', '--yes'], { HOGSYNC_PROGRESS_MS: '100' });
    let stderr = '';
    push.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const writing = await waitFor(() => stderr.includes('push production: '), 10_000);
    // Reading an empty project takes well under a second; the first creates are then held in PostHog.
    await new Promise((r) => setTimeout(r, 1_500));
    push.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    const ended = await signal(push, 'SIGINT');
    emu.setFaults({ commitDelayMs: 0 });
    expect(writing).toBe(true);
    expect(ended, 'still running 8 s after the second SIGINT').toBeDefined();
    if (!ended) return;
    expect(ended.ms, `the second SIGINT took ${ended.ms} ms`).toBeLessThan(1_000);
    expect(ended.code, ended.stderr).toBe(130);
    const lines = errorLines(ended.stderr);
    expect(lines, ended.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: Interrupted again by SIGINT: stopped at once; .*\.$/);
    expect(ws.exists('.hogsync/state/production.lock'), 'the lock is left').toBe(false);
    const state = parseState(ws.read('.hogsync/state/production.json'), 'production.json');
    expect(Object.keys(state.pending ?? {}).length, 'the creates in flight are recorded as pending').toBeGreaterThan(0);
  });
});

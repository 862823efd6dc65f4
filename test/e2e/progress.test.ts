import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { Emulator } from '../../src/emulator/index.js';
import { testEmulator, TEST_KEY, workspace } from '../helpers/e2e.js';

/**
 * Progress on stderr for long runs: 600 insights are two list pages (500 and 100), and every
 * request takes 200 ms (the emulator's latency fault), so reading them lasts about half a second;
 * HOGSYNC_PROGRESS_MS shortens the ten-second interval of CI logs so the test sees several lines.
 */
const INSIGHTS = 600;
let emu: Emulator;

beforeAll(async () => {
  const insights = Array.from({ length: INSIGHTS }, (_, i) => ({
    name: `Insight ${i}`,
    query: { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } },
  }));
  emu = await testEmulator({ seed: { projects: [{ id: 1, name: 'Big', insights }] }, faults: { latencyMs: 200 } });
});
afterAll(async () => emu.close());

describe('progress', () => {
  it('without a terminal (CI): a plain line every HOGSYNC_PROGRESS_MS with items read of the count, requests and elapsed time; stdout stays pure JSON', async () => {
    const ws = await workspace(emu);
    // A diff reads every page as a pull does, without writing 600 files.
    const r = await ws.run(['diff', '--output', 'json'], { HOGSYNC_PROGRESS_MS: '50' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary.unmanaged).toBe(INSIGHTS);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(/^diff production: (.* read; )?\d+ requests?, \d+ s…$/);
    // The second page is 200 ms behind the first: lines in between count what was read of PostHog's count.
    expect(r.stderr).toMatch(/\ndiff production: 500 of 600 insights read; [2-9] requests, \d+ s…\n/);
    expect(r.stderr).not.toContain('\x1b');
  });

  it('without a terminal, a run shorter than the interval prints no progress (the default interval is ten seconds)', async () => {
    const ws = await workspace(emu);
    const r = await ws.run(['pull', '--kinds', 'hog-function']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('on a terminal: one line redrawn in place, taken off the screen before the result is printed', async () => {
    const ws = await workspace(emu);
    let stdout = '';
    let stderr = '';
    const io: Io = {
      out: (t) => void (stdout += t),
      err: (t) => void (stderr += t),
      isTTY: true,
      columns: 200,
      color: false,
      env: { POSTHOG_PERSONAL_API_KEY: TEST_KEY, HOGSYNC_PROGRESS_MS: '50' },
      cwd: ws.dir,
    };
    const code = await main(['diff', '--output', 'json'], io);
    expect(code, stderr).toBe(0);
    const draws = stderr.split('\r\x1b[2K').filter(Boolean);
    // Redrawn when something changed (a page arrived, a second passed), not on every tick.
    expect(draws.length).toBeGreaterThanOrEqual(2);
    expect(new Set(draws).size).toBe(draws.length);
    for (const draw of draws) expect(draw).toMatch(/^diff production: (.* read; )?\d+ requests?, \d+ s…$/);
    // Redrawn, never scrolled: no line feed, and the line is cleared at the end.
    expect(stderr).not.toContain('\n');
    expect(stderr.endsWith('\r\x1b[2K')).toBe(true);
    expect(JSON.parse(stdout).summary.unmanaged).toBe(INSIGHTS);
  });

  it('HOGSYNC_PROGRESS_MS=0 turns it off', async () => {
    const ws = await workspace(emu);
    const r = await ws.run(['pull', '--kinds', 'hog-function'], { HOGSYNC_PROGRESS_MS: '0' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  // Last: it adds insights to the project.
  it('counts the writes of a push', async () => {
    const ws = await workspace(emu);
    const created = 8;
    mkdirSync(join(ws.dir, 'posthog', 'insights'), { recursive: true });
    for (let i = 0; i < created; i++)
      ws.write(`posthog/insights/new-${i}.yaml`, `apiVersion: hogsync/v1\nkind: Insight\nkey: new-${i}\nspec:\n  name: New ${i}\n`);
    // Faster answers for the writes, so that the test stays short; still several lines per push.
    emu.setFaults({ latencyMs: 100 });
    onTestFinished(() => emu.setFaults({ latencyMs: 200 }));
    const r = await ws.run(['push', '--yes', '--kinds', 'insight', '--output', 'json'], { HOGSYNC_PROGRESS_MS: '50' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary.created).toBe(created);
    expect(r.stderr).toMatch(/\npush production: 600 of 600 insights read, [1-8] written; \d+ requests, \d+ s…\n/);
  });
});

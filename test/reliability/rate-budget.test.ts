import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator, RequestLogEntry } from '../../src/emulator/index.js';
import { EMPTY } from '../emulator/helpers.js';
import { runMain, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

/**
 * PostHog throttles per personal API key (posthog/rate_limit.py: DRF SimpleRateThrottle, the
 * cache key a hash of the key), whichever process sends the request. The emulator enforces
 * the same sliding windows; here they allow 10 insight requests per `seconds`, so that a run
 * within that time is what a push right after a pull or a diff is within PostHog's minute.
 */
const LIMIT = 10;
const windows = (seconds: number) => ({
  insights: [{ limit: LIMIT, windowSeconds: seconds }],
  crud: [{ limit: 2 * LIMIT, windowSeconds: seconds }],
});

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: EMPTY });
});
afterAll(() => emu.close());
/** Fresh projects and fresh windows, enforced as PostHog does; a workspace that tells hogsync the same limits. */
async function limitedWorkspace(seconds: number, project: number, share?: number, git = false): Promise<Workspace> {
  emu.setRateLimits({ enabled: true, scale: 1, buckets: windows(seconds) });
  const ws = await workspace(emu, { git });
  ws.write(
    'hogsync.yaml',
    [
      'version: 1',
      'environments:',
      '  production:',
      `    host: ${emu.url}`,
      `    project: ${project}`,
      '    rate_limits:',
      `      insights: [${LIMIT}/${seconds}s]`,
      `      crud: [${2 * LIMIT}/${seconds}s]`,
      ...(share !== undefined ? [`      share: ${share}`] : []),
      '',
    ].join('\n'),
  );
  return ws;
}

function addInsights(ws: Workspace, prefix: string, n: number): void {
  mkdirSync(join(ws.dir, 'posthog', 'insights'), { recursive: true });
  for (let i = 0; i < n; i++) {
    ws.write(
      `posthog/insights/${prefix}-${i}.yaml`,
      `apiVersion: hogsync/v1\nkind: Insight\nkey: ${prefix}-${i}\nspec:\n  name: ${prefix} ${i}\n  query:\n    kind: DataTableNode\n    source:\n      kind: EventsQuery\n      select: ["*"]\n`,
    );
  }
}

async function push(ws: Workspace): Promise<void> {
  const r = await ws.run(['push', '--yes']);
  expect(r.code, r.stdout + r.stderr).toBe(0);
}

const throttled = (log: RequestLogEntry[]) => log.filter((r) => r.status === 429).length;
const insightRequests = (log: RequestLogEntry[]) => log.filter((r) => r.bucket === 'insights' && r.status !== 429).length;
const memoryFiles = (ws: Workspace) =>
  existsSync(join(ws.dir, '.hogsync', 'rate')) ? readdirSync(join(ws.dir, '.hogsync', 'rate')).filter((n) => n.endsWith('.json')) : [];

/** push, diff, push at once: together more insight requests than one window allows. */
async function pushDiffPush(ws: Workspace, between: () => void = () => undefined): Promise<RequestLogEntry[]> {
  addInsights(ws, 'first', 6);
  await push(ws);
  between();
  const diff = await ws.run(['diff']);
  expect(diff.code, diff.stderr).toBe(0);
  between();
  addInsights(ws, 'second', 6);
  await push(ws);
  const log = emu.requests();
  // More than one window's worth, so that only remembering the earlier runs keeps them apart.
  expect(insightRequests(log)).toBeGreaterThan(LIMIT);
  expect(emu.project(1)?.insights.filter((i) => !i.deleted)).toHaveLength(12);
  return log;
}

beforeEach(() => {
  emu.reset();
  emu.clearRequests();
});

// The runs take a few hundred ms: a 2 s window holds all of them even on a loaded machine.
describe('the rate-limit budget across runs and jobs', () => {
  it('a push right after a push and a diff with the same key starts with their requests counted: no 429', async () => {
    const ws = await limitedWorkspace(2, 1, undefined, true);
    const log = await pushDiffPush(ws);
    expect(throttled(log)).toBe(0);
    expect(memoryFiles(ws)).toHaveLength(1);
    // A repository made before `init` ignored the folder: the folder keeps itself out of git.
    expect((await ws.git.status()).files.map((f) => f.path).filter((p) => p.startsWith('.hogsync/rate'))).toEqual([]);
    expect((await ws.git.status()).files.map((f) => f.path)).toContain('.hogsync/state/production.json');
  });

  it('init keeps the memory folder and the parse cache out of git', async () => {
    const dir = tempDir('init');
    const r = await runMain(['init', '--host', 'https://eu.posthog.com', '--project', '123'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8').split('\n')).toEqual(
      expect.arrayContaining(['.hogsync/rate/', '.hogsync/cache/']),
    );
  });

  it('without the memory file the same runs draw 429s (what the test above guards against)', async () => {
    const ws = await limitedWorkspace(2, 1);
    const log = await pushDiffPush(ws, () => rmSync(join(ws.dir, '.hogsync', 'rate'), { recursive: true, force: true }));
    expect(throttled(log)).toBeGreaterThan(0);
  });

  it('two jobs with share 0.5 each, pushing at the same time with one key, draw no 429; with share 1 each they do', async () => {
    const together = async (share: number) => {
      emu.reset();
      emu.clearRequests();
      // Two CI jobs: two checkouts (so two memories, neither seeing the other), two projects, one key.
      const jobs = [await limitedWorkspace(1, 1, share), await limitedWorkspace(1, 2, share)];
      jobs.forEach((ws, i) => addInsights(ws, `job${i}`, 8));
      await Promise.all(jobs.map(push));
      expect(emu.project(1)?.insights).toHaveLength(8);
      expect(emu.project(2)?.insights).toHaveLength(8);
      return emu.requests();
    };
    const halves = await together(0.5);
    expect(new Set(halves.map((r) => r.key))).toHaveProperty('size', 1);
    expect(throttled(halves)).toBe(0);
    expect(throttled(await together(1))).toBeGreaterThan(0);
  });

  it('a wait for the rate limit shows in the progress line and in the JSON output: what is throttled, and until when', async () => {
    const ws = await limitedWorkspace(3, 2);
    addInsights(ws, 'paced', 14);
    const r = await ws.run(['push', '--yes', '-o', 'json'], { HOGSYNC_PROGRESS_MS: '200' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/push production: .*; waiting for PostHog's insights rate limit until \d\d:\d\d:\d\d UTC \(\d+ s\)…/);
    const doc = JSON.parse(r.stdout) as { waits?: Array<{ reason: string; bucket?: string; request: string; until: string }> };
    expect(doc.waits?.[0]).toEqual({
      reason: 'rate limit',
      bucket: 'insights',
      request: expect.stringMatching(/^POST \/api\/projects\/2\/insights\//),
      until: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(throttled(emu.requests())).toBe(0);
  });
});

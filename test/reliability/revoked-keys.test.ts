import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, Faults } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator } from '../helpers/e2e.js';
import { committedRepo, duplicates, insightFile, liveInsightsByName } from './attack-kit.js';

/**
 * The key is revoked while a push runs (401 on every request after), or may read but not write
 * a kind (403). Every further write would collect the same refusal: push must stop sending them
 * after the first (at most the writes already in flight, `concurrency` of them), say what is
 * wrong once, and keep what it did before, so that the next push, with a good key, only finishes.
 */

const READ_WRITE_INSIGHTS_KEY = 'phx_fake_key_without_hog_function_write';
const INSIGHTS = 30;
const FUNCTIONS = 12;
const CONCURRENCY = 4;

const hookFile = (i: number) =>
  `apiVersion: hogsync/v1\nkind: HogFunction\nkey: hook-${i}\nspec:\n  name: Hook ${i}\n  type: destination\n  hog: fetch('https://example.com/${i}', {})\n`;
const files: Record<string, string> = {};
for (let i = 0; i < INSIGHTS; i++) files[`posthog/insights/r-${i}.yaml`] = insightFile(`r-${i}`, `Revoked ${i}`);

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({
    keys: [
      { key: TEST_KEY, scopes: ['*'] },
      {
        key: READ_WRITE_INSIGHTS_KEY,
        scopes: [
          'insight:write',
          'insight_variable:read',
          'hog_function:read',
          'dashboard:read',
          'alert:read',
          'action:read',
          'cohort:read',
        ],
      },
    ],
  });
});
afterAll(async () => emu.close());

const writes = () => emu.requests().filter((r) => r.method !== 'GET');

describe('a key that stops working for writes', () => {
  it('401 after 10 creates: at most the writes in flight meet it, the 10 are kept, and the next push makes only the rest', async () => {
    emu.reset();
    const ws = await committedRepo(emu, files);
    emu.setFaults({ revokedKey: { after: 10, methods: ['POST', 'PATCH', 'DELETE'] } });
    const push = await ws.run(['push', '--yes', '--concurrency', String(CONCURRENCY)]);
    emu.setFaults({ revokedKey: null });
    expect(push.code).toBe(1);
    const refused = writes().filter((r) => r.status === 401);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(writes().length).toBeLessThanOrEqual(10 + CONCURRENCY);

    // Saved: each insight made is bound; the next push (a new key) makes only the rest.
    const made = emu.project(1)?.insights.length ?? 0;
    expect(made).toBe(10);
    expect(Object.keys(ws.state().resources)).toHaveLength(made);
    const again = await ws.run(['push', '--yes', '-o', 'json']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).summary.created).toBe(INSIGHTS - made);
    expect(duplicates(liveInsightsByName(emu))).toEqual([]);
    expect(liveInsightsByName(emu).size).toBe(INSIGHTS);
  });

  it('403 on hog functions: their writes stop after the first refusals, naming the scope; the insights are all made and kept', async () => {
    emu.reset();
    const withHooks = { ...files };
    for (let i = 0; i < FUNCTIONS; i++) withHooks[`posthog/hog-functions/hook-${i}.yaml`] = hookFile(i);
    const ws = await committedRepo(emu, withHooks);
    const push = await ws.run(['push', '--yes', '--concurrency', String(CONCURRENCY)], {
      POSTHOG_PERSONAL_API_KEY: READ_WRITE_INSIGHTS_KEY,
    });
    expect(push.code).toBe(1);
    const refused = writes().filter((r) => r.status === 403);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(refused.every((r) => r.path.endsWith('/hog_functions/'))).toBe(true);
    expect(push.stdout).toContain("API key missing required scope 'hog_function:write'");

    expect(liveInsightsByName(emu).size).toBe(INSIGHTS);
    expect(emu.project(1)?.hogFunctions).toHaveLength(0);
    expect(Object.keys(ws.state().resources).filter((r) => r.startsWith('Insight/'))).toHaveLength(INSIGHTS);
    const again = await ws.run(['push', '--yes', '-o', 'json']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ created: FUNCTIONS, failed: 0 });
  });

  // The writes in flight when the refusal came each meet it, and the rest are held back: the report
  // says PostHog's sentence once, with the writes it concerns, and the held-back ones on one line.
  const refusals: Array<[string, Partial<Faults>, Record<string, string>, RegExp]> = [
    [
      '401',
      { revokedKey: { methods: ['POST', 'PATCH', 'DELETE'] } },
      {},
      /Personal API key found in request Authorization header is invalid/g,
    ],
    ['403', {}, { POSTHOG_PERSONAL_API_KEY: READ_WRITE_INSIGHTS_KEY }, /hog_function:write/g],
  ];
  it.each(refusals)("%s: PostHog's refusal is printed once", async (_status, faults, env, sentence) => {
    emu.reset();
    const withHooks = { ...files };
    for (let i = 0; i < FUNCTIONS; i++) withHooks[`posthog/hog-functions/hook-${i}.yaml`] = hookFile(i);
    const ws = await committedRepo(emu, withHooks);
    emu.setFaults(faults);
    const push = await ws.run(['push', '--yes', '--concurrency', String(CONCURRENCY)], env);
    emu.setFaults({ revokedKey: null });
    expect(push.code).toBe(1);
    const output = push.stdout + push.stderr;
    expect(output.match(sentence)?.length ?? 0, output).toBe(1);
  });
});

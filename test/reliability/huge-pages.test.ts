import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace } from '../helpers/e2e.js';

/**
 * Issue 21 (7): PostHog bounds a list page by rows (500 here), not by bytes, so a project of
 * insights with big queries can answer a page larger than the answer size limit (64 MB by
 * default). Pull stopped there, advising to "try again" and to check that --host is not a proxy:
 * advice that cannot help. Such a list is now read in smaller pages; only a single resource over
 * the limit stops the run, saying which HOGSYNC_MAX_RESPONSE_MB would read it. The limit is
 * lowered to 1 MB here, so that the answers stay small enough for a fast test.
 */

const LIMIT = { HOGSYNC_MAX_RESPONSE_MB: '1' };
const COUNT = 80;
/** An insight whose HogQL is about `kb` kilobytes. */
const insight = (i: number, kb: number) => ({
  name: `Big query ${i}`,
  query: {
    kind: 'DataVisualizationNode',
    source: { kind: 'HogQLQuery', query: `SELECT '${'x'.repeat(kb * 1024)}' AS padding, ${i} AS n` },
  },
});

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => emu.close());

describe('a list page larger than the answer size limit', () => {
  it(`is read in smaller pages: ${COUNT} insights of 20 KB (a 1.6 MB first page) all pulled under a 1 MB limit`, async () => {
    const seed: SeedDoc = { projects: [{ id: 1, name: 'Big queries', insights: Array.from({ length: COUNT }, (_, i) => insight(i, 20)) }] };
    emu.reset(seed);
    const ws = await workspace(emu);
    const pull = await ws.run(['pull'], LIMIT);
    expect(pull.code, pull.stderr).toBe(0);
    expect(ws.files('posthog/insights')).toHaveLength(COUNT);
    const diff = await ws.run(['diff'], LIMIT);
    expect(diff.code, diff.stderr).toBe(0);
  });

  it('stops, when one resource alone is over the limit, with the HOGSYNC_MAX_RESPONSE_MB that reads it', async () => {
    const seed: SeedDoc = { projects: [{ id: 1, name: 'Big queries', insights: [insight(0, 1536), insight(1, 1)] }] };
    emu.reset(seed);
    const ws = await workspace(emu);
    const pull = await ws.run(['pull'], LIMIT);
    expect(pull.code).toBe(1);
    expect(pull.stderr).toMatch(
      /^error: PostHog answered GET \/api\/projects\/1\/insights\/\S* with 200, but the answer cannot be used: the answer is larger than the 1 MB limit \([\d.]+ MB\)\. Trying again gets the same answer: raise the limit \(HOGSYNC_MAX_RESPONSE_MB=\d+, in MB\) and run again\.\n$/m,
    );
    expect(pull.stderr).not.toMatch(/proxy|Try again/);
    const enough = Number(/HOGSYNC_MAX_RESPONSE_MB=(\d+)/.exec(pull.stderr)?.[1]);
    const raised = await ws.run(['pull'], { HOGSYNC_MAX_RESPONSE_MB: String(enough) });
    expect(raised.code, raised.stderr).toBe(0);
    expect(ws.files('posthog/insights')).toHaveLength(2);
  });
});

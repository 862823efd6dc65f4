import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { testEmulator } from '../helpers/e2e.js';
import { committedRepo, duplicates, insightFile, liveInsightsByName } from './attack-kit.js';

/**
 * PostHog commits a create after hogsync stopped waiting for the answer (a slow database behind
 * a load balancer, Django finishing the view whatever the client does). hogsync's timeout is 1 s,
 * every write commits 2.5 s after it arrives: every create "fails" with a timeout and succeeds.
 * Resending blindly would double every insight; the push must end with exactly one per file.
 */

const COUNT = 10;
const files = Object.fromEntries(
  Array.from({ length: COUNT }, (_, i) => [`posthog/insights/late-${i}.yaml`, insightFile(`late-${i}`, `Late ${i}`)]),
);

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => emu.close());

describe('creates committed after the client timed out', () => {
  it(`${COUNT} files give exactly ${COUNT} insights, and the push ends`, async () => {
    const ws = await committedRepo(emu, files);
    emu.setFaults({ commitDelayMs: 2_500 });
    const started = Date.now();
    const push = await ws.run(['push', '--yes', '--concurrency', '5'], { HOGSYNC_TIMEOUT_MS: '1000' });
    const took = Date.now() - started;
    emu.setFaults({ commitDelayMs: 0 });
    // Every create timed out and was found afterwards, none was sent twice.
    const posts = emu.requests().filter((r) => r.method === 'POST');
    expect(posts.filter((r) => r.fault === 'delayed_commit')).toHaveLength(COUNT);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(push.stdout).toMatch(new RegExp(`Pushed production: ${COUNT} created`));
    // Ends within a settle window per wave of creates (two waves of five), not minutes.
    expect(took).toBeLessThan(30_000);

    // Anything still on its way lands within the commit delay.
    await new Promise((r) => setTimeout(r, 2_600));
    const counts = liveInsightsByName(emu);
    expect(duplicates(counts)).toEqual([]);
    expect(counts.size).toBe(COUNT);
    expect(Object.keys(ws.state().resources)).toHaveLength(COUNT);
    expect((await ws.run(['diff'])).code).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { NotSentError } from '../../src/errors.js';
import { PostHogClient, type ClientOptions } from '../../src/posthog/client.js';
import { testEmulator, TEST_KEY } from '../helpers/e2e.js';

// Issue 21 (3) at the client: a run that stops ends every wait at once (test/reliability has the whole runs).

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: { projects: [{ id: 1, name: 'Long waits' }] } });
});
afterAll(async () => emu.close());

function client(extra: Partial<ClientOptions> = {}): PostHogClient {
  return new PostHogClient({ host: emu.url, project: '1', apiKey: TEST_KEY, retry: { baseDelayMs: 5, maxDelayMs: 50, maxElapsedMs: 60_000 }, ...extra });
}

/** How long `p` took to settle, and how. */
async function timed<T>(p: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const t0 = Date.now();
  const error = await p.then(() => undefined, (e: unknown) => e);
  return { ms: Date.now() - t0, error };
}

describe("the run's interrupt", () => {
  it('ends a wait for the rate limits at once, and no request is sent after it', async () => {
    emu.reset();
    emu.clearRequests();
    const run = new AbortController();
    const c = client({ signal: run.signal, rateLimits: { insights: [{ limit: 1, windowMs: 60_000 }] } });
    await c.get('insights/', undefined, 'insights');
    const waiting = timed(c.get('insights/', undefined, 'insights'));
    setTimeout(() => run.abort('SIGTERM'), 100);
    const r = await waiting;
    expect(r.error).toBeInstanceOf(NotSentError);
    expect((r.error as NotSentError).why).toBe('the run was interrupted');
    expect(r.ms).toBeLessThan(1_000);
    expect(c.halted).toEqual({ signal: 'SIGTERM' });
    await expect(c.get('insights/')).rejects.toBeInstanceOf(NotSentError);
    expect(emu.requests()).toHaveLength(1);
  });
});

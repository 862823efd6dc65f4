import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { NotSentError, PostHogApiError } from '../../src/errors.js';
import { PostHogClient, type ClientOptions } from '../../src/posthog/client.js';
import { testEmulator, TEST_KEY } from '../helpers/e2e.js';
import { httpServer } from './servers.js';

// Issue 21 (2) and (3) at the client: a Retry-After longer than the request has left is never
// slept, and a run that stops ends every wait at once (test/reliability has the whole runs).

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: { projects: [{ id: 1, name: 'Long waits' }] } });
});
afterAll(async () => emu.close());

function client(extra: Partial<ClientOptions> = {}): PostHogClient {
  return new PostHogClient({
    host: emu.url,
    project: '1',
    apiKey: TEST_KEY,
    retry: { baseDelayMs: 5, maxDelayMs: 50, maxElapsedMs: 60_000 },
    ...extra,
  });
}

/** How long `p` took to settle, and how. */
async function timed<T>(p: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const t0 = Date.now();
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: Date.now() - t0, error };
}

describe('a Retry-After longer than the request may wait', () => {
  it('halts the client at once on a 429: this request and those waiting behind it are not sent', async () => {
    emu.reset();
    emu.setRateLimits({ enabled: true, buckets: { insights: [{ limit: 1, windowSeconds: 3600 }] } });
    const c = client({ rateLimits: { insights: [{ limit: 100, windowMs: 1000 }] } });
    await c.get('insights/', undefined, 'insights');
    const [first, second] = await Promise.all([
      timed(c.get('insights/', undefined, 'insights')),
      timed(c.get('insights/', undefined, 'insights')),
    ]);
    const later = await timed(c.get('insights/', undefined, 'crud'));
    emu.setRateLimits({ enabled: false });
    for (const r of [first, second, later]) {
      expect(r.error).toBeInstanceOf(NotSentError);
      expect(r.ms).toBeLessThan(1_000);
    }
    const cause = c.halted;
    expect(cause && 'wait' in cause ? cause.wait : undefined).toMatchObject({
      method: 'GET',
      status: 429,
      retryAfter: expect.stringMatching(/^3\d{3}$/),
      maxWaitMs: 60_000,
    });
  });

  it('gives up a 503 whose Retry-After is too long, without halting the client', async () => {
    const server = await httpServer((_req, res, hit) => {
      if (hit === 1)
        return void res.writeHead(503, { 'Retry-After': '7200', 'Content-Type': 'application/json' }).end('{"detail":"maintenance"}');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
    try {
      const c = new PostHogClient({ host: server.url, project: '1', apiKey: TEST_KEY, retry: { maxElapsedMs: 60_000 } });
      const r = await timed(c.get('insights/'));
      expect(r.ms).toBeLessThan(1_000);
      expect(r.error).toBeInstanceOf(PostHogApiError);
      expect((r.error as PostHogApiError).fields.gaveUp).toBe(
        'PostHog asked for a wait of 2 h, more than the 1 min this request had left to wait',
      );
      expect(c.halted).toBeUndefined();
      await expect(c.get('insights/')).resolves.toEqual({ ok: true });
    } finally {
      await server.close();
    }
  });
});

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

import { describe, expect, it } from 'vitest';
import { parseRate, RateLimiter, scaleRateLimits, POSTHOG_RATE_LIMITS } from '../../src/posthog/rate-limiter.js';

/** A virtual clock: sleeping moves time, and pending timers run in order. */
function virtualTime() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

/** Sends `n` requests with a given latency; returns when the server saw each arrive. */
async function burst(
  limiter: RateLimiter,
  clock: ReturnType<typeof virtualTime>,
  n: number,
  latency: (i: number) => number,
): Promise<number[]> {
  const arrivals: number[] = [];
  for (let i = 0; i < n; i++) {
    const release = await limiter.acquire('b');
    // The request reaches the server somewhere inside its round trip; the answer comes back at the end of it.
    arrivals.push(clock.now() + latency(i) / 2);
    await clock.sleep(latency(i));
    release();
  }
  return arrivals;
}

describe('rate limiter', () => {
  it('never lets more than `limit` requests arrive in any window, like DRF SimpleRateThrottle, whatever the latency', async () => {
    const clock = virtualTime();
    const limiter = new RateLimiter(
      {
        b: [
          { limit: 5, windowMs: 1000 },
          { limit: 12, windowMs: 10_000 },
        ],
      },
      { now: clock.now, sleep: clock.sleep },
    );
    const arrivals = await burst(limiter, clock, 40, (i) => (i % 3) * 70);
    const inWindow = (t: number, w: number) => arrivals.filter((s) => s > t - w && s <= t).length;
    for (const t of arrivals) {
      expect(inWindow(t, 1000)).toBeLessThanOrEqual(5);
      expect(inWindow(t, 10_000)).toBeLessThanOrEqual(12);
    }
  });

  it('runs at the full budget: `limit` requests at once, the next one window after the first answer', async () => {
    const clock = virtualTime();
    const limiter = new RateLimiter({ b: [{ limit: 4, windowMs: 1000 }] }, { now: clock.now, sleep: clock.sleep, marginMs: 0 });
    const releases = await Promise.all([1, 2, 3, 4].map(() => limiter.acquire('b')));
    expect(clock.now()).toBe(0);
    releases.forEach((r) => r());
    await limiter.acquire('b');
    expect(clock.now()).toBe(1000);
  });

  it('waits for a request still in flight before reusing its place in the window', async () => {
    const clock = virtualTime();
    const limiter = new RateLimiter({ b: [{ limit: 1, windowMs: 100 }] }, { now: clock.now, sleep: clock.sleep, marginMs: 0 });
    const first = await limiter.acquire('b');
    let second = false;
    const next = limiter.acquire('b').then(() => (second = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe(false);
    await clock.sleep(250);
    first();
    await next;
    expect(clock.now()).toBe(350);
  });

  it('does not limit buckets it has no limits for', async () => {
    const clock = virtualTime();
    const limiter = new RateLimiter({}, { now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 1000; i++) await limiter.acquire('insights');
    expect(clock.now()).toBe(0);
  });

  it('holds a bucket after a 429 for as long as Retry-After says', async () => {
    const clock = virtualTime();
    const limiter = new RateLimiter({ b: [{ limit: 100, windowMs: 1000 }] }, { now: clock.now, sleep: clock.sleep });
    limiter.pause('b', 3000);
    await limiter.acquire('b');
    expect(clock.now()).toBe(3000);
  });

  it('parses rates and scales PostHog’s limits by a time factor', () => {
    expect(parseRate('240/minute')).toEqual({ limit: 240, windowMs: 60_000 });
    expect(parseRate('1200/hour')).toEqual({ limit: 1200, windowMs: 3_600_000 });
    expect(parseRate('10/5s')).toEqual({ limit: 10, windowMs: 5000 });
    expect(parseRate('ten per minute')).toBeUndefined();
    expect(scaleRateLimits(POSTHOG_RATE_LIMITS, 60).insights).toEqual([
      { limit: 240, windowMs: 1000 },
      { limit: 1200, windowMs: 60_000 },
    ]);
  });
});

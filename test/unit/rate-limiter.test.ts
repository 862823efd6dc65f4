import { describe, expect, it } from 'vitest';
import { parseRate, RateLimiter, scaleRateLimits, POSTHOG_RATE_LIMITS } from '../../src/posthog/rate-limiter.js';

function fakeClock() {
  let now = 0;
  const sent: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    sent,
  };
}

describe('rate limiter', () => {
  it('never lets more than `limit` requests into any window, like DRF SimpleRateThrottle', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ b: [{ limit: 5, windowMs: 1000 }, { limit: 12, windowMs: 10_000 }] }, { now: clock.now, sleep: clock.sleep, marginMs: () => 0 });
    for (let i = 0; i < 40; i++) {
      await limiter.acquire('b');
      clock.sent.push(clock.now());
    }
    const inWindow = (t: number, w: number) => clock.sent.filter((s) => s > t - w && s <= t).length;
    for (const t of clock.sent) {
      expect(inWindow(t, 1000)).toBeLessThanOrEqual(5);
      expect(inWindow(t, 10_000)).toBeLessThanOrEqual(12);
    }
  });

  it('runs at the full budget: the first `limit` requests go at once, the next after one window', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ b: [{ limit: 4, windowMs: 1000 }] }, { now: clock.now, sleep: clock.sleep, marginMs: () => 0 });
    for (let i = 0; i < 9; i++) {
      await limiter.acquire('b');
      clock.sent.push(clock.now());
    }
    expect(clock.sent).toEqual([0, 0, 0, 0, 1000, 1000, 1000, 1000, 2000]);
  });

  it('does not limit buckets it has no limits for', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({}, { now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 1000; i++) await limiter.acquire('insights');
    expect(clock.now()).toBe(0);
  });

  it('holds a bucket after a 429 for as long as Retry-After says', async () => {
    const clock = fakeClock();
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

import { describe, expect, it } from 'vitest';
import { RateLimiter, shareRateLimits, type RateLimitConfig } from '../../src/posthog/rate-limiter.js';

/**
 * A virtual clock on which several "runs" can wait at once: sleeping registers a timer, and
 * time jumps to the earliest timer once every run is blocked. Two jobs with one key are two
 * limiters on one clock, as they are two processes on one PostHog.
 */
function scheduler(start = 0) {
  let now = start;
  const timers: Array<{ at: number; wake: () => void }> = [];
  return {
    now: () => now,
    sleep: (ms: number) => new Promise<void>((wake) => timers.push({ at: now + Math.max(0, ms), wake })),
    async run<T>(work: Promise<T>): Promise<T> {
      let done = false;
      void work.finally(() => (done = true)).catch(() => undefined);
      for (;;) {
        // Microtasks drain before a macrotask: every run has gone as far as it can.
        await new Promise((r) => setImmediate(r));
        if (done) return work;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (!next) throw new Error('every run is blocked and no timer is set');
        now = Math.max(now, next.at);
        next.wake();
      }
    },
  };
}
type Clock = ReturnType<typeof scheduler>;

/** One run of `n` requests, one at a time, 40 ms round trip; returns when PostHog saw each arrive. */
async function job(limiter: RateLimiter, clock: Clock, n: number): Promise<number[]> {
  const arrivals: number[] = [];
  for (let i = 0; i < n; i++) {
    const release = await limiter.acquire('b');
    arrivals.push(clock.now() + 20);
    await clock.sleep(40);
    release();
  }
  return arrivals;
}

/** The most requests that arrived within any window of `windowMs` (DRF's sliding window). */
function busiest(arrivals: number[], windowMs: number): number {
  return Math.max(...arrivals.map((t) => arrivals.filter((s) => s > t - windowMs && s <= t).length));
}

const LIMITS: RateLimitConfig = {
  b: [
    { limit: 10, windowMs: 1000 },
    { limit: 25, windowMs: 10_000 },
  ],
};

describe('rate limiter memory across runs', () => {
  it('a run that follows another at once starts with its requests counted and keeps every window within the limit', async () => {
    const clock = scheduler(1_000_000);
    const first = new RateLimiter(LIMITS, { now: clock.now, sleep: clock.sleep });
    const a = await clock.run(job(first, clock, 10));
    const second = new RateLimiter(LIMITS, { now: clock.now, sleep: clock.sleep });
    second.remember(first.history());
    const b = await clock.run(job(second, clock, 20));
    expect(busiest([...a, ...b], 1000)).toBeLessThanOrEqual(10);
    expect(busiest([...a, ...b], 10_000)).toBeLessThanOrEqual(25);
    // The first request of the second run waited for the first run's oldest answer to age a window.
    expect(b[0]).toBeGreaterThanOrEqual(a[0]! + 1000);
  });

  it('without the memory the same two runs exceed the window (so the test above can fail)', async () => {
    const clock = scheduler(1_000_000);
    const first = new RateLimiter(LIMITS, { now: clock.now, sleep: clock.sleep });
    const a = await clock.run(job(first, clock, 10));
    const second = new RateLimiter(LIMITS, { now: clock.now, sleep: clock.sleep });
    const b = await clock.run(job(second, clock, 20));
    expect(busiest([...a, ...b], 1000)).toBeGreaterThan(10);
  });

  it('history() holds this run’s answers only (not what it remembered), a request in flight as now, nothing older than the longest window', async () => {
    const clock = scheduler(50_000);
    const limiter = new RateLimiter(LIMITS, { now: clock.now, sleep: clock.sleep, marginMs: 0 });
    limiter.remember({ b: [49_000, 49_500] });
    const done = await limiter.acquire('b');
    await clock.run(clock.sleep(30));
    done();
    await limiter.acquire('b'); // still in flight
    await clock.run(clock.sleep(20));
    expect(limiter.history()).toEqual({ b: [50_030, 50_050] });
    expect(limiter.horizonMs).toBe(10_000);
    await clock.run(clock.sleep(10_000));
    expect(limiter.history()).toEqual({ b: [60_050] });
  });

  it('remember() drops times a window old, counts times from the future as now, ignores buckets it does not limit, and must come first', async () => {
    const clock = scheduler(100_000);
    const limiter = new RateLimiter({ b: [{ limit: 2, windowMs: 1000 }] }, { now: clock.now, sleep: clock.sleep, marginMs: 0 });
    // 98_000 is a window old; 500_000 was written by a clock that has since been set back.
    limiter.remember({ b: [98_000, 99_600, 500_000, Number.NaN], other: [99_999] });
    await clock.run(limiter.acquire('b'));
    // Full with 99_600 and 100_000 (the future one, as now): the oldest leaves at 100_600.
    expect(clock.now()).toBe(100_600);
    expect(() => limiter.remember({ b: [100_000] })).toThrow(/before the first request/);
  });
});

describe('a share of the budget', () => {
  it('keeps share × limit of every window, rounded down, at least 1', () => {
    const shared = shareRateLimits(
      {
        insights: [
          { limit: 240, windowMs: 60_000 },
          { limit: 1200, windowMs: 3_600_000 },
        ],
        crud: [{ limit: 480, windowMs: 60_000 }],
      },
      0.3,
    );
    expect(shared).toEqual({
      insights: [
        { limit: 72, windowMs: 60_000 },
        { limit: 360, windowMs: 3_600_000 },
      ],
      crud: [{ limit: 144, windowMs: 60_000 }],
    });
    expect(shareRateLimits({ b: [{ limit: 240, windowMs: 1 }] }, 0.25).b).toEqual([{ limit: 60, windowMs: 1 }]);
    expect(shareRateLimits({ b: [{ limit: 3, windowMs: 1 }] }, 0.01).b).toEqual([{ limit: 1, windowMs: 1 }]);
  });

  it('two jobs with share 0.5 each, at the same time with one key, stay within the limit together; with share 1 each they do not', async () => {
    const together = async (share: number) => {
      const clock = scheduler(0);
      const limits = shareRateLimits(LIMITS, share);
      const jobs = [0, 1].map(() => job(new RateLimiter(limits, { now: clock.now, sleep: clock.sleep }), clock, 15));
      return (await clock.run(Promise.all(jobs))).flat();
    };
    const halves = await together(0.5);
    expect(halves).toHaveLength(30);
    expect(busiest(halves, 1000)).toBeLessThanOrEqual(10);
    expect(busiest(halves, 10_000)).toBeLessThanOrEqual(25);
    expect(busiest(await together(1), 1000)).toBeGreaterThan(10);
  });
});

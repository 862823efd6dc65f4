/**
 * Client-side rate limiting per PostHog throttle bucket.
 *
 * PostHog throttles with DRF's SimpleRateThrottle: a sliding window that refuses a
 * request when `limit` requests already arrived in the last `window` seconds. A classic
 * token bucket that refills at limit/window either lets a burst exceed that (429s) or
 * has to start far below capacity (wasting up to a quarter of the budget). So tokens
 * here come back exactly one window after they were spent: request i + limit is never
 * sent before request i + window (+ a small margin for network jitter). That is the
 * fastest pace that can never be refused.
 *
 * Reservations are handed out in call order, so waiting is FIFO and each acquire is O(1).
 */

export interface RateWindow {
  limit: number;
  windowMs: number;
}

export type RateLimitConfig = Record<string, RateWindow[]>;

/** PostHog Cloud's documented limits (posthog/rate_limit.py). */
export const POSTHOG_RATE_LIMITS: RateLimitConfig = {
  insights: [
    { limit: 240, windowMs: 60_000 },
    { limit: 1200, windowMs: 3_600_000 },
  ],
  crud: [
    { limit: 480, windowMs: 60_000 },
    { limit: 4800, windowMs: 3_600_000 },
  ],
};

/** Divides every window by `scale` (for emulators run with a time factor). */
export function scaleRateLimits(config: RateLimitConfig, scale: number): RateLimitConfig {
  const out: RateLimitConfig = {};
  for (const [bucket, windows] of Object.entries(config)) {
    out[bucket] = windows.map((w) => ({ limit: w.limit, windowMs: w.windowMs / scale }));
  }
  return out;
}

/** Parses `240/minute`, `1200/hour`, `10/5s`, `100/250ms`. */
export function parseRate(text: string): RateWindow | undefined {
  const m = /^\s*(\d+)\s*\/\s*(?:(\d+(?:\.\d+)?)\s*)?(ms|s|sec|second|m|min|minute|h|hour|d|day)s?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[3] ?? '').toLowerCase();
  const unitMs = unit === 'ms' ? 1 : unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000 : unit.startsWith('h') ? 3_600_000 : 86_400_000;
  const n = m[2] ? Number(m[2]) : 1;
  return { limit: Number(m[1]), windowMs: n * unitMs };
}

class WindowLog {
  // Ring of the last `limit` reservation times (ms), oldest at `head`.
  private readonly times: number[] = [];
  private head = 0;
  constructor(readonly window: RateWindow) {}

  /** Earliest time a new reservation may take while respecting this window. */
  earliest(marginMs: number): number {
    if (this.times.length < this.window.limit) return 0;
    return (this.times[this.head] ?? 0) + this.window.windowMs + marginMs;
  }

  record(t: number): void {
    if (this.times.length < this.window.limit) {
      this.times.push(t);
      return;
    }
    this.times[this.head] = t;
    this.head = (this.head + 1) % this.window.limit;
  }
}

class Bucket {
  private readonly logs: WindowLog[];
  private last = 0;
  private pausedUntil = 0;
  constructor(
    windows: RateWindow[],
    private readonly marginFor: (w: RateWindow) => number,
  ) {
    this.logs = windows.filter((w) => w.limit > 0 && w.windowMs > 0).map((w) => new WindowLog(w));
  }

  reserve(now: number): number {
    let t = Math.max(now, this.last, this.pausedUntil);
    for (const log of this.logs) t = Math.max(t, log.earliest(this.marginFor(log.window)));
    for (const log of this.logs) log.record(t);
    this.last = t;
    return t;
  }

  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }
}

export interface RateLimiterOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Extra spacing per window against jitter between send and arrival. Default: 0.5% of the window, at least 20 ms. */
  marginMs?: (w: RateWindow) => number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly margin: (w: RateWindow) => number;
  /** Total time callers spent waiting for a reservation, in ms. */
  waitedMs = 0;

  constructor(
    private readonly config: RateLimitConfig,
    opts: RateLimiterOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.margin = opts.marginMs ?? ((w) => Math.max(20, w.windowMs * 0.005));
  }

  private bucket(name: string): Bucket | undefined {
    let b = this.buckets.get(name);
    if (!b) {
      const windows = this.config[name];
      if (!windows) return undefined;
      b = new Bucket(windows, this.margin);
      this.buckets.set(name, b);
    }
    return b;
  }

  /** Waits until a request in `bucket` may be sent. Unknown buckets are not limited. */
  async acquire(bucket: string): Promise<void> {
    const b = this.bucket(bucket);
    if (!b) return;
    const now = this.now();
    const at = b.reserve(now);
    if (at > now) {
      this.waitedMs += at - now;
      await this.sleep(at - now);
    }
  }

  /** PostHog said 429 anyway (another client shares the budget): hold the whole bucket. */
  pause(bucket: string, ms: number): void {
    this.bucket(bucket)?.pause(this.now() + ms);
  }
}

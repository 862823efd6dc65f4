/**
 * Client-side rate limiting per PostHog throttle bucket.
 *
 * PostHog throttles with DRF's SimpleRateThrottle: a sliding window that refuses a
 * request when `limit` requests already arrived in the last `window` seconds. A classic
 * token bucket that refills at limit/window either lets a burst exceed that (429s) or
 * has to start far below capacity. So a token here comes back one window after the
 * request that spent it *finished*: the server saw that request arrive at some point
 * before its answer came back, so request i + limit, sent a full window after request i
 * was answered, always arrives more than a window after request i arrived, whatever the
 * network did in between. That is the fastest pace that can never be refused.
 *
 * Callers take turns in call order (FIFO).
 *
 * PostHog counts every request of a personal API key, whichever process sent it. Two
 * things widen the view beyond this run: a share (a job among N using one key keeps to its
 * fraction of each limit, see shareRateLimits) and a memory of the requests of recent runs
 * (remember() before the first request, history() at the end), so that a push started right
 * after a pull finds the pull's requests still counted, as PostHog does.
 */

import { NEVER, sleepUnless, unlessAborted } from './halt.js';

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

/**
 * Keeps `share` (0 < share <= 1) of every limit, rounded down but at least 1: jobs that
 * run at the same time with one key and shares summing to at most 1 stay within the limits
 * together.
 */
export function shareRateLimits(config: RateLimitConfig, share: number): RateLimitConfig {
  const out: RateLimitConfig = {};
  for (const [bucket, windows] of Object.entries(config)) {
    // The epsilon keeps 240 * 0.3 = 71.99999999999999 from losing a request to rounding.
    out[bucket] = windows.map((w) => ({ limit: Math.max(1, Math.floor(w.limit * share + 1e-9)), windowMs: w.windowMs }));
  }
  return out;
}

/** When requests of each bucket were answered (ms since the epoch): what one run leaves for the next. */
export type RateHistory = Record<string, number[]>;

/** Parses `240/minute`, `1200/hour`, `10/5s`, `100/250ms`. */
export function parseRate(text: string): RateWindow | undefined {
  const m = /^\s*(\d+)\s*\/\s*(?:(\d+(?:\.\d+)?)\s*)?(ms|s|sec|second|m|min|minute|h|hour|d|day)s?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[3] ?? '').toLowerCase();
  const unitMs =
    unit === 'ms' ? 1 : unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000 : unit.startsWith('h') ? 3_600_000 : 86_400_000;
  const n = m[2] ? Number(m[2]) : 1;
  return { limit: Number(m[1]), windowMs: n * unitMs };
}

/** One request counted in a window: in flight until `finished` is set. */
interface Slot {
  finished?: number;
  /** Sent by an earlier run: counted, but not part of this run's history. */
  remembered?: boolean;
  done: Promise<void>;
  finish: () => void;
}

class WindowLog {
  // The last `limit` requests, oldest first.
  private readonly slots: Slot[] = [];
  constructor(readonly window: RateWindow) {}

  /** The slot that must leave the window before another request may go, if the window is full. */
  oldestIfFull(): Slot | undefined {
    return this.slots.length >= this.window.limit ? this.slots[0] : undefined;
  }

  add(slot: Slot): void {
    this.slots.push(slot);
    if (this.slots.length > this.window.limit) this.slots.shift();
  }

  entries(): readonly Slot[] {
    return this.slots;
  }
}

class Bucket {
  readonly logs: WindowLog[];
  turn: Promise<void> = Promise.resolve();
  pausedUntil = 0;
  constructor(windows: RateWindow[]) {
    this.logs = windows.filter((w) => w.limit > 0 && w.windowMs > 0).map((w) => new WindowLog(w));
  }

  /** How long a request matters to this bucket: its longest window. */
  get horizonMs(): number {
    return Math.max(0, ...this.logs.map((l) => l.window.windowMs));
  }

  /**
   * The log that keeps the most requests: every other window needs at most its own limit of
   * the latest requests, so this one holds all that any window still counts.
   */
  get widest(): WindowLog | undefined {
    return this.logs.reduce<WindowLog | undefined>((a, l) => (a && a.window.limit >= l.window.limit ? a : l), undefined);
  }
}

export interface RateLimiterOptions {
  now?: () => number;
  /** An injected clock (tests); by default a real timer, cleared when a wait is given up. */
  sleep?: (ms: number) => Promise<void>;
  /** Extra spacing per window for clock granularity. Default 10 ms. */
  marginMs?: number;
}

/** Call when the request's answer arrived (or it failed). */
export type Release = () => void;

const NOOP: Release = () => {};

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly sleep: ((ms: number) => Promise<void>) | undefined;
  private readonly margin: number;
  /** Total time spent sleeping for the limits, in ms. */
  waitedMs = 0;

  constructor(
    private readonly config: RateLimitConfig,
    opts: RateLimiterOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep;
    this.margin = opts.marginMs ?? 10;
  }

  private bucket(name: string): Bucket | undefined {
    let b = this.buckets.get(name);
    if (!b) {
      const windows = this.config[name];
      if (!windows || windows.length === 0) return undefined;
      b = new Bucket(windows);
      this.buckets.set(name, b);
    }
    return b;
  }

  /**
   * Waits until a request in `bucket` may be sent. Unknown buckets are not limited. When `stop`
   * aborts (the run is stopping), the wait is given up at once: it throws the signal's reason.
   */
  async acquire(bucket: string, stop: AbortSignal = NEVER, onWait?: (until: number) => void): Promise<Release> {
    const b = this.bucket(bucket);
    if (!b) return NOOP;
    let release!: () => void;
    const previous = b.turn;
    b.turn = new Promise((r) => (release = r));
    try {
      await unlessAborted(previous, stop);
      for (;;) {
        let wait = b.pausedUntil - this.now();
        for (const log of b.logs) {
          const oldest = log.oldestIfFull();
          if (!oldest) continue;
          if (oldest.finished === undefined) await unlessAborted(oldest.done, stop);
          wait = Math.max(wait, (oldest.finished ?? this.now()) + log.window.windowMs + this.margin - this.now());
        }
        if (wait <= 0) break;
        this.waitedMs += wait;
        onWait?.(Date.now() + wait);
        await sleepUnless(wait, stop, this.sleep);
        stop.throwIfAborted();
      }
      let finish!: () => void;
      const slot: Slot = { done: new Promise<void>((r) => (finish = r)), finish: () => {} };
      slot.finish = () => {
        if (slot.finished !== undefined) return;
        slot.finished = this.now();
        finish();
      };
      for (const log of b.logs) log.add(slot);
      return slot.finish;
    } finally {
      release();
    }
  }

  /** The longest window of any bucket: older requests no longer count anywhere. */
  get horizonMs(): number {
    return Math.max(0, ...Object.values(this.config).flatMap((ws) => ws.filter((w) => w.limit > 0).map((w) => w.windowMs)));
  }

  /**
   * Counts requests that earlier runs sent with the same key, so that this run starts with
   * the windows as PostHog sees them. Call it before the first request. Times from the
   * future (a clock set back since) count as now; times a window old are dropped.
   */
  remember(history: RateHistory): void {
    const now = this.now();
    for (const [name, times] of Object.entries(history)) {
      const b = this.bucket(name);
      if (!b) continue;
      if (b.logs.some((l) => l.entries().some((s) => !s.remembered)))
        throw new Error('RateLimiter.remember() must come before the first request');
      const since = now - b.horizonMs;
      const recent = times.filter((t) => Number.isFinite(t) && t > since).map((t) => Math.min(t, now));
      for (const t of recent.sort((x, y) => x - y)) {
        const slot: Slot = { finished: t, remembered: true, done: Promise.resolve(), finish: () => {} };
        for (const log of b.logs) log.add(slot);
      }
    }
  }

  /**
   * When this run's requests were answered, per bucket, as far as a window still counts
   * them: what the next run has to remember. A request still in flight counts as answered now.
   */
  history(): RateHistory {
    const now = this.now();
    const out: RateHistory = {};
    for (const [name, b] of this.buckets) {
      const since = now - b.horizonMs;
      const times = (b.widest?.entries() ?? [])
        .filter((s) => !s.remembered)
        .map((s) => s.finished ?? now)
        .filter((t) => t > since);
      if (times.length > 0) out[name] = times;
    }
    return out;
  }

  /** PostHog said 429 anyway (another client shares the budget): hold the whole bucket. */
  pause(bucket: string, ms: number): void {
    const b = this.bucket(bucket);
    if (b) b.pausedUntil = Math.max(b.pausedUntil, this.now() + ms);
  }
}

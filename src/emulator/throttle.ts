// DRF SimpleRateThrottle, as PostHog configures it (posthog/rate_limit.py): one sliding window of
// request timestamps per key and per rule; every rule is checked (a rule that allows records the
// request even when another refuses it); the longest wait of the refusing rules is reported.
import type { RateLimitSettings } from './types.js';

export type Bucket = 'insights' | 'crud';

export function defaultRateLimits(): RateLimitSettings {
  return {
    enabled: true,
    scale: 1,
    buckets: {
      // ClickHouseBurstRateThrottle / ClickHouseSustainedRateThrottle
      insights: [
        { limit: 240, windowSeconds: 60 },
        { limit: 1200, windowSeconds: 3600 },
      ],
      // BurstRateThrottle / SustainedRateThrottle
      crud: [
        { limit: 480, windowSeconds: 60 },
        { limit: 4800, windowSeconds: 3600 },
      ],
    },
  };
}

/** A change to the settings; buckets may be given one at a time. */
export interface RateLimitPatch {
  enabled?: boolean;
  scale?: number;
  buckets?: Partial<RateLimitSettings['buckets']>;
}

export function mergeRateLimits(base: RateLimitSettings, patch: RateLimitPatch): RateLimitSettings {
  return {
    enabled: patch.enabled ?? base.enabled,
    scale: patch.scale ?? base.scale,
    buckets: {
      insights: patch.buckets?.insights ?? base.buckets.insights,
      crud: patch.buckets?.crud ?? base.buckets.crud,
    },
  };
}

export class Throttler {
  /** Newest first, like DRF's cached history list. Times in seconds. */
  private histories = new Map<string, number[]>();

  constructor(
    private settings: RateLimitSettings,
    private readonly clock: () => number = () => Date.now() / 1000,
  ) {}

  configure(settings: RateLimitSettings): void {
    this.settings = settings;
  }

  clear(): void {
    this.histories.clear();
  }

  /** Undefined when allowed; otherwise DRF's wait in seconds (null when it cannot tell). */
  check(keyFingerprint: string, bucket: Bucket): { wait: number | null } | undefined {
    if (!this.settings.enabled) return undefined;
    const now = this.clock();
    const waits: Array<number | null> = [];
    this.settings.buckets[bucket].forEach((rule, i) => {
      const duration = rule.windowSeconds / (this.settings.scale > 0 ? this.settings.scale : 1);
      const id = `${keyFingerprint}:${bucket}:${i}`;
      const history = this.histories.get(id) ?? [];
      while (history.length && (history[history.length - 1] as number) <= now - duration) history.pop();
      if (history.length >= rule.limit) {
        waits.push(wait(history, now, duration, rule.limit));
      } else {
        history.unshift(now);
      }
      this.histories.set(id, history);
    });
    if (!waits.length) return undefined;
    const known = waits.filter((w): w is number => w !== null);
    return { wait: known.length ? Math.max(...known) : null };
  }
}

function wait(history: number[], now: number, duration: number, limit: number): number | null {
  const remaining = history.length ? duration - (now - (history[history.length - 1] as number)) : duration;
  const available = limit - history.length + 1;
  if (available <= 0) return null;
  return remaining / available;
}

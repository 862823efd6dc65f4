/** When and how long to wait before trying a request again. */

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** A request stops retrying once this much time has passed since its first attempt. */
  maxElapsedMs: number;
  /** Retries allowed across the whole run: when PostHog is down, fail fast instead of retrying every request. */
  runBudget: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  maxElapsedMs: 180_000,
  runBudget: 200,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/** Statuses that mean "not now" rather than "no". */
export const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** Exponential backoff with jitter: half fixed, half random, so retries spread but still back off. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After in ms: integer seconds (what PostHog sends) or an HTTP date. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Connection failures are retried only a few times: a wrong host should fail fast, a restarting one recover. */
export const MAX_CONNECT_ATTEMPTS = 3;

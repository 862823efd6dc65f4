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

/**
 * Network failures where the request certainly never reached the server, so even a
 * POST may be sent again. Everything else (reset, socket closed, timeout) is ambiguous.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Connection failures are retried only a few times: a wrong host should fail fast, a restarting one recover. */
export const MAX_CONNECT_ATTEMPTS = 3;

export interface NetworkFailure {
  code: string;
  /** The request may have been received and acted on. */
  maybeSent: boolean;
  /** Retrying cannot help (DNS name does not exist, bad certificate). */
  permanent: boolean;
}

export function classifyNetworkError(error: unknown): NetworkFailure {
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return { code: 'timeout', maybeSent: true, permanent: false };
  const code = e?.cause?.code ?? e?.code ?? e?.cause?.message ?? 'network error';
  // fetch refuses some URLs before connecting ("bad port"): nothing was sent, and nothing will change.
  const refusedLocally = e?.cause !== undefined && e.cause.code === undefined && /bad port|invalid url|unsupported protocol/i.test(e.cause.message ?? '');
  const notSent = NOT_SENT_CODES.has(code) || refusedLocally;
  const permanent = refusedLocally || code === 'ENOTFOUND' || code.includes('CERT') || code.includes('SELF_SIGNED');
  return { code, maybeSent: !notSent, permanent };
}

import { AmbiguousWriteError, NetworkError, PostHogApiError } from '../errors.js';
import type { Json } from '../json.js';
import { listPages, type ListOptions } from './paginate.js';
import { RateLimiter, type RateLimitConfig } from './rate-limiter.js';
import { backoffMs, classifyNetworkError, DEFAULT_RETRY, MAX_CONNECT_ATTEMPTS, retryAfterMs, RETRYABLE_STATUSES, type RetryPolicy } from './retry.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  /** Relative to the project (`insights/`) or absolute (`/api/...`). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: Json;
  /** Rate-limit bucket the endpoint belongs to (`insights` or `crud`). */
  bucket?: string;
  /** Called when a successful answer's headers arrive, before its body is read. */
  onHeaders?: () => void;
}

/** One finished attempt, for --verbose logs and benchmarks. The key never appears. */
export interface RequestEvent {
  method: Method;
  path: string;
  status: number | 'network';
  ms: number;
  attempt: number;
  willRetry: boolean;
}

export interface ClientOptions {
  host: string;
  project: string;
  apiKey: string;
  rateLimits?: RateLimitConfig;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Parallel page fetches of one listing. */
  pageConcurrency?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRequest?: (event: RequestEvent) => void;
}

export interface ClientStats {
  requests: number;
  retries: number;
  throttled: number;
  rateLimitWaitMs: number;
}

/**
 * HTTP client for one PostHog project: auth, rate limiting shared by every request of
 * a run, retries with backoff, and typed errors. It knows nothing about resource kinds.
 */
export class PostHogClient {
  readonly host: string;
  readonly project: string;
  readonly limiter: RateLimiter;
  readonly pageConcurrency: number;
  private readonly apiKey: string;
  private readonly policy: RetryPolicy;
  /** Per-attempt timeout: how long an answer may take before the request counts as lost. */
  readonly timeoutMs: number;
  private readonly doFetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly onRequest: ((e: RequestEvent) => void) | undefined;
  private retriesLeft: number;
  private readonly counters = { requests: 0, retries: 0, throttled: 0 };

  constructor(opts: ClientOptions) {
    this.host = opts.host.replace(/\/+$/, '');
    this.project = opts.project;
    this.apiKey = opts.apiKey;
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.pageConcurrency = opts.pageConcurrency ?? 4;
    this.doFetch = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
    this.onRequest = opts.onRequest;
    this.retriesLeft = this.policy.runBudget;
    this.limiter = new RateLimiter(opts.rateLimits ?? {}, { sleep: this.sleep });
  }

  get stats(): ClientStats {
    return { ...this.counters, rateLimitWaitMs: this.limiter.waitedMs };
  }

  /** `/api/projects/<project>/<path>` for a relative path. */
  resolvePath(path: string): string {
    if (path.startsWith('/')) return path;
    return `/api/projects/${encodeURIComponent(this.project)}/${path}`;
  }

  url(path: string, query?: RequestOptions['query']): string {
    // Concatenated, not resolved: a self-hosted PostHog may live under a path prefix.
    const u = new URL(`${this.host}${this.resolvePath(path)}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  get<T = unknown>(path: string, query?: RequestOptions['query'], bucket?: string): Promise<T> {
    return this.request<T>({ method: 'GET', path, query, bucket });
  }

  /**
   * Sends one request, retrying what is safe to retry. A POST whose fate is unknown
   * (reset, timeout, 5xx after sending) throws AmbiguousWriteError instead of being resent.
   */
  async request<T = unknown>(opts: RequestOptions): Promise<T> {
    const method = opts.method ?? 'GET';
    const idempotent = method !== 'POST';
    const url = this.url(opts.path, opts.query);
    const display = displayPath(url);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const release = opts.bucket ? await this.limiter.acquire(opts.bucket) : undefined;
      const t0 = Date.now();
      this.counters.requests++;
      let response: Response;
      try {
        response = await this.doFetch(url, {
          method,
          headers: {
            Authorization: `Bearer ${this.apiKey}`,
            Accept: 'application/json',
            ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        release?.();
        const failure = classifyNetworkError(error);
        const retry =
          !failure.permanent &&
          (idempotent || !failure.maybeSent) &&
          (failure.maybeSent || attempt < MAX_CONNECT_ATTEMPTS) &&
          this.mayRetry(attempt, started);
        this.emit({ method, path: display, status: 'network', ms: Date.now() - t0, attempt, willRetry: retry });
        if (retry) {
          await this.backoff(attempt);
          continue;
        }
        if (!idempotent && failure.maybeSent) throw new AmbiguousWriteError(method, display, failure.code);
        throw new NetworkError(method, `${this.host}${display}`, failure.code);
      }

      // The server has seen the request by the time its answer starts: its window slot can start ageing.
      release?.();
      const status = response.status;
      if (status === 429) this.counters.throttled++;
      const retryable = RETRYABLE_STATUSES.has(status);
      // A throttled request was refused before the view ran, so even a POST is safe to resend.
      const safe = idempotent || status === 429;
      const retry = retryable && safe && this.mayRetry(attempt, started);
      this.emit({ method, path: display, status, ms: Date.now() - t0, attempt, willRetry: retry });
      if (response.ok) {
        opts.onHeaders?.();
        return (await readBody(response)) as T;
      }
      if (retry) {
        const told = retryAfterMs(response.headers.get('retry-after'), Date.now());
        await response.body?.cancel();
        if (status === 429 && told !== undefined && opts.bucket) this.limiter.pause(opts.bucket, told);
        await this.backoff(attempt, told);
        continue;
      }
      if (retryable && !safe) {
        await response.body?.cancel();
        throw new AmbiguousWriteError(method, display, `HTTP ${status}`);
      }
      throw await this.apiError(response, method, display);
    }
  }

  /** Every item of a list endpoint, whichever pagination style it uses. */
  async listAll<T = unknown>(path: string, opts: ListOptions<T>): Promise<T[]> {
    return listPages<T>(this, path, opts);
  }

  private mayRetry(attempt: number, started: number): boolean {
    if (attempt >= this.policy.maxAttempts) return false;
    if (Date.now() - started >= this.policy.maxElapsedMs) return false;
    if (this.retriesLeft <= 0) return false;
    return true;
  }

  private async backoff(attempt: number, toldMs?: number): Promise<void> {
    this.retriesLeft--;
    this.counters.retries++;
    // PostHog's Retry-After is exact; a little jitter keeps concurrent waiters from returning together.
    const wait = toldMs !== undefined ? toldMs + this.random() * 250 : backoffMs(this.policy, attempt - 1, this.random);
    await this.sleep(wait);
  }

  private emit(event: RequestEvent): void {
    this.onRequest?.(event);
  }

  private async apiError(response: Response, method: string, path: string): Promise<PostHogApiError> {
    const body = await readBody(response).catch(() => undefined);
    const fields = errorFields(body);
    return new PostHogApiError({
      status: response.status,
      method,
      path,
      type: fields.type,
      apiCode: fields.code,
      detail: fields.detail !== undefined ? this.redact(fields.detail) : undefined,
      attr: fields.attr,
    });
  }

  /** Second line of defence: a server that echoes the key must not get it into our output. */
  private redact(text: string): string {
    return this.apiKey.length >= 8 ? text.split(this.apiKey).join('[redacted]') : text;
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** PostHog's `{type, code, detail, attr}` envelope, or raw DRF errors (`{"field": ["msg"]}`). */
function errorFields(body: unknown): { type?: string; code?: string; detail?: string; attr?: string | null } {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (typeof b.detail === 'string' || typeof b.code === 'string') {
      return {
        type: typeof b.type === 'string' ? b.type : undefined,
        code: typeof b.code === 'string' ? b.code : undefined,
        detail: typeof b.detail === 'string' ? b.detail : undefined,
        attr: typeof b.attr === 'string' ? b.attr : null,
      };
    }
    const [first] = Object.entries(b);
    if (first) {
      const [attr, messages] = first;
      const msg = Array.isArray(messages) ? messages.map(String).join(' ') : JSON.stringify(messages);
      return { code: 'invalid_input', detail: msg, attr };
    }
  }
  if (typeof body === 'string' && body.length > 0) return { detail: body.slice(0, 300) };
  return {};
}

function displayPath(url: string): string {
  const u = new URL(url);
  u.searchParams.delete('personal_api_key');
  return `${u.pathname}${u.search}`;
}

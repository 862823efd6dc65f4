import {
  AmbiguousWriteError,
  ConfigError,
  MalformedAnswerError,
  NetworkError,
  NotSentError,
  PostHogApiError,
  RedirectError,
} from '../errors.js';
import { formatDuration } from '../duration.js';
import type { Json } from '../json.js';
import { checkAnswer, type AnswerShape } from './answer-check.js';
import { BodyTooLarge, DEFAULT_MAX_RESPONSE_BYTES, readCapped } from './body-reader.js';
import { errorFields } from './error-fields.js';
import { Halt, sleepUnless, type HaltCause } from './halt.js';
import { ambiguityReason, classifyNetworkError, describeNetworkFailure } from './network-failure.js';
import { listPages, type ListOptions } from './paginate.js';
import { RateLimiter, type RateLimitConfig } from './rate-limiter.js';
import { decideRedirect, describeRedirect, REDIRECT_STATUSES } from './redirects.js';
import { backoffMs, DEFAULT_RETRY, MAX_CONNECT_ATTEMPTS, retryAfterMs, RETRYABLE_STATUSES, type RetryPolicy } from './retry.js';
import { connectTimeoutTransport, DEFAULT_CONNECT_TIMEOUT_MS, type Transport } from './transport.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  /** Relative to the project (`insights/`) or absolute (`/api/...`). */
  path: string;
  /** A list is sent as the parameter repeated (`level=WARN&level=ERROR`), as DRF reads a ListField. */
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: Json;
  /** Rate-limit bucket the endpoint belongs to (`insights` or `crud`). */
  bucket?: string;
  /** Called when a successful answer's headers arrive, before its body is read. */
  onHeaders?: () => void;
  /**
   * What a 2xx answer must be (default `json`: any JSON). An answer that is not is treated as
   * lost: retried when the method is idempotent, AmbiguousWriteError for a POST.
   */
  expect?: AnswerShape;
}

/** One finished attempt, for --verbose logs and benchmarks. The key never appears. */
export interface RequestEvent {
  method: Method;
  path: string;
  status: number | 'network';
  ms: number;
  attempt: number;
  willRetry: boolean;
  /** A list page that arrived: how many rows it held, and how many the whole list has (for progress). */
  page?: { rows: number; count: number };
}

/** The client waits before a request: for the rate limit of a bucket, for a `Retry-After`, or before a retry. */
export interface WaitEvent {
  reason: 'rate limit' | 'Retry-After' | 'retry';
  /** The rate-limit bucket (`crud`, `insights`) when the rate limit is the reason. */
  bucket?: string;
  method: Method;
  path: string;
  /** When the wait ends (ms since the epoch). */
  until: number;
}

/** Waits shorter than this are pacing, not news: they are not recorded for the output. */
const NOTABLE_WAIT_MS = 1_000;

export interface ClientOptions {
  host: string;
  project: string;
  apiKey: string;
  rateLimits?: RateLimitConfig;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout, connecting and reading the whole answer included (default 60 s). */
  timeoutMs?: number;
  /** How long connecting (TCP and TLS) may take (default 15 s). Ignored when `fetch` is given. */
  connectTimeoutMs?: number;
  /** Largest answer read, in bytes (default 64 MB); a larger one is an error, not a crash. */
  maxResponseBytes?: number;
  /**
   * Applied to every piece of server text that goes into an error (details, codes, Location,
   * summaries of bodies), after the API key itself has been masked. The engine passes one that
   * masks the secret values in play, so a server that echoes a request cannot make hogsync print them.
   */
  redact?: (text: string) => string;
  /** Parallel page fetches of one listing. */
  pageConcurrency?: number;
  fetch?: typeof fetch;
  /** An injected clock (tests); by default a real timer, cleared when the run stops. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * The run's interrupt (aborted with the signal's name on SIGINT/SIGTERM): the client then
   * halts (see Halt). It halts by itself when PostHog asks for a longer wait than retry.maxElapsedMs.
   */
  signal?: AbortSignal;
  random?: () => number;
  onRequest?: (event: RequestEvent) => void;
  /** Told of every wait before a request (the progress line says what the run is waiting for). */
  onWait?: (event: WaitEvent) => void;
}

export interface ClientStats {
  requests: number;
  retries: number;
  throttled: number;
  rateLimitWaitMs: number;
}

/** Error bodies are only read for their message: no need to read megabytes of them. */
const ERROR_BODY_LIMIT = 1024 * 1024;

interface Attempt {
  method: Method;
  url: string;
  display: string;
  idempotent: boolean;
  attempt: number;
  started: number;
  t0: number;
}

/**
 * HTTP client for one PostHog project: auth, rate limiting shared by every request of
 * a run, retries with backoff, answers checked before they are believed, and typed errors.
 * It knows nothing about resource kinds.
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
  private readonly connectTimeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly redactHook: ((text: string) => string) | undefined;
  private readonly doFetch: typeof fetch;
  /** Undefined when the caller gave its own fetch (tests): there is nothing to load then. */
  private readonly transport: Transport | undefined;
  private readonly sleep: ((ms: number) => Promise<void>) | undefined;
  private readonly halt = new Halt();
  private readonly random: () => number;
  private readonly onRequest: ((e: RequestEvent) => void) | undefined;
  private readonly onWait: ((e: WaitEvent) => void) | undefined;
  /** The waits of a second or more so far, for the command's JSON output. */
  readonly waits: WaitEvent[] = [];
  private retriesLeft: number;
  /** PostHog has answered at least once in this run: a later reset is its side, not a wrong host. */
  private answered = false;
  private readonly counters = { requests: 0, retries: 0, throttled: 0 };

  constructor(opts: ClientOptions) {
    this.host = opts.host.replace(/\/+$/, '');
    this.project = opts.project;
    this.apiKey = opts.apiKey;
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.redactHook = opts.redact;
    this.pageConcurrency = opts.pageConcurrency ?? 4;
    if (opts.fetch) this.doFetch = opts.fetch;
    else {
      this.transport = connectTimeoutTransport(this.connectTimeoutMs);
      this.doFetch = this.transport.fetch;
    }
    this.sleep = opts.sleep;
    this.random = opts.random ?? Math.random;
    this.onRequest = opts.onRequest;
    this.onWait = opts.onWait;
    this.retriesLeft = this.policy.runBudget;
    this.limiter = new RateLimiter(opts.rateLimits ?? {}, this.sleep ? { sleep: this.sleep } : {});
    const run = opts.signal;
    if (run) {
      const interrupted = () => this.halt.halt({ signal: run.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT' });
      if (run.aborted) interrupted();
      else run.addEventListener('abort', interrupted, { once: true });
    }
  }

  /** Loads what the first request needs now, without waiting: called before a command reads its files. */
  warm(): void {
    this.transport?.warm();
  }

  /** Why the client sends nothing more, once it does not (see Halt); undefined while it runs. */
  get halted(): HaltCause | undefined {
    return this.halt.cause;
  }

  /** Aborted when the client halts: whoever waits on this run's requests can stop waiting too. */
  get stopping(): AbortSignal {
    return this.halt.stopping;
  }

  /** `the run was interrupted`, …: why requests are no longer sent, once they are not. */
  get notSent(): string | undefined {
    return this.halt.notSent;
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
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      // Never joined with commas: PostHog would read `A,B` as the one value "A,B".
      if (Array.isArray(v)) for (const item of v as readonly string[]) u.searchParams.append(k, item);
      else u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  get<T = unknown>(path: string, query?: RequestOptions['query'], bucket?: string): Promise<T> {
    return this.request<T>({ method: 'GET', path, query, bucket });
  }

  /** Server text on its way into an error: the key masked, then the caller's redactor. */
  redact(text: string): string {
    const masked = this.apiKey.length >= 8 ? text.split(this.apiKey).join('[redacted]') : text;
    return this.redactHook ? this.redactHook(masked) : masked;
  }

  /**
   * Sends one request, retrying what is safe to retry. A POST whose fate is unknown (reset,
   * timeout, 5xx after sending, an answer that cannot be read) throws AmbiguousWriteError
   * instead of being resent. Redirects are followed only for GET and only on the same origin.
   */
  async request<T = unknown>(opts: RequestOptions): Promise<T> {
    const method = opts.method ?? 'GET';
    const first = this.url(opts.path, opts.query);
    const a: Attempt = { method, url: first, display: displayPath(first), idempotent: method !== 'POST', attempt: 1, started: 0, t0: 0 };
    const body = opts.body !== undefined ? JSON.stringify(opts.body) : undefined;
    // The last line behind push's preflight (plan/key-guard.ts): the key goes in the Authorization header and nowhere else.
    if (body !== undefined && this.apiKey.length >= 8 && body.includes(this.apiKey)) {
      throw new ConfigError(
        `Refused to send ${method} ${a.display}: its body holds the personal API key, which hogsync sends to PostHog only to authenticate. Check the file's \${VAR}s and HOGSYNC_SECRET_* variables.`,
      );
    }
    let hops = 0;
    for (;;) {
      const release = opts.bucket ? await this.acquire(opts.bucket, a) : undefined;
      if (this.halt.stopping.aborted) {
        release?.();
        throw this.notSentError(a);
      }
      a.t0 = Date.now();
      // The retry budget counts from the first time the request went out, not from its place in the queue.
      if (a.started === 0) a.started = a.t0;
      this.counters.requests++;
      // A read in flight is cut as soon as the run stops; a write gets a few seconds to answer (Halt).
      const signal = AbortSignal.any([AbortSignal.timeout(this.timeoutMs), method === 'GET' ? this.halt.stopping : this.halt.cutting]);
      let response: Response;
      try {
        response = await this.doFetch(a.url, {
          method,
          headers: {
            Authorization: `Bearer ${this.apiKey}`,
            Accept: 'application/json',
            ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          body,
          redirect: 'manual',
          signal,
        });
      } catch (error) {
        release?.();
        await this.onNetworkFailure(error, a);
        continue;
      }

      // The server has seen the request by the time its answer starts: its window slot can start ageing.
      release?.();
      this.answered = true;
      const status = response.status;
      if (REDIRECT_STATUSES.has(status)) {
        const decision = decideRedirect(method, a.url, response.headers.get('location'), hops);
        await response.body?.cancel().catch(() => undefined);
        this.emit(a, status, decision.follow);
        if (decision.follow) {
          a.url = decision.url;
          hops++;
          continue;
        }
        const message = describeRedirect(method, a.display, status, decision.why, decision.location, this.resolvePath(opts.path), (t) =>
          this.redact(t),
        );
        throw new RedirectError(method, a.display, status, this.redact(decision.location), message);
      }

      if (response.ok) {
        opts.onHeaders?.();
        const outcome = await this.readAnswer(response, opts.expect, a);
        if (outcome.ok) return outcome.value as T;
        continue;
      }

      if (status === 429) this.counters.throttled++;
      const retryable = RETRYABLE_STATUSES.has(status);
      // A throttled request was refused before the view ran, so even a POST is safe to resend.
      const safe = a.idempotent || status === 429;
      const gaveUp = retryable && safe ? this.giveUpReason(a) : undefined;
      const retry = retryable && safe && gaveUp === undefined;
      const header = response.headers.get('retry-after');
      const told = retry ? retryAfterMs(header, Date.now()) : undefined;
      const left = this.policy.maxElapsedMs - (Date.now() - a.started);
      // Checked before the wait, not after it: a Retry-After of hours is never slept.
      const tooLong = told !== undefined && told > left;
      this.emit(a, status, retry && !tooLong);
      if (retry && tooLong) {
        await response.body?.cancel().catch(() => undefined);
        const wait = {
          method,
          path: a.display,
          status,
          retryAfter: header ?? '',
          waitMs: told,
          leftMs: Math.max(0, left),
          maxWaitMs: this.policy.maxElapsedMs,
          until: Date.now() + told,
        };
        // A 429 holds the whole key: every other request would meet the same wait, so the run stops.
        if (status === 429) {
          this.halt.halt({ wait });
          throw this.notSentError(a);
        }
        throw new PostHogApiError({
          status,
          method,
          path: a.display,
          gaveUp: `PostHog asked for a wait of ${formatDuration(told)}, more than the ${formatDuration(wait.leftMs)} this request had left to wait`,
        });
      }
      if (retry) {
        await response.body?.cancel().catch(() => undefined);
        if (status === 429 && told !== undefined && opts.bucket) this.limiter.pause(opts.bucket, told);
        await this.backoff(a, told);
        continue;
      }
      if (retryable && !safe) {
        await response.body?.cancel().catch(() => undefined);
        // A 504 is a gateway that stopped waiting: PostHog behind it may still commit.
        throw new AmbiguousWriteError(method, a.display, `HTTP ${status}`, status === 504);
      }
      throw await this.apiError(response, a, gaveUp);
    }
  }

  /** Every item of a list endpoint, whichever pagination style it uses. */
  async listAll<T = unknown>(path: string, opts: ListOptions<T>): Promise<T[]> {
    return listPages<T>(this, path, opts);
  }

  /**
   * A 2xx body, read within the size limit and checked. `{ok: false}` means "try again" (the
   * backoff has been waited); anything that cannot be tried again throws.
   */
  private async readAnswer(
    response: Response,
    expect: AnswerShape | undefined,
    a: Attempt,
  ): Promise<{ ok: true; value: unknown } | { ok: false }> {
    let problem: string;
    let retryable = true;
    let tooLarge: string | undefined;
    try {
      const text = await readCapped(response, this.maxResponseBytes);
      const checked = checkAnswer(text, response.status, response.headers.get('content-type'), expect);
      if (checked.ok) {
        this.emit(a, response.status, false, expect === 'page' ? pageSize(checked.value) : undefined);
        return checked;
      }
      problem = this.redact(checked.problem);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) {
        // The connection broke (or timed out) while the answer was arriving: an answer lost on the
        // way. A write whose success status came is done by now: one look finds what it made.
        if (!a.idempotent) {
          this.emit(a, response.status, false);
          throw new AmbiguousWriteError(a.method, a.display, `the answer broke off after HTTP ${response.status}`, false);
        }
        await this.onNetworkFailure(error, a);
        return { ok: false };
      }
      problem = error.describe();
      tooLarge = error.advice;
      // The same request gets the same huge answer: trying again only costs time.
      retryable = false;
    }
    if (!a.idempotent) {
      this.emit(a, response.status, false);
      // The answer came in full: what the write did, it has done.
      throw new AmbiguousWriteError(a.method, a.display, `the answer could not be read: ${problem}`, false);
    }
    const gaveUp = retryable ? this.giveUpReason(a) : undefined;
    const retry = retryable && gaveUp === undefined;
    this.emit(a, response.status, retry);
    if (!retry) throw new MalformedAnswerError(a.method, a.display, response.status, problem, gaveUp, tooLarge);
    await this.backoff(a);
    return { ok: false };
  }

  /** Waits and returns when the request may be tried again; throws the error to report otherwise. */
  private async onNetworkFailure(error: unknown, a: Attempt): Promise<void> {
    if (this.halt.stopping.aborted) {
      // The run is stopping: nothing is retried, and a write cut short may have happened.
      this.emit(a, 'network', false);
      if (a.method !== 'GET') throw new AmbiguousWriteError(a.method, a.display, 'the run stopped before the answer came');
      throw this.notSentError(a);
    }
    const failure = classifyNetworkError(error);
    // A host that has never answered and keeps a connection (or a request) waiting is most likely
    // the wrong address: retrying would multiply the wait before the user hears about it.
    const silent = !this.answered && (failure.kind === 'connect_timeout' || failure.kind === 'timeout');
    const safe = a.idempotent || !failure.maybeSent;
    let gaveUp: string | undefined;
    if (!failure.permanent && !silent && safe) {
      gaveUp = !failure.maybeSent && a.attempt >= MAX_CONNECT_ATTEMPTS ? `gave up after ${a.attempt} attempts` : this.giveUpReason(a);
    }
    const retry = !failure.permanent && !silent && safe && gaveUp === undefined;
    this.emit(a, 'network', retry);
    if (retry) {
      await this.backoff(a);
      return;
    }
    if (!a.idempotent && failure.maybeSent) throw new AmbiguousWriteError(a.method, a.display, ambiguityReason(failure, this.timeoutMs));
    const message = describeNetworkFailure(failure, {
      method: a.method,
      url: a.url,
      path: a.display,
      answeredBefore: this.answered,
      connectTimeoutMs: this.connectTimeoutMs,
      timeoutMs: this.timeoutMs,
      gaveUp,
    });
    throw new NetworkError(a.method, a.url, failure.code, failure.kind, message);
  }

  /** Why no retry is allowed any more, or undefined while one is. */
  private giveUpReason(a: Attempt): string | undefined {
    if (this.retriesLeft <= 0) return `the run's budget of ${this.policy.runBudget} retries is used up`;
    if (a.attempt >= this.policy.maxAttempts) return `gave up after ${a.attempt} attempt${a.attempt === 1 ? '' : 's'}`;
    const elapsed = Date.now() - a.started;
    if (elapsed >= this.policy.maxElapsedMs) return `gave up after ${Math.round(elapsed / 1000)} s of retries`;
    return undefined;
  }

  private async backoff(a: Attempt, toldMs?: number): Promise<void> {
    this.retriesLeft--;
    this.counters.retries++;
    // PostHog's Retry-After is exact; a little jitter keeps concurrent waiters from returning together.
    const wait = toldMs !== undefined ? toldMs + this.random() * 250 : backoffMs(this.policy, a.attempt - 1, this.random);
    this.waiting({ reason: toldMs !== undefined ? 'Retry-After' : 'retry', method: a.method, path: a.display, until: Date.now() + wait });
    a.attempt++;
    // A run that stops ends the wait; the request loop then sends nothing.
    await sleepUnless(wait, this.halt.stopping, this.sleep);
  }

  /** A turn in the rate limiter, given up (NotSentError) when the run stops meanwhile. */
  private async acquire(bucket: string, a: Attempt): Promise<() => void> {
    try {
      return await this.limiter.acquire(bucket, this.halt.stopping, (until) =>
        this.waiting({ reason: 'rate limit', bucket, method: a.method, path: a.display, until }),
      );
    } catch (error) {
      if (this.halt.stopping.aborted) throw this.notSentError(a);
      throw error;
    }
  }

  private waiting(e: WaitEvent): void {
    if (e.until - Date.now() >= NOTABLE_WAIT_MS) this.waits.push(e);
    this.onWait?.(e);
  }

  private notSentError(a: Attempt): NotSentError {
    return new NotSentError(a.method, a.display, this.halt.notSent ?? 'the run stopped');
  }

  private emit(a: Attempt, status: number | 'network', willRetry: boolean, page?: RequestEvent['page']): void {
    this.onRequest?.({
      method: a.method,
      path: a.display,
      status,
      ms: Date.now() - a.t0,
      attempt: a.attempt,
      willRetry,
      ...(page ? { page } : {}),
    });
  }

  private async apiError(response: Response, a: Attempt, gaveUp: string | undefined): Promise<PostHogApiError> {
    const text = await readCapped(response, Math.min(this.maxResponseBytes, ERROR_BODY_LIMIT)).catch(() => '');
    const fields = errorFields(text, response.headers.get('content-type'), (t) => this.redact(t));
    return new PostHogApiError({ status: response.status, method: a.method, path: a.display, ...fields, gaveUp });
  }
}

/** Rows and count of an answer already checked to be a list page. */
function pageSize(value: unknown): RequestEvent['page'] {
  const page = value as { count: number; results: unknown[] };
  return { rows: page.results.length, count: page.count };
}

function displayPath(url: string): string {
  const u = new URL(url);
  u.searchParams.delete('personal_api_key');
  return `${u.pathname}${u.search}`;
}

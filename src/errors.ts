// The closed set of errors a user can see. Each carries a stable `code` and typed data;
// only src/cli/main.ts turns them into output, and src/cli/exit-codes.ts into exit codes.

import { formatDuration } from './duration.js';

export abstract class HogsyncError extends Error {
  abstract readonly code: string;
  /** Structured data for `--output json` (never contains secrets). */
  data(): Record<string, unknown> {
    return {};
  }
}

/** The command line itself is wrong: unknown flag value, missing argument. */
export class UsageError extends HogsyncError {
  readonly code = 'usage';
}

/** hogsync.yaml, environment variables or flags do not resolve to a usable target. */
export class ConfigError extends HogsyncError {
  readonly code = 'config';
}

/** A resource file or the state file cannot be read as written. `where` is `path[:line:col]`. */
export class FileError extends HogsyncError {
  readonly code = 'file';
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
  override data() {
    return { where: this.where, problem: this.problem };
  }
}

export interface ApiErrorFields {
  status: number;
  method: string;
  /** Path and query of the request, never the host's credentials. */
  path: string;
  type?: string | undefined;
  apiCode?: string | undefined;
  detail?: string | undefined;
  attr?: string | null | undefined;
  /** Set when the status was worth retrying but retries ran out: says which budget ran out. */
  gaveUp?: string | undefined;
  /**
   * The body was PostHog's JSON error (`{type, code, detail}`, or DRF's `{detail}`), not a page
   * or text from something in front of it (a proxy's HTML 404). Only PostHog's own 404 says
   * that a resource does not exist.
   */
  fromPostHog?: boolean | undefined;
}

/** PostHog answered with an error status. */
export class PostHogApiError extends HogsyncError {
  readonly code = 'api';
  constructor(readonly fields: ApiErrorFields) {
    super(describeApiError(fields));
  }
  get status() {
    return this.fields.status;
  }
  override data() {
    const { status, method, path, type, apiCode, detail, attr, gaveUp } = this.fields;
    return { status, method, path, type, code: apiCode, detail, attr, ...(gaveUp ? { gaveUp } : {}) };
  }
}

/**
 * PostHog itself said that what was asked for does not exist: a 404 in its JSON error format.
 * A 404 page from a proxy in front of it says nothing about PostHog's resources, and concluding
 * "deleted" from one would remove files, tombstone bindings or re-create what exists.
 */
export function notFoundInPostHog(error: unknown): boolean {
  return error instanceof PostHogApiError && error.status === 404 && error.fields.fromPostHog === true;
}

/** Which kind of network failure: each has its own sentence and its own advice. */
export type NetworkFailureKind = 'refused' | 'dns' | 'unreachable' | 'tls' | 'bad_port' | 'connect_timeout' | 'timeout' | 'reset' | 'other';

/**
 * The request got no HTTP answer: PostHog could not be reached (DNS, refused, TLS, a port fetch
 * refuses, no connection in time), did not answer in time, or the connection was reset.
 * `message` is one or two sentences built by the client (src/posthog/network-failure.ts).
 */
export class NetworkError extends HogsyncError {
  readonly code = 'network';
  constructor(
    readonly method: string,
    readonly url: string,
    /** The low-level code (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`, `bad port`, ...). */
    readonly reason: string,
    readonly kind: NetworkFailureKind,
    message: string,
  ) {
    super(message);
  }
  override data() {
    return { method: this.method, url: this.url, reason: this.reason, kind: this.kind };
  }
}

/**
 * A non-idempotent request (POST) may or may not have taken effect: the connection
 * dropped, timed out, a 5xx came back after the request was sent, or the answer could
 * not be read. The caller must look the resource up before trying again.
 */
export class AmbiguousWriteError extends HogsyncError {
  readonly code = 'ambiguous_write';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly reason: string,
    /**
     * PostHog may still be working on the write after this error (a timeout, a reset, a 504 from a
     * gateway that gave up waiting). false: an answer came in full (an unusable 2xx, a 502/503 from
     * something in front of PostHog), so whatever the write did is done by now.
     */
    readonly mayCommitLater = true,
  ) {
    super(`${method} ${path} may or may not have been applied (${reason}); hogsync checks before retrying.`);
  }
  override data() {
    return { method: this.method, path: this.path, reason: this.reason };
  }
}

/**
 * A create that PostHog made, whose follow-up update (the file's values, after a create under
 * others: a variable's name after its code_name) failed. What was made is bound; the next push
 * sends the update again.
 */
export class IncompleteCreateError extends HogsyncError {
  readonly code = 'incomplete_create';
  constructor(
    readonly id: string | number,
    readonly fields: string[],
    readonly reason: HogsyncError,
  ) {
    super(`created as id ${id}, but setting ${fields.join(', ')} afterwards failed: ${reason.message} Run push again to send it.`);
  }
  override data() {
    return { id: this.id, fields: this.fields, reason: { code: this.reason.code, ...this.reason.data() } };
  }
}

/**
 * PostHog answered 2xx with something hogsync cannot use: not JSON (an HTML page), cut off, the
 * wrong shape (a list without `results`, a created object without an id), larger than the size
 * limit, or a list whose pages contradict each other. `problem` never quotes an HTML body.
 */
export class MalformedAnswerError extends HogsyncError {
  readonly code = 'malformed_answer';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly problem: string,
    /** Which retry budget ran out, when the request was retried. */
    readonly gaveUp?: string,
    /**
     * The answer was larger than the size limit, and this is what to do about it: the same
     * request gets the same answer, so "try again" and "check --host" would not fit.
     */
    readonly tooLarge?: string,
  ) {
    super(
      `PostHog answered ${method} ${path} with ${status}, but the answer cannot be used: ${problem}${gaveUp ? ` (${gaveUp})` : ''}. ` +
        (tooLarge ?? `Try again; if it keeps happening, check that --host is PostHog's API and not a proxy or web page in front of it.`),
    );
  }
  override data() {
    return {
      method: this.method,
      path: this.path,
      status: this.status,
      problem: this.problem,
      ...(this.gaveUp ? { gaveUp: this.gaveUp } : {}),
    };
  }
}

/**
 * PostHog answered with a redirect that hogsync does not follow: to another origin (the key
 * would go to another server), or in answer to a write (a write is never re-sent).
 */
export class RedirectError extends HogsyncError {
  readonly code = 'redirect';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The Location, resolved against the request URL (empty when the answer had none). */
    readonly location: string,
    message: string,
  ) {
    super(message);
  }
  override data() {
    return { method: this.method, path: this.path, status: this.status, location: this.location };
  }
}

function describeApiError(f: ApiErrorFields): string {
  // An answer that is not PostHog's JSON came from whatever sits at --host (a proxy, a web page): not called PostHog's.
  const who = f.fromPostHog === false ? 'The server' : 'PostHog';
  const head = `${who} answered ${f.status}${f.apiCode ? ` (${f.apiCode}${f.attr ? `, attr ${f.attr}` : ''})` : ''} to ${f.method} ${f.path}`;
  const gaveUp = f.gaveUp ? ` (${f.gaveUp})` : '';
  const detail = f.detail ? `: ${f.detail}` : '';
  const text = `${head}${gaveUp}${detail}`;
  const hint = hintFor(f);
  if (!hint) return text;
  return /[.!?]$/.test(text) ? `${text} ${hint}` : `${text}. ${hint}`;
}

/** `/api/projects/999/insights/` → `999`: a project's collection list (not one resource, not a page past the end). */
function collectionProject(f: ApiErrorFields): string | undefined {
  const m = /^\/api\/(?:projects|environments)\/([^/?]+)\/[a-z_]+\/?(?:\?.*)?$/.exec(f.path);
  if (!m || /invalid page/i.test(f.detail ?? '')) return undefined;
  return m[1];
}

function hintFor(f: ApiErrorFields): string {
  if (f.status === 401) return 'The personal API key was rejected: check the key in the environment variable named by api_key_env.';
  if (f.status === 403 && /scope/i.test(f.detail ?? ''))
    return 'Give the personal API key the missing scope in PostHog (Settings → Personal API keys).';
  if (f.status === 403) return 'The personal API key has no access to this project: check --project and the key’s project scoping.';
  if (f.status === 404 && f.fromPostHog === false) {
    return "It is not PostHog's answer (PostHog answers errors in JSON), so nothing was concluded from it: check that --host is PostHog's API and not a proxy or web page in front of it.";
  }
  if (f.status === 404 && /\/api\/(projects|environments)\/[^/]+\/?$/.test(f.path)) return 'Check --project.';
  const project = f.status === 404 ? collectionProject(f) : undefined;
  if (project !== undefined) {
    return `Project ${project} not found or not visible to this key: check --project (or POSTHOG_PROJECT_ID) and the projects the personal API key is scoped to.`;
  }
  if (f.status === 429) return 'PostHog kept throttling after all retries; try again later or lower --concurrency.';
  // A hog function built from a hidden template (hog_function.py `_validate_hidden_template_not_enabled`):
  // PostHog names `enabled` even when the file changed something else.
  if (f.status === 400 && f.attr === 'enabled' && /internal template/.test(f.detail ?? '')) {
    return 'Set enabled: false in its file to push other changes to it, or remove the file and push --prune to delete it.';
  }
  if (f.gaveUp && f.status >= 500) return 'PostHog (or a proxy in front of it) keeps failing; try again later.';
  return '';
}

/** A file refers to a resource that does not exist in the target environment. */
export class UnresolvedReferenceError extends HogsyncError {
  readonly code = 'unresolved_reference';
}

/** Several files have problems; each line is `file:line:col: message`. */
export class InvalidFilesError extends HogsyncError {
  readonly code = 'invalid_files';
  constructor(readonly lines: string[]) {
    super(`${lines.join('\n')}\n${lines.length} problem${lines.length === 1 ? '' : 's'} found; fix the files and run again.`);
  }
  override data() {
    return { problems: this.lines };
  }
}

/** Problems found before any write; nothing was sent. */
export class PreflightError extends HogsyncError {
  readonly code = 'preflight';
  constructor(readonly problems: string[]) {
    super(`Nothing was pushed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  override data() {
    return { problems: this.problems };
  }
}

/**
 * The operating system refused a file operation (disk full, read-only, permission, a
 * folder in the way). The message names the file and the fix; see store/fs-errors.ts.
 */
export class FilesystemError extends HogsyncError {
  readonly code = 'filesystem';
  constructor(
    readonly path: string,
    /** The errno code, e.g. ENOSPC. */
    readonly errno: string,
    message: string,
  ) {
    super(message);
  }
  override data() {
    return { path: this.path, errno: this.errno };
  }
}

/** SIGINT or SIGTERM stopped the run; what was done is recorded, and the same command finishes it. */
export class InterruptedError extends HogsyncError {
  readonly code = 'interrupted';
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    readonly done: string,
  ) {
    super(`Interrupted by ${signal}: ${done}. The state file records what was done; run the same command again to finish.`);
  }
  override data() {
    return { signal: this.signal };
  }
}

/** A wait PostHog asked for (a 429's or 503's Retry-After) that the run could not afford. */
export interface LongWait {
  method: string;
  /** Path and query of the request, never the host's credentials. */
  path: string;
  status: number;
  /** The Retry-After header as PostHog sent it. */
  retryAfter: string;
  waitMs: number;
  /** What the run had left to wait for this request: max_wait minus what it had waited already. */
  leftMs: number;
  maxWaitMs: number;
  /** When PostHog said it would take the request again (ms since the epoch). */
  until: number;
}

/**
 * PostHog asked for a wait longer than the run had left (rate_limits.max_wait): the run stopped
 * at once instead of sleeping it out. What was done is recorded; the same command resumes.
 */
export class ThrottledError extends HogsyncError {
  readonly code = 'throttled';
  constructor(
    readonly wait: LongWait,
    readonly done: string,
  ) {
    super(describeLongWait(wait, done));
  }
  override data() {
    const { method, path, status, retryAfter, waitMs, leftMs, maxWaitMs, until } = this.wait;
    return { method, path, status, retryAfter, waitMs, leftMs, maxWaitMs, until: new Date(until).toISOString() };
  }
}

function describeLongWait(w: LongWait, done: string): string {
  const what =
    w.status === 429
      ? `PostHog throttled ${w.method} ${w.path}`
      : `PostHog answered ${w.status} to ${w.method} ${w.path} and asked for a wait`;
  const left =
    Math.round(w.leftMs / 1000) < Math.round(w.maxWaitMs / 1000)
      ? `the ${formatDuration(w.leftMs)} left of the ${formatDuration(w.maxWaitMs)}`
      : `the ${formatDuration(w.maxWaitMs)}`;
  // Rounded up to the minute: a run started at the time printed is never early.
  const resume = new Date(Math.ceil(w.until / 60_000) * 60_000).toISOString().slice(0, 16).replace('T', ' ');
  return `${what} for ${formatDuration(w.waitMs)} (Retry-After: ${w.retryAfter}), longer than ${left} this run may wait: ${done}; run the same command again after ${resume} UTC, or raise rate_limits.max_wait (HOGSYNC_MAX_WAIT).`;
}

/**
 * A request the client did not send, or that PostHog refused unseen (429), because the run is
 * stopping: interrupted, or told to wait longer than it may. The drivers report the stop itself
 * (InterruptedError, ThrottledError) with what was done; this only marks what was not.
 */
export class NotSentError extends HogsyncError {
  readonly code = 'not_sent';
  constructor(
    readonly method: string,
    readonly path: string,
    /** `the run was interrupted`, `PostHog asked for a longer wait than the run may make`. */
    readonly why: string,
  ) {
    super(`${method} ${path} was not sent: ${why}.`);
  }
  override data() {
    return { method: this.method, path: this.path, why: this.why };
  }
}

/** A saved plan no longer describes what would be done: something it covers changed since the review. */
export class StalePlanError extends HogsyncError {
  readonly code = 'stale_plan';
  constructor(
    readonly file: string,
    readonly stale: string[],
  ) {
    super(
      `${file} is out of date, so nothing was pushed:\n${stale.map((s) => `  - ${s}`).join('\n')}\nMake a new plan (hogsync diff --out ${file}), review it, and push that.`,
    );
  }
  override data() {
    return { file: this.file, stale: this.stale };
  }
}

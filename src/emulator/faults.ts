// Injected faults: latency, failures before anything happens, failures after a write committed,
// and the hostile answers of a misbehaving server or proxy (redirects, garbled or endless bodies).
import { makeRandom } from './random.js';
import type { EndlessListFault, Faults, MalformedFault, MalformedKind, RedirectFault } from './types.js';

function defaultFaults(): Faults {
  return {
    latencyMs: 0,
    latencyJitterMs: 0,
    latencyPerItemMs: 0,
    failRate: 0,
    failStatus: 503,
    resetAfterCommitRate: 0,
    errorAfterCommitRate: 0,
  };
}

/** A fault setting that cannot be used; the control API answers it with a 400. */
export class FaultSettingError extends Error {}

const NUMERIC = [
  'latencyMs',
  'latencyJitterMs',
  'latencyPerItemMs',
  'latencyPerBasicItemMs',
  'failRate',
  'failStatus',
  'resetAfterCommitRate',
  'errorAfterCommitRate',
  'seed',
  'commitDelayMs',
  'padMb',
];
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
const MALFORMED_KINDS: MalformedKind[] = ['html', 'invalid_json', 'truncated', 'null_results', 'null_row', 'no_id', 'misrouted'];

/** Checks a change of settings (from setFaults() or the control API) and returns it typed. */
export function checkFaultPatch(body: Record<string, unknown>): Partial<Faults> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (NUMERIC.includes(k)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new FaultSettingError(`fault setting "${k}" must be a number`);
      if (k.endsWith('Rate') && (v < 0 || v > 1)) throw new FaultSettingError(`fault setting "${k}" must be between 0 and 1`);
      if ((k === 'commitDelayMs' || k === 'padMb') && v < 0) throw new FaultSettingError(`fault setting "${k}" must be at least 0`);
    } else if (k === 'echoErrors') {
      if (typeof v !== 'boolean') throw new FaultSettingError('fault setting "echoErrors" must be true or false');
    } else if (k === 'redirect') {
      if (v !== null) checkRedirect(v);
    } else if (k === 'malformed') {
      if (v !== null) checkMalformed(v);
    } else if (k === 'endlessLists') {
      if (v !== null) checkEndless(v);
    } else if (k === 'revokedKey') {
      if (v !== null) checkRevoked(v);
    } else throw new FaultSettingError(`unknown fault setting "${k}"`);
    out[k] = v;
  }
  return out as Partial<Faults>;
}

function record(v: unknown, name: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new FaultSettingError(`fault setting "${name}" must be an object or null`);
  return v as Record<string, unknown>;
}

function checkFilter(r: Record<string, unknown>, name: string): void {
  if (r.methods !== undefined && !(Array.isArray(r.methods) && r.methods.every((m) => typeof m === 'string'))) {
    throw new FaultSettingError(`"${name}.methods" must be a list of HTTP methods`);
  }
  if (r.path !== undefined) {
    if (typeof r.path !== 'string') throw new FaultSettingError(`"${name}.path" must be a regular expression`);
    try {
      new RegExp(r.path);
    } catch {
      throw new FaultSettingError(`"${name}.path" is not a valid regular expression`);
    }
  }
}

function checkRedirect(v: unknown): void {
  const r = record(v, 'redirect');
  if (typeof r.status !== 'number' || !REDIRECT_STATUSES.includes(r.status))
    throw new FaultSettingError(`"redirect.status" must be one of ${REDIRECT_STATUSES.join(', ')}`);
  if (r.to !== undefined) {
    if (typeof r.to !== 'string' || !URL.canParse(r.to)) throw new FaultSettingError('"redirect.to" must be an absolute URL (an origin)');
  }
  if (r.hops !== undefined && !(typeof r.hops === 'number' && Number.isInteger(r.hops) && r.hops >= 1))
    throw new FaultSettingError('"redirect.hops" must be a whole number of at least 1');
  checkFilter(r, 'redirect');
}

function checkMalformed(v: unknown): void {
  const r = record(v, 'malformed');
  if (typeof r.rate !== 'number' || r.rate < 0 || r.rate > 1) throw new FaultSettingError('"malformed.rate" must be between 0 and 1');
  if (!MALFORMED_KINDS.includes(r.kind as MalformedKind))
    throw new FaultSettingError(`"malformed.kind" must be one of ${MALFORMED_KINDS.join(', ')}`);
  if (r.afterCommit !== undefined && typeof r.afterCommit !== 'boolean')
    throw new FaultSettingError('"malformed.afterCommit" must be true or false');
  checkFilter(r, 'malformed');
}

function checkEndless(v: unknown): void {
  const r = record(v, 'endlessLists');
  if (r.next !== undefined && r.next !== 'repeat' && r.next !== 'increasing')
    throw new FaultSettingError('"endlessLists.next" must be "repeat" or "increasing"');
  if (r.count !== undefined && !(typeof r.count === 'number' && Number.isInteger(r.count) && r.count >= 0))
    throw new FaultSettingError('"endlessLists.count" must be a whole number');
}

function checkRevoked(v: unknown): void {
  const r = record(v, 'revokedKey');
  if (r.after !== undefined && !(typeof r.after === 'number' && Number.isInteger(r.after) && r.after >= 0))
    throw new FaultSettingError('"revokedKey.after" must be a whole number');
  checkFilter(r, 'revokedKey');
}

/** The method and path filter shared by the redirect, malformed and revoked-key faults. */
function matches(filter: { methods?: string[]; path?: string }, method: string, path: string): boolean {
  if (filter.methods && !filter.methods.some((m) => m.toUpperCase() === method)) return false;
  return filter.path === undefined || new RegExp(filter.path).test(path);
}

export class FaultDice {
  private settings: Faults;
  private random: () => number;

  constructor(initial: Partial<Faults> = {}) {
    this.settings = { ...defaultFaults(), ...checkFaultPatch(initial) };
    this.random = makeRandom(this.settings.seed);
  }

  get current(): Faults {
    return structuredClone(this.settings);
  }

  /** Merges a change; a (new) seed restarts the dice so a test can replay a sequence. */
  configure(patch: Partial<Faults>): Faults {
    this.settings = { ...this.settings, ...checkFaultPatch(patch) };
    if ('seed' in patch) this.random = makeRandom(this.settings.seed);
    if ('revokedKey' in patch) this.authenticated = 0;
    return this.current;
  }

  /** Matching requests that authenticated since the revoked-key fault was set. */
  private authenticated = 0;

  /** Whether this request meets a revoked key (counted once per request, at authentication). */
  keyRevoked(method: string, path: string): boolean {
    const r = this.settings.revokedKey;
    if (!r || !matches(r, method, path)) return false;
    if (this.authenticated < (r.after ?? 0)) {
      this.authenticated++;
      return false;
    }
    return true;
  }

  latencyMs(): number {
    const { latencyMs, latencyJitterMs } = this.settings;
    return Math.max(0, latencyMs + (latencyJitterMs > 0 ? this.random() * latencyJitterMs : 0));
  }

  /** Server time that grows with the answer: PostHog serialises every row of a page, the light serializer for less. */
  itemLatencyMs(items: number, basic: boolean): number {
    const full = this.settings.latencyPerItemMs ?? 0;
    return Math.max(0, (basic ? (this.settings.latencyPerBasicItemMs ?? full) : full) * items);
  }

  /** Rolled once per /api request, before authentication. */
  failBefore(): number | undefined {
    return this.settings.failRate > 0 && this.random() < this.settings.failRate ? this.settings.failStatus : undefined;
  }

  /** Rolled once per committed write. */
  afterCommit(): 'reset' | 'error' | undefined {
    const { resetAfterCommitRate, errorAfterCommitRate } = this.settings;
    if (resetAfterCommitRate <= 0 && errorAfterCommitRate <= 0) return undefined;
    const roll = this.random();
    if (roll < resetAfterCommitRate) return 'reset';
    if (roll < resetAfterCommitRate + errorAfterCommitRate) return 'error';
    return undefined;
  }

  /** The redirect to answer with, if this request is one the redirect fault covers. */
  redirectFor(method: string, path: string): RedirectFault | undefined {
    const r = this.settings.redirect;
    return r && matches(r, method, path) ? r : undefined;
  }

  /**
   * Whether to garble this answer. `stage` is where the pipeline asks: `before` a write runs,
   * `read` after a read was served, `committed` after a write committed. Rolled only when the
   * fault covers the request at that stage.
   */
  malformed(method: string, path: string, stage: 'before' | 'read' | 'committed'): MalformedKind | undefined {
    const m = this.settings.malformed;
    if (!m || m.rate <= 0 || !matches(m, method, path)) return undefined;
    if (!stageApplies(m, stage)) return undefined;
    return this.random() < m.rate ? m.kind : undefined;
  }

  get endlessLists(): EndlessListFault | undefined {
    return this.settings.endlessLists ?? undefined;
  }

  get echoErrors(): boolean {
    return this.settings.echoErrors === true;
  }

  get commitDelayMs(): number {
    return this.settings.commitDelayMs ?? 0;
  }

  get padBytes(): number {
    return Math.round((this.settings.padMb ?? 0) * 1024 * 1024);
  }
}

function stageApplies(m: MalformedFault, stage: 'before' | 'read' | 'committed'): boolean {
  if (m.afterCommit) return stage === 'committed';
  return stage === 'before' || stage === 'read';
}

/** What a failing proxy or server in front of PostHog answers for a given status. */
export function faultResponse(status: number): { contentType: string; body: string; headers: Record<string, string> } {
  const jsonBody = (type: string, code: string, detail: string) => JSON.stringify({ type, code, detail, attr: null });
  if (status === 502 || status === 504) {
    const title = status === 502 ? '502 Bad Gateway' : '504 Gateway Time-out';
    return {
      contentType: 'text/html',
      body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
      headers: {},
    };
  }
  if (status === 503) {
    return {
      contentType: 'application/json',
      body: jsonBody('server_error', 'service_unavailable', 'Service temporarily unavailable, try again later.'),
      headers: {},
    };
  }
  if (status === 429) {
    return {
      contentType: 'application/json',
      body: jsonBody('throttled_error', 'throttled', 'Request was throttled. Expected available in 1 second.'),
      headers: { 'Retry-After': '1' },
    };
  }
  return { contentType: 'application/json', body: jsonBody('server_error', 'error', 'A server error occurred.'), headers: {} };
}

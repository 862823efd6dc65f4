// Injected faults (latency, failures before anything happens, failures after a write committed).
import { makeRandom } from './random.js';
import type { Faults } from './types.js';

export function defaultFaults(): Faults {
  return { latencyMs: 0, latencyJitterMs: 0, latencyPerItemMs: 0, failRate: 0, failStatus: 503, resetAfterCommitRate: 0, errorAfterCommitRate: 0 };
}

export class FaultDice {
  private settings: Faults;
  private random: () => number;

  constructor(initial: Partial<Faults> = {}) {
    this.settings = { ...defaultFaults(), ...initial };
    this.random = makeRandom(this.settings.seed);
  }

  get current(): Faults {
    return { ...this.settings };
  }

  /** Merges a change; a (new) seed restarts the dice so a test can replay a sequence. */
  configure(patch: Partial<Faults>): Faults {
    this.settings = { ...this.settings, ...patch };
    if ('seed' in patch) this.random = makeRandom(this.settings.seed);
    return this.current;
  }

  latencyMs(): number {
    const { latencyMs, latencyJitterMs } = this.settings;
    return Math.max(0, latencyMs + (latencyJitterMs > 0 ? this.random() * latencyJitterMs : 0));
  }

  /** Server time that grows with the answer: PostHog serialises every row of a page. */
  itemLatencyMs(items: number): number {
    return Math.max(0, (this.settings.latencyPerItemMs ?? 0) * items);
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
}

/** What a failing proxy or server in front of PostHog answers for a given status. */
export function faultResponse(status: number): { contentType: string; body: string; headers: Record<string, string> } {
  const jsonBody = (type: string, code: string, detail: string) => JSON.stringify({ type, code, detail, attr: null });
  if (status === 502 || status === 504) {
    const title = status === 502 ? '502 Bad Gateway' : '504 Gateway Time-out';
    return { contentType: 'text/html', body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`, headers: {} };
  }
  if (status === 503) {
    return { contentType: 'application/json', body: jsonBody('server_error', 'service_unavailable', 'Service temporarily unavailable, try again later.'), headers: {} };
  }
  if (status === 429) {
    return { contentType: 'application/json', body: jsonBody('throttled_error', 'throttled', 'Request was throttled. Expected available in 1 second.'), headers: { 'Retry-After': '1' } };
  }
  return { contentType: 'application/json', body: jsonBody('server_error', 'error', 'A server error occurred.'), headers: {} };
}

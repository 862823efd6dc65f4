import { IncompleteCreateError, PostHogApiError, RedirectError } from '../errors.js';

/**
 * Whether another write may go out. After a 401 the key is no good for anything, after a
 * 403 it may not write that kind, after a redirect the host is not PostHog's API (or something
 * in front of it sends writes elsewhere): sending the rest would only collect the same refusal
 * many times over. Once the run stops (SIGINT, SIGTERM, a wait longer than it may make),
 * nothing new is sent either.
 */
export class WriteGate {
  private readonly denied = new Map<string, string>();

  /** `stopped` says why the run sends nothing more, once it does not (the client's halt). */
  constructor(private readonly stopped: () => string | undefined) {}

  /** Why writes of `kind` are no longer sent, if they are not. */
  blocked(kind: string): string | undefined {
    const stopped = this.stopped();
    if (stopped) return `not sent: ${stopped}`;
    return this.denied.get('*') ?? this.denied.get(kind);
  }

  /** Learns from a failed write. */
  observe(kind: string, failure: unknown): void {
    // A create made but not finished failed for the reason it carries.
    const error = failure instanceof IncompleteCreateError ? failure.reason : failure;
    if (error instanceof RedirectError) this.denied.set('*', 'not sent: an earlier write was answered with a redirect (see above)');
    if (!(error instanceof PostHogApiError)) return;
    if (error.status === 401) this.denied.set('*', 'not sent: PostHog rejected the API key (401) on an earlier write');
    else if (error.status === 403) this.denied.set(kind, `not sent: the API key may not write ${kind} (403 on an earlier write, above)`);
  }
}

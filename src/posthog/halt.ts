import { setTimeout as delay } from 'node:timers/promises';
import type { LongWait } from '../errors.js';

/**
 * Why a client sends nothing more: the run was interrupted (SIGINT, SIGTERM), or PostHog asked
 * for a wait longer than the run may make (all its other requests would meet the same wait).
 */
export type HaltCause = { signal: 'SIGINT' | 'SIGTERM' } | { wait: LongWait };

/**
 * How long writes in flight may still answer once the run stops. hogsync promises to stop
 * within 5 s of a signal (CI sends SIGKILL about 10 s after SIGTERM); this leaves time to write
 * the state and exit. A write cut short stays pending in the state, for the next run to look up.
 */
const STOP_GRACE_MS = 3_000;

/**
 * A client's way of stopping. Once halted, every wait (rate-limit pacing, Retry-After, backoff)
 * ends at once, no request is sent any more, reads in flight are cut (they only cost time), and
 * writes in flight get STOP_GRACE_MS to answer before they are cut too.
 */
export class Halt {
  private readonly soft = new AbortController();
  private readonly hard = new AbortController();
  private why: HaltCause | undefined;

  /** Aborted when the client halts: waits end, nothing new is sent, reads are cut. */
  get stopping(): AbortSignal {
    return this.soft.signal;
  }

  /** Aborted STOP_GRACE_MS after the halt (or at once by cut()): writes in flight are cut too. */
  get cutting(): AbortSignal {
    return this.hard.signal;
  }

  get cause(): HaltCause | undefined {
    return this.why;
  }

  /** The first cause wins: a signal during the stop a long wait caused changes nothing. */
  halt(cause: HaltCause): void {
    if (this.why) return;
    this.why = cause;
    this.soft.abort(cause);
    setTimeout(() => this.hard.abort(cause), STOP_GRACE_MS).unref();
  }

  /** Cuts every request in flight at once, writes included. */
  cut(cause: HaltCause): void {
    this.halt(cause);
    this.hard.abort(cause);
  }

  /** Why a request is not sent, in the words of a skipped write (`not sent: …`); undefined while the client runs. */
  get notSent(): string | undefined {
    const c = this.why;
    if (!c) return undefined;
    return 'signal' in c ? 'the run was interrupted' : 'PostHog asked for a longer wait than the run may make';
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** For waits that nothing stops. */
export const NEVER: AbortSignal = new AbortController().signal;

/** Resolves with `promise`, or throws the signal's reason as soon as it aborts (a wait given up). */
export async function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => (onAbort = () => reject(signal.reason)));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Sleeps `ms`, or less if `signal` aborts first (resolving, not throwing: the caller looks at why).
 * `sleep` is an injected clock (tests); the real timer is cleared on abort, so that a wait of
 * hours never keeps a stopped process alive.
 */
export async function sleepUnless(ms: number, signal: AbortSignal, sleep?: (ms: number) => Promise<void>): Promise<void> {
  if (signal.aborted) return;
  if (!sleep) {
    // Node's timers take at most 2^31 - 1 ms (24.8 days); a longer one would fire at once.
    await delay(Math.min(ms, MAX_TIMER_MS), undefined, { signal }).catch(() => undefined);
    return;
  }
  let onAbort!: () => void;
  const aborted = new Promise<void>((resolve) => (onAbort = resolve));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

import { type HogsyncError, InterruptedError, NotSentError, ThrottledError } from '../errors.js';
import type { PostHogClient } from '../posthog/client.js';

/**
 * How a run that is stopping ends, with `done` saying what it did (recorded by then): SIGINT or
 * SIGTERM arrived (the CLI aborts the signal with the signal's name), or a client halted on a
 * wait longer than the run may make. Undefined while the run goes on.
 */
function stopOf(signal: AbortSignal | undefined, clients: readonly PostHogClient[], done: () => string): HogsyncError | undefined {
  if (signal?.aborted) return new InterruptedError(signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT', done());
  for (const client of clients) {
    const cause = client.halted;
    if (cause && 'wait' in cause) return new ThrottledError(cause.wait, done());
  }
  return undefined;
}

/** Stops a driver between its steps once its run is stopping (see stopOf). */
export function stopIfInterrupted(signal: AbortSignal | undefined, clients: readonly PostHogClient[], done: () => string): void {
  const stop = stopOf(signal, clients, done);
  if (stop) throw stop;
}

/**
 * What a step that failed because its run is stopping throws instead: the stop, saying what was
 * done. Only failures the stop caused are replaced (a request not sent, a question given up);
 * any other (a full disk) says more than "interrupted" and is kept.
 */
export function stopOrError(
  error: unknown,
  signal: AbortSignal | undefined,
  clients: readonly PostHogClient[],
  done: () => string,
): unknown {
  const causedByStop = error instanceof NotSentError || (error instanceof Error && error.name === 'AbortError');
  return (causedByStop ? stopOf(signal, clients, done) : undefined) ?? error;
}

import { InterruptedError } from '../errors.js';

/**
 * Stops a driver between its steps once SIGINT or SIGTERM arrived (the CLI aborts the
 * signal with the signal's name). What the run did is recorded by then; `done` says it.
 */
export function stopIfInterrupted(signal: AbortSignal | undefined, done: () => string): void {
  if (!signal?.aborted) return;
  const name = signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
  throw new InterruptedError(name, done());
}

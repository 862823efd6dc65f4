import { exitAtOnce } from './exit-codes.js';
import type { Io } from './io.js';

/**
 * How long a run may take to stop after its first signal. hogsync promises 5 s (CI sends SIGKILL
 * about 10 s after SIGTERM); a run still going by then (a git command that hangs, say) is ended
 * as by a second signal.
 */
const STOP_DEADLINE_MS = 4_500;

type StopSignal = 'SIGINT' | 'SIGTERM';

const AT_ONCE =
  'writes in flight may or may not have been applied (the next run looks them up), and the state file records the rest; run the same command again to finish.';

export interface SignalWatch {
  /** Aborted, with the signal's name as its reason, by the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  dispose(): void;
}

/**
 * SIGINT and SIGTERM during one run. The first aborts `signal`: the run stops cleanly (waits end,
 * writes in flight get a few seconds, the state is written, the lock released, and one line says
 * what was done). A second one, or a run still going STOP_DEADLINE_MS after the first, ends the
 * process at once with one line; the state store's exit hook still writes the state and releases
 * the lock. `beforeExit` clears what the run shows on the terminal (its progress line).
 */
export function watchSignals(io: Io, beforeExit: () => void): SignalWatch {
  const interrupt = new AbortController();
  let deadline: NodeJS.Timeout | undefined;
  const exitNow = (name: StopSignal, what: string) => {
    beforeExit();
    io.err(`error: ${what}: stopped at once; ${AT_ONCE}\n`);
    exitAtOnce(name);
  };
  const onSignal = (received: NodeJS.Signals) => {
    const name: StopSignal = received === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
    if (interrupt.signal.aborted) return exitNow(name, `Interrupted again by ${name}`);
    interrupt.abort(name);
    deadline = setTimeout(
      () => exitNow(name, `Interrupted by ${name}, and not stopped within ${STOP_DEADLINE_MS / 1000} s`),
      STOP_DEADLINE_MS,
    );
    // The deadline never keeps a finished run alive.
    deadline.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: interrupt.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      clearTimeout(deadline);
    },
  };
}

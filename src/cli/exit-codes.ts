import { CommanderError } from 'commander';
import { InterruptedError, StalePlanError } from '../errors.js';
import type { Outcome } from '../model.js';

/** The one map from outcomes to exit codes (README "Exit codes"). */
const CODES: Record<Outcome, number> = {
  done: 0,
  failed: 1,
  changes: 2,
  undecided: 3,
};

export function exitCodeOf(outcome: Outcome): number {
  return CODES[outcome];
}

/** Shells' convention for a process stopped by a signal: 128 + its number. */
const SIGNALS: Record<InterruptedError['signal'], number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Ends the process at once, as stopped by `signal` (a second signal, or a run that did not stop in
 * time): the one exit outside main()'s return, since the run's own promises may never settle.
 */
export function exitAtOnce(signal: InterruptedError['signal']): never {
  process.exit(SIGNALS[signal]);
}

/** Every error is a failure, except commander's own exits for --help and --version, and interruptions. */
export function exitCodeOfError(error: unknown): number {
  if (error instanceof CommanderError && error.exitCode === 0) return CODES.done;
  if (error instanceof InterruptedError) return SIGNALS[error.signal];
  // A reviewed plan that no longer holds is a decision to make again, like drift.
  if (error instanceof StalePlanError) return CODES.undecided;
  return CODES.failed;
}

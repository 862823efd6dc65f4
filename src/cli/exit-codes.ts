import { CommanderError } from 'commander';
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

/** Every error is a failure, except commander's own exits for --help and --version. */
export function exitCodeOfError(error: unknown): number {
  if (error instanceof CommanderError && error.exitCode === 0) return CODES.done;
  return CODES.failed;
}

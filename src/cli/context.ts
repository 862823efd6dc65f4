import type { createClient } from '../config/client.js';
import type { Outcome } from '../model.js';
import type { Redactor } from '../plan/redactor.js';
import type { PostHogClient } from '../posthog/client.js';
import type { Io } from './io.js';
import type { Progress } from './progress.js';

/** What every command is given by main(): its output, its end, and what the run shares. */
export interface CliContext {
  io: Io;
  /** How the command ended, when it did not throw (diff with changes, push with drift left). */
  conclude(outcome: Outcome): void;
  /** Phase costs in ms, written to the file named by HOGSYNC_TIMINGS (benchmarks). */
  timings: Record<string, number>;
  /** Clients opened by the command, for request counts in HOGSYNC_TIMINGS. */
  clients: PostHogClient[];
  /** Makes the PostHog client of a target, when tests inject one (with a shorter clock); otherwise config/client.js's. */
  createClient?: typeof createClient;
  /** Run when the command ends, failed or not: each session saves its rate-limit memory there. */
  atEnd: Array<() => void>;
  /** Secret values met during the run; everything written to stdout and stderr is masked with it. */
  redactor: Redactor;
  /** Aborted by SIGINT or SIGTERM (its reason is the signal's name): stop sending, record, exit. */
  signal: AbortSignal;
  /** What the run has done so far, on stderr (fed by the clients' requests). */
  progress: Progress;
  /** Runs another hogsync command line in this process, as main() does (the demo tour's steps). */
  run(argv: string[], io: Io): Promise<number>;
}

import type { Target, Workspace } from '../config/target.js';
import type { KindDef } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import type { Redactor } from '../plan/redactor.js';

/** What every job run against one environment is given: the checkout, the environment and its client, the kinds, the process. */
export interface EnvironmentJob {
  ws: Workspace;
  target: Target;
  client: PostHogClient;
  kinds: readonly KindDef[];
  env: NodeJS.ProcessEnv;
  /** Told every secret value the run meets, for the output to mask. */
  redactor?: Redactor;
  /** Aborted on SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Tells the user something worth acting on that is not an error (a `refs:` table no longer needed). */
  note?: (line: string) => void;
}

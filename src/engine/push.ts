import { resolve } from 'node:path';
import type { Target, Workspace } from '../config/target.js';
import type { KindDef } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import type { Redactor } from '../plan/secrets.js';
import type { Plan } from '../plan/diff.js';
import { filterPlan } from '../plan/filter.js';
import { appliedSoFar } from '../apply/apply-plan.js';
import { stopIfInterrupted } from './interrupt.js';
import { readPlan, type Loaded } from './read.js';
import { applyPlan, checkPlan, settleMs, type ApplyResult, type PushEvent } from '../apply/apply-plan.js';

export interface PushRunOptions {
  /** Aborted on SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Told every secret value the run meets, for the output to mask. */
  redactor?: Redactor;
  ws: Workspace;
  target: Target;
  client: PostHogClient;
  kinds: readonly KindDef[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  selectors: string[];
  prune: boolean;
  force: boolean;
  adopt: boolean;
  dryRun: boolean;
  rotateSecrets: boolean;
  concurrency: number;
  /** Asked with the plan before the first write; false aborts. */
  confirm?: (plan: Plan) => Promise<boolean>;
  onEvent?: (event: PushEvent) => void;
  timings?: Record<string, number>;
}

export interface PushRun {
  plan: Plan;
  /** Absent for --dry-run and when the user declined. */
  result?: ApplyResult;
  declined?: boolean;
}

/** push: plan (same differ as diff), check everything, confirm, apply. */
export async function runPush(opts: PushRunOptions): Promise<PushRun> {
  const loaded = await readPlan({ ...opts, assignNew: false, lock: !opts.dryRun });
  try {
    return await applyLoaded(opts, loaded);
  } finally {
    loaded.state.release();
  }
}

async function applyLoaded(opts: PushRunOptions, loaded: Loaded & { plan: Plan }): Promise<PushRun> {
  const plan = filterPlan(loaded.plan, opts.selectors, { file: (p) => resolve(opts.ws.root, p), selector: (p) => resolve(opts.cwd, p) });
  const checked = checkPlan({ plan, snapshot: loaded.snapshot, vars: loaded.vars, prune: opts.prune, force: opts.force, ...(opts.redactor ? { redactor: opts.redactor } : {}) });
  if (opts.dryRun) return { plan };
  if (checked.ops.length > 0 && opts.confirm && !(await opts.confirm(plan))) return { plan, declined: true };
  const applied = Date.now();
  const result = await applyPlan(checked, { state: loaded.state, client: opts.client, kinds: opts.kinds, concurrency: opts.concurrency, settleMs: settleMs(opts.client), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
  if (opts.timings) opts.timings.applyWall = Date.now() - applied;
  stopIfInterrupted(opts.signal, () => appliedSoFar(result));
  return { plan, result };
}

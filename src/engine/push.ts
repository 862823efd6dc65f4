import { relative, resolve } from 'node:path';
import { appliedSoFar, applyInput, applyPlan, checkPlan, type ApplyResult, type PushEvent } from '../apply/apply-plan.js';
import { preview } from '../apply/preview.js';
import { selectOps } from '../apply/ops.js';
import { ConfigError, InvalidFilesError, StalePlanError } from '../errors.js';
import type { Plan } from '../plan/diff.js';
import { filterPlan } from '../plan/filter.js';
import { replayPlan } from '../plan/saved-plan.js';
import { readPlanFile } from '../store/plan-file.js';
import { heldProblemsSent } from './gate.js';
import { stopIfInterrupted } from './interrupt.js';
import { attachConflictBases } from './conflict-bases.js';
import { readPlan, type Loaded } from './read.js';
import type { EnvironmentJob } from './job.js';

export interface PushRunOptions extends EnvironmentJob {
  /** --plan: apply exactly the plan saved in this file (absolute path), or refuse if it is out of date. */
  planFile?: string;
  /** --no-validate: validate's checks are not run before the first request. */
  skipChecks?: boolean;
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
  /** --dry-run: what the push would do, from the same checked plan. */
  preview?: ApplyResult;
  /** Absent for --dry-run and when the user declined. */
  result?: ApplyResult;
  declined?: boolean;
}

/** push: plan (same differ as diff), check everything, confirm, apply. */
export async function runPush(opts: PushRunOptions): Promise<PushRun> {
  // Stopped while reading or at the confirmation: main() reports the stop ("nothing was changed").
  const loaded = await readPlan({ ...opts, assignNew: false, lock: !opts.dryRun, filesFirst: true, skipChecks: opts.skipChecks === true });
  try {
    return await applyLoaded(opts, loaded);
  } finally {
    loaded.state.release();
  }
}

async function applyLoaded(opts: PushRunOptions, loaded: Loaded & { plan: Plan }): Promise<PushRun> {
  const plan = opts.planFile
    ? reviewed(opts, opts.planFile, loaded.plan)
    : filterPlan(loaded.plan, opts.selectors, { file: (p) => resolve(opts.ws.root, p), selector: (p) => resolve(opts.cwd, p) });
  // A file PostHog holds as it is may carry a problem (a warning then); one that this push sends all the same stops it.
  const sent = selectOps(plan, opts).ops.flatMap((o) => (o.type !== 'delete' && o.change.file ? [o.change.file] : []));
  const refused = heldProblemsSent(loaded.held, sent);
  if (refused.length > 0) throw new InvalidFilesError(refused);
  const checked = checkPlan({
    plan,
    snapshot: loaded.snapshot,
    vars: loaded.vars,
    prune: opts.prune,
    force: opts.force,
    dryRun: opts.dryRun,
    ...(opts.redactor ? { redactor: opts.redactor } : {}),
  });
  // Conflicts are shown before the question (and in a dry run) with what they were at the last sync.
  if (opts.dryRun || opts.confirm) await attachConflictBases(plan, loaded.snapshot, opts.ws, opts.target, loaded.vars);
  if (opts.dryRun) return { plan: checked.plan, preview: preview(checked) };
  if (checked.ops.length > 0 && opts.confirm && !(await opts.confirm(plan))) return { plan, declined: true };
  const applied = Date.now();
  const result = await applyPlan(checked, applyInput(opts, loaded.state, opts.client));
  if (opts.timings) opts.timings.applyWall = Date.now() - applied;
  stopIfInterrupted(opts.signal, [opts.client], () => appliedSoFar(result));
  return { plan, result };
}

/** The saved plan, if it still holds: what it covers, as it is now; nothing it does not cover. */
function reviewed(opts: PushRunOptions, planFile: string, current: Plan): Plan {
  const display = relative(opts.cwd, planFile) || planFile;
  const saved = readPlanFile(planFile, display);
  const { target } = opts;
  if (saved.environment !== target.environment || saved.project !== target.project || saved.host !== target.host) {
    throw new ConfigError(
      `${display} was made for ${saved.environment} (project ${saved.project} at ${saved.host}), not ${target.environment} (project ${target.project} at ${target.host}): push it with -e ${saved.environment}.`,
    );
  }
  const { plan, stale } = replayPlan(saved, current);
  if (stale.length > 0) throw new StalePlanError(display, stale);
  return plan;
}

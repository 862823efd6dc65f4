import { resolve } from 'node:path';
import type { Plan } from '../plan/diff.js';
import { filterPlan } from '../plan/filter.js';
import { savePlan } from '../plan/saved-plan.js';
import { writePlanFile } from '../store/plan-file.js';
import { attachConflictBases } from './conflict-bases.js';
import { readPlan } from './read.js';
import type { EnvironmentJob } from './job.js';

export interface DiffOptions extends EnvironmentJob {
  /** --no-validate: validate's checks are not run before the first request. */
  skipChecks?: boolean;
  /** --out: the plan is saved here for `push --plan` (absolute path). */
  out?: string;
  cwd: string;
  selectors: string[];
  adopt: boolean;
  timings?: Record<string, number>;
}

export interface DiffRun {
  /** The plan; `plan.missingVars` lists the variables a push of it would need and that are unset. */
  plan: Plan;
}

/** diff: files, state and PostHog side by side, classified; nothing is written. */
export async function runDiff(opts: DiffOptions): Promise<DiffRun> {
  // What a push would need is worked out by the push's own preflight, loaded while the lists travel.
  const apply = import('../apply/apply-plan.js');
  apply.catch(() => undefined);
  const {
    plan: full,
    snapshot,
    vars,
  } = await readPlan({ ...opts, filesFirst: true, assignNew: false, skipChecks: opts.skipChecks === true });
  const plan = filterPlan(full, opts.selectors, { file: (p) => resolve(opts.ws.root, p), selector: (p) => resolve(opts.cwd, p) });
  await attachConflictBases(plan, snapshot, opts.ws, opts.target, vars);
  const needs = (await apply).needsOf(plan, snapshot, vars);
  if (needs.length > 0) plan.needs = needs;
  if (opts.out) writePlanFile(opts.out, savePlan(plan, opts.target));
  return { plan };
}

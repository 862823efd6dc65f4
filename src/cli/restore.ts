import type { Command } from 'commander';
import type { RestoreRun } from '../engine/restore.js';
import type { CliContext } from './context.js';
import { pushText } from './push-report.js';
import {
  confirmPlan,
  endProgress,
  kindsOption,
  openSession,
  outputOption,
  parseKinds,
  parsePositiveInt,
  warnUnchecked,
  withWaits,
} from './shared.js';

interface RestoreFlags {
  validate?: boolean;
  kinds?: string;
  dryRun?: boolean;
  prune?: boolean;
  force?: boolean;
  yes?: boolean;
  commit?: boolean;
  concurrency?: number;
  output: 'text' | 'json';
}

export function registerRestore(program: Command, ctx: CliContext): void {
  program
    .command('restore')
    .description(
      'make PostHog match the files as a git commit holds them (a nightly backup, HEAD~3, main@{2026-11-20}); the work tree is not touched',
    )
    .argument('<git-rev>', 'the commit to restore: a hash, a tag, HEAD~N or branch@{date}')
    .argument('[selectors...]', 'resource files, keys or Kind/key to restore only part of the project')
    .addOption(kindsOption())
    .option('--dry-run', 'print the plan and send no write')
    .option('--prune', 'also delete resources created since that commit (bound in the state, absent from its files)')
    .option('--force', 'also overwrite what changed in PostHog since the last sync')
    .option('--yes', 'do not ask for confirmation (needed when not on a terminal)')
    .option('--commit', 'commit the state file afterwards, recording what was restored')
    .option('--concurrency <n>', 'parallel writes (default 4, or concurrency in hogsync.yaml)', parsePositiveInt('--concurrency'))
    .option(
      '--no-validate',
      'skip the checks validate makes (schemas, unknown fields, Hog/HogQL syntax, references) before anything is sent: for emergencies',
    )
    .addOption(outputOption(['text', 'json'], 'text'))
    .action(async (rev: string, selectors: string[], flags: RestoreFlags, cmd: Command) => {
      const kinds = parseKinds(flags.kinds);
      const session = await openSession(ctx, cmd);
      const [{ runRestore }, { RENDERERS, planDocument }, { planOutcome }] = await Promise.all([
        import('../engine/restore.js'),
        import('../plan/renderers/index.js'),
        import('../plan/outcome.js'),
      ]);
      warnUnchecked(ctx, flags.validate);
      const run = await runRestore({
        ...session,
        skipChecks: flags.validate === false,
        redactor: ctx.redactor,
        signal: ctx.signal,
        kinds,
        env: ctx.io.env,
        cwd: ctx.io.cwd,
        rev,
        selectors,
        prune: flags.prune === true,
        force: flags.force === true,
        dryRun: flags.dryRun === true,
        commit: flags.commit === true,
        concurrency: flags.concurrency ?? session.target.concurrency,
        ...(flags.yes || flags.dryRun
          ? {}
          : { confirm: confirmPlan(ctx, 'restore', (plan) => `Restore ${plan.environment} to ${rev}? [y/N] `) }),
      });
      endProgress(ctx.io);
      if (flags.output === 'json') ctx.io.out(`${JSON.stringify(withWaits(restoreJson(run, planDocument(run.plan)), ctx), null, 2)}\n`);
      else {
        // The plan first, then what was done.
        ctx.io.out(`Restoring ${run.plan.environment} to ${run.rev.sha.slice(0, 12)} (${run.rev.subject}).\n`);
        ctx.io.out(RENDERERS.text(run.plan, { color: ctx.io.color }));
        if (run.result) ctx.io.out(`\n${pushText(run.plan, run.result)}`);
        if (run.commit) ctx.io.out(`Committed ${run.commit.slice(0, 12)}.\n`);
        const awaiting = run.awaitingFiles ?? [];
        if (awaiting.length > 0) {
          const shown = awaiting.length > 3 ? `${awaiting.slice(0, 3).join(', ')} and ${awaiting.length - 3} more` : awaiting.join(', ');
          ctx.io.err(
            `note: ${awaiting.length} restored resource(s) have no file in the work tree, or an older one (${shown}): the next "hogsync pull" writes them as PostHog now holds them, and push leaves them alone until then.\n`,
          );
        }
      }
      if (run.declined) {
        ctx.io.err('Nothing was restored.\n');
        ctx.conclude('failed');
      } else ctx.conclude(run.result ? run.result.outcome : planOutcome(run.plan));
    });
}

/** The plan (as `diff --output json` prints it) first, then what was done. */
function restoreJson(run: RestoreRun, plan: object) {
  return {
    environment: run.plan.environment,
    rev: run.rev,
    plan,
    ...(run.result ? { summary: run.result.summary, results: run.result.events } : {}),
    ...(run.result?.warnings.length ? { warnings: run.result.warnings } : {}),
    ...(run.commit ? { commit: run.commit } : {}),
    ...(run.awaitingFiles ? { awaitingFiles: run.awaitingFiles } : {}),
  };
}

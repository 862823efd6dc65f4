import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CopyRun } from '../engine/copy.js';
import { worst } from '../model.js';
import type { CliContext } from './context.js';
import {
  confirmPlan,
  endProgress,
  globalsOf,
  kindsOption,
  openSession,
  outputOption,
  parseKinds,
  parsePositiveInt,
  withWaits,
} from './shared.js';
import { pushText } from './push-report.js';

interface CopyFlags {
  from: string;
  to: string;
  kinds?: string;
  dryRun?: boolean;
  prune?: boolean;
  force?: boolean;
  yes?: boolean;
  adopt?: boolean;
  allowUnmappedRefs?: boolean;
  allowSharedSecret?: boolean;
  concurrency?: number;
  output: 'text' | 'json';
}

export function registerCopy(program: Command, ctx: CliContext): void {
  program
    .command('copy')
    .description('copy resources from one environment to another, live (exit codes as push)')
    .requiredOption('--from <env>', 'source environment (read only)')
    .requiredOption('--to <env>', 'target environment (written, with its state)')
    .addOption(kindsOption())
    .option('--dry-run', 'print the plan and send no write')
    .option('--prune', 'delete resources copied earlier that are gone from the source')
    .option('--force', 'overwrite drift and conflicts in the target')
    .option('--yes', 'do not ask for confirmation (needed when not on a terminal)')
    .option('--adopt', 'bind same-named resources in the target instead of creating new ones')
    .option('--allow-shared-secret', 'copy secrets whose variable both environments read from the same process variable')
    .option(
      '--allow-unmapped-refs',
      'copy resources holding ids of objects hogsync does not manage (integrations, colour themes, connections, static cohorts, …) that have no mapping in refs:, unchanged',
    )
    .option('--concurrency <n>', 'parallel writes (default 4)', parsePositiveInt('--concurrency'))
    .addOption(outputOption(['text', 'json'], 'text'))
    .action(async (flags: CopyFlags, cmd: Command) => {
      if (flags.from === flags.to) throw new UsageError(`--from and --to are both "${flags.from}": copy needs two environments.`);
      const { resolveWorkspace } = await import('../config/target.js');
      const ws = resolveWorkspace(globalsOf(cmd), ctx.io.cwd);
      if (!ws.config)
        throw new UsageError(
          'copy needs hogsync.yaml with both environments: run "hogsync init -e <name> --host ... --project ..." for each.',
        );
      const kinds = parseKinds(flags.kinds);
      const source = await openSession(ctx, cmd, flags.from);
      const destination = await openSession(ctx, cmd, flags.to);
      const [from, to] = [source.target, destination.target];
      if (from.host === to.host && from.project === to.project)
        throw new UsageError(`"${flags.from}" and "${flags.to}" are the same project (${to.project} at ${to.host}).`);
      const concurrency = flags.concurrency ?? to.concurrency;
      const [{ runCopy }, { RENDERERS }, { planOutcome }] = await Promise.all([
        import('../engine/copy.js'),
        import('../plan/renderers/index.js'),
        import('../plan/outcome.js'),
      ]);
      const run = await runCopy({
        ws,
        redactor: ctx.redactor,
        signal: ctx.signal,
        from: { target: from, client: source.client },
        to: { target: to, client: destination.client },
        kinds,
        env: ctx.io.env,
        prune: flags.prune === true,
        force: flags.force === true,
        adopt: flags.adopt === true,
        dryRun: flags.dryRun === true,
        allowUnmappedRefs: flags.allowUnmappedRefs === true,
        allowSharedSecret: flags.allowSharedSecret === true,
        concurrency,
        ...(flags.yes || flags.dryRun ? {} : { confirm: confirmPlan(ctx, 'copy', () => `Copy ${flags.from} into ${flags.to}? [y/N] `) }),
      });
      endProgress(ctx.io);
      for (const r of run.refused) ctx.io.err(`refused ${r.kind}/${r.key} (${r.file}): ${r.reason}\n`);
      for (const r of run.unmapped)
        ctx.io.err(`warning: ${r.kind}/${r.key} (${r.file}): copied with ids that may not exist in ${flags.to}\n`);
      if (flags.output === 'json') ctx.io.out(`${JSON.stringify(withWaits(copyJson(run, flags), ctx), null, 2)}\n`);
      else if (run.result) ctx.io.out(pushText(run.plan, run.result));
      else ctx.io.out(RENDERERS.text(run.plan, { color: ctx.io.color }));
      const outcome = run.declined ? 'failed' : run.result ? run.result.outcome : planOutcome(run.plan);
      ctx.conclude(worst(outcome, run.refused.length > 0 ? 'failed' : 'done'));
    });
}

function copyJson(run: CopyRun, flags: CopyFlags) {
  return {
    from: flags.from,
    to: flags.to,
    ...(run.result ? { summary: run.result.summary, results: run.result.events } : { plan: run.plan.summary }),
    ...(run.result?.warnings.length ? { warnings: run.result.warnings } : {}),
    refused: run.refused,
    unmapped: run.unmapped,
  };
}

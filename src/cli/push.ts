import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { kindsWith } from '../kinds/index.js';
import type { PushRun } from '../engine/push.js';
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
  warnHeld,
  warnUnchecked,
  withWaits,
} from './shared.js';

interface PushFlags {
  plan?: string;
  validate?: boolean;
  kinds?: string;
  dryRun?: boolean;
  prune?: boolean;
  force?: boolean;
  yes?: boolean;
  adopt?: boolean;
  rotateSecrets?: boolean;
  verify?: boolean;
  concurrency?: number;
  output: 'text' | 'json';
}

export function registerPush(program: Command, ctx: CliContext): void {
  program
    .command('push')
    .description(
      'apply the files to PostHog (exit 0 applied, 2 planned deletes left without --prune, 3 drift or conflicts skipped, 1 failures)',
    )
    .argument('[selectors...]', 'resource files, keys or Kind/key to limit the push to')
    .addOption(kindsOption())
    .option('--dry-run', 'print what this push (with these flags) would do, and send nothing')
    .option('--plan <file>', 'apply exactly the plan saved by diff --out; refuse (exit 3) if anything it covers changed since')
    .option('--prune', 'delete resources whose file was removed (bound in the state only)')
    .option('--force', 'overwrite drift and conflicts with the files')
    .option('--yes', 'do not ask for confirmation (needed when not on a terminal)')
    .option('--adopt', 'bind same-named remote resources instead of creating new ones')
    .option('--verify', 'then check the health of what it changed (status since the push began); exit 1 if something is failing')
    .option('--rotate-secrets', 'send every secret input written value: ${VAR} again, even if its variable did not change')
    .option('--concurrency <n>', 'parallel writes (default 4, or concurrency in hogsync.yaml)', parsePositiveInt('--concurrency'))
    .option(
      '--no-validate',
      'skip the checks validate makes (schemas, unknown fields, Hog/HogQL syntax, references) before anything is sent: for emergencies',
    )
    .addOption(outputOption(['text', 'json'], 'text'))
    .action(async (selectors: string[], flags: PushFlags, cmd: Command) => {
      const kinds = parseKinds(flags.kinds);
      if (flags.plan && (selectors.length > 0 || flags.kinds))
        throw new UsageError(
          '--plan applies the saved plan as it is: drop the selectors and --kinds (choose them when making the plan with diff).',
        );
      // --concurrency is for writes; list pages, heavy for PostHog, keep the environment's concurrency.
      const session = await openSession(ctx, cmd);
      const [{ runPush }, { RENDERERS }, { planOutcome }] = await Promise.all([
        import('../engine/push.js'),
        import('../plan/renderers/index.js'),
        import('../plan/outcome.js'),
      ]);
      const started = new Date().toISOString();
      warnUnchecked(ctx, flags.validate);
      const run = await runPush({
        ...session,
        skipChecks: flags.validate === false,
        ...(flags.plan ? { planFile: resolve(ctx.io.cwd, flags.plan) } : {}),
        redactor: ctx.redactor,
        signal: ctx.signal,
        kinds,
        env: ctx.io.env,
        timings: ctx.timings,
        cwd: ctx.io.cwd,
        selectors,
        prune: flags.prune === true,
        force: flags.force === true,
        adopt: flags.adopt === true,
        dryRun: flags.dryRun === true,
        rotateSecrets: flags.rotateSecrets === true,
        concurrency: flags.concurrency ?? session.target.concurrency,
        ...(flags.yes || flags.dryRun
          ? {}
          : { confirm: confirmPlan(ctx, 'push', (plan) => `Apply these changes to ${plan.environment}? [y/N] `) }),
      });
      endProgress(ctx.io);
      warnHeld(ctx, run.plan);
      if (!run.result) {
        if (run.declined) {
          ctx.io.err('Nothing was pushed.\n');
          ctx.conclude('failed');
          return;
        }
        // A dry run says what this same push would do, flags included.
        const would = run.preview;
        if (!would) return ctx.conclude(planOutcome(run.plan));
        ctx.io.out(
          flags.output === 'json'
            ? `${JSON.stringify(withWaits({ ...pushJson({ ...run, result: would }), dryRun: true }, ctx), null, 2)}\n`
            : `${RENDERERS.text(run.plan, { color: ctx.io.color })}\n${pushText(run.plan, would, true)}`,
        );
        ctx.conclude(would.outcome);
        return;
      }
      ctx.io.out(flags.output === 'json' ? `${JSON.stringify(withWaits(pushJson(run), ctx), null, 2)}\n` : pushText(run.plan, run.result));
      ctx.conclude(run.result.outcome);
      if (flags.verify) {
        const watched = new Set(kindsWith('health').map((k) => k.kind));
        const keys = run.result.events
          .filter((e) => watched.has(e.kind) && ['created', 'updated', 'adopted'].includes(e.outcome))
          .map((e) => e.key);
        if (keys.length === 0) return;
        const [{ functionStatus, isFailing }, { statusTable }] = await Promise.all([import('../engine/status.js'), import('./status.js')]);
        const statuses = await functionStatus({ ...session, since: started, keys });
        ctx.io.out(`\nVerify (since the push began):\n${await statusTable(statuses, 'since push')}`);
        const failing = statuses.filter(isFailing);
        if (failing.length > 0) {
          ctx.io.err(
            `${failing.map((s) => s.key).join(', ')} ${failing.length === 1 ? 'is' : 'are'} failing since the push; see the errors above and "hogsync status".\n`,
          );
          ctx.conclude('failed');
        }
      }
    });
}

function pushJson(run: PushRun) {
  const warnings = [...(run.plan.warnings ?? []), ...(run.result?.warnings ?? [])];
  return {
    environment: run.plan.environment,
    summary: run.result?.summary,
    results: run.result?.events ?? [],
    ...(warnings.length ? { warnings } : {}),
  };
}

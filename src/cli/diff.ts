import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { endProgress, warnHeld, warnUnchecked, kindsOption, openSession, outputOption, parseKinds } from './shared.js';

interface DiffFlags {
  out?: string;
  validate?: boolean;
  kinds?: string;
  output: 'text' | 'json' | 'markdown';
  adopt?: boolean;
}

export function registerDiff(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description('compare the files with PostHog (exit 0 in sync, 2 changes to push, 3 drift or conflicts)')
    .argument('[selectors...]', 'resource files, keys or Kind/key to limit the diff to')
    .addOption(kindsOption())
    .option(
      '--no-validate',
      'skip the checks validate makes (schemas, unknown fields, Hog/HogQL syntax, references) before anything is sent: for emergencies',
    )
    .addOption(outputOption(['text', 'json', 'markdown'], 'text'))
    .option('--out <file>', 'also save the plan to this file, for push --plan to apply exactly it')
    .option('--adopt', 'show same-named remote resources as adopted, as push --adopt would')
    .action(async (selectors: string[], flags: DiffFlags, cmd: Command) => {
      const kinds = parseKinds(flags.kinds);
      const session = await openSession(ctx, cmd);
      const { runDiff } = await import('../engine/diff.js');
      // What prints the plan loads while the lists travel, not before the files are read.
      const printing = Promise.all([import('../plan/outcome.js'), import('../plan/renderers/index.js')]);
      printing.catch(() => undefined);
      warnUnchecked(ctx, flags.validate);
      const { plan } = await runDiff({
        ...session,
        ...(flags.out ? { out: resolve(ctx.io.cwd, flags.out) } : {}),
        skipChecks: flags.validate === false,
        redactor: ctx.redactor,
        kinds,
        env: ctx.io.env,
        cwd: ctx.io.cwd,
        timings: ctx.timings,
        selectors,
        adopt: flags.adopt === true,
      });
      const [{ planOutcome }, { RENDERERS }] = await printing;
      endProgress(ctx.io);
      warnHeld(ctx, plan);
      ctx.io.out(RENDERERS[flags.output](plan, { color: ctx.io.color }));
      ctx.conclude(planOutcome(plan));
    });
}

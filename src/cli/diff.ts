import type { Command } from 'commander';
import type { CliContext } from './main.js';
import { endProgress, kindsOption, openSession, outputOption, parseKinds } from './shared.js';

interface DiffFlags {
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
    .addOption(outputOption(['text', 'json', 'markdown'], 'text'))
    .option('--adopt', 'show same-named remote resources as adopted, as push --adopt would')
    .action(async (selectors: string[], flags: DiffFlags, cmd: Command) => {
      const kinds = parseKinds(flags.kinds);
      const session = openSession(ctx, cmd);
      const [{ runDiff }, { planOutcome }, { RENDERERS }] = await Promise.all([
        import('../engine/diff.js'),
        import('../plan/outcome.js'),
        import('../plan/renderers/index.js'),
      ]);
      const { plan } = await runDiff({ ...session, redactor: ctx.redactor, kinds, env: ctx.io.env, cwd: ctx.io.cwd, timings: ctx.timings, selectors, adopt: flags.adopt === true });
      endProgress(ctx.io);
      ctx.io.out(RENDERERS[flags.output](plan, { color: ctx.io.color }));
      ctx.conclude(planOutcome(plan));
    });
}

import { resolve } from 'node:path';
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
      const [{ loadPlan }, { filterPlan, planExitCode }, { RENDERERS }] = await Promise.all([
        import('../store/load.js'),
        import('../plan/filter.js'),
        import('../plan/renderers/index.js'),
      ]);
      const { plan: full, snapshot } = await loadPlan({ ...session, kinds, env: ctx.io.env, timings: ctx.timings, filesFirst: true, adopt: flags.adopt === true, assignNew: false });
      const plan = filterPlan(full, selectors, { file: (p) => resolve(session.ws.root, p), selector: (p) => resolve(ctx.io.cwd, p) });
      endProgress(ctx.io);
      const missing = [...new Set(snapshot.entries.flatMap((e) => e.local?.missingVars ?? []))].sort();
      if (missing.length > 0) ctx.io.err(`warning: ${missing.join(', ')} not set; values using them are compared as written.\n`);
      ctx.io.out(RENDERERS[flags.output](plan, { color: ctx.io.color }));
      ctx.setExit(planExitCode(plan));
    });
}

import type { Command } from 'commander';
import type { CliContext } from './context.js';

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('tour the main jobs on the embedded emulator: init, pull --commit, edit, diff, push, drift, copy, restore')
    .action(async () => {
      // Loaded only for the tour: the emulator is no part of the other commands.
      const [{ runDemoTour }, { exitCodeOf }] = await Promise.all([import('../demo/tour.js'), import('./exit-codes.js')]);
      ctx.conclude(await runDemoTour(ctx.io, (argv, io) => ctx.run(argv, io), exitCodeOf));
    });
}

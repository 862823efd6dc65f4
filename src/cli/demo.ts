import type { Command } from 'commander';
import type { CliContext } from './main.js';

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('tour the main jobs on the embedded emulator: init, pull --commit, edit, diff, push, drift, copy, restore')
    .action(async () => {
      const [{ runDemoTour }, { main }, { exitCodeOf }] = await Promise.all([import('../emulator/demo-tour.js'), import('./main.js'), import('./exit-codes.js')]);
      ctx.conclude(await runDemoTour(ctx.io, (argv, io) => main(argv, io), exitCodeOf));
    });
}

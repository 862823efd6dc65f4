import type { Command } from 'commander';
import type { CliContext } from './main.js';
import { endProgress, openSession, outputOption } from './shared.js';
import { renderTable } from './table.js';

export function registerIcons(program: Command, ctx: CliContext): void {
  program
    .command('icons')
    .description("search PostHog's icon service for a hog function's icon_url")
    .argument('<query>', 'a service name, e.g. slack')
    .addOption(outputOption(['table', 'json'], 'table'))
    .action(async (query: string, flags: { output: 'table' | 'json' }, cmd: Command) => {
      const session = openSession(ctx, cmd);
      const { icons } = await import('../posthog/hog-functions.js');
      const found = await icons(session.client, query);
      endProgress(ctx.io);
      if (flags.output === 'json') ctx.io.out(`${JSON.stringify(found, null, 2)}\n`);
      else if (found.length === 0) ctx.io.out(`No icon found for "${query}".\n`);
      // The url is what icon_url takes in a hog function file.
      else ctx.io.out(renderTable(['ID', 'NAME', 'ICON_URL'], found.map((i) => [i.id, i.name, i.url])));
    });
}

import type { Command } from 'commander';
import { kindWith } from '../kinds/index.js';
import type { CliContext } from './context.js';
import { endProgress, openSession, outputOption } from './shared.js';
import { renderTable } from './table.js';

export function registerIcons(program: Command, ctx: CliContext): void {
  program
    .command('icons')
    .description(`search PostHog's icon service for the icon_url of ${kindWith('icons').label}`)
    .argument('<query>', 'a service name, e.g. slack')
    .addOption(outputOption(['table', 'json'], 'table'))
    .action(async (query: string, flags: { output: 'table' | 'json' }, cmd: Command) => {
      const session = await openSession(ctx, cmd);
      const { icons } = await import('../posthog/function-endpoints.js');
      const kind = kindWith('icons');
      const found = await icons(session.client, { base: kind.apiPath, bucket: kind.rateBucket }, query);
      endProgress(ctx.io);
      if (flags.output === 'json') ctx.io.out(`${JSON.stringify(found, null, 2)}\n`);
      else if (found.length === 0) ctx.io.out(`No icon found for "${query}".\n`);
      // The url is what icon_url takes in a hog function file.
      else
        ctx.io.out(
          await renderTable(
            ['ID', 'NAME', 'ICON_URL'],
            found.map((i) => [i.id, i.name, i.url]),
          ),
        );
    });
}

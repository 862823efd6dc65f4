import type { Command } from 'commander';
import type { FunctionStatus } from '../engine/status.js';
import { kindWith } from '../kinds/index.js';
import type { CliContext } from './context.js';
import { endProgress, openSession, outputOption } from './shared.js';
import { renderTable } from './table.js';

interface StatusFlags {
  since: string;
  output: 'table' | 'json';
}

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description(`health of the managed ${kindWith('health').label}: enabled, state, succeeded/failed/filtered, latest errors`)
    .option('--since <duration>', 'period of the counts and errors: 90m, 24h, 7d or an ISO date', '24h')
    .addOption(outputOption(['table', 'json'], 'table'))
    .action(async (flags: StatusFlags, cmd: Command) => {
      const session = await openSession(ctx, cmd);
      const { functionStatus } = await import('../engine/status.js');
      const statuses = await functionStatus({ ...session, since: flags.since });
      endProgress(ctx.io);
      ctx.io.out(
        flags.output === 'json'
          ? `${JSON.stringify({ environment: session.target.environment, since: flags.since, functions: statuses }, null, 2)}\n`
          : await statusTable(statuses, flags.since),
      );
    });
}

export async function statusTable(statuses: FunctionStatus[], since: string): Promise<string> {
  if (statuses.length === 0) return `No managed ${kindWith('health').label} (pull or push first).\n`;
  const rows = statuses.map((s) => [
    s.key,
    s.type,
    s.enabled ? 'yes' : 'no',
    s.state,
    s.succeeded,
    s.failed,
    s.filtered,
    s.errors[0]?.message ?? '',
  ]);
  const table = await renderTable(['KEY', 'TYPE', 'ENABLED', 'STATE', 'SUCCEEDED', 'FAILED', 'FILTERED', `LAST ERROR (${since})`], rows);
  const errors = statuses.flatMap((s) => s.errors.map((e) => `  ${s.key}  ${e.timestamp}  ${e.message}`));
  return errors.length > 0 ? `${table}\nLatest errors:\n${errors.join('\n')}\n` : table;
}

import type { Command } from 'commander';
import { kindByCliName, kindNames } from '../kinds/index.js';
import type { CliContext } from './context.js';
import { endProgress, openSession, outputOption } from './shared.js';
import { renderCsv, renderTable } from './table.js';

interface ListFlags {
  output: 'table' | 'json' | 'csv';
}

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .description('remote resources of a kind, each marked managed (with its key and file) or unmanaged')
    .argument('<kind>', kindNames())
    .addOption(outputOption(['table', 'json', 'csv'], 'table'))
    .action(async (kindName: string, flags: ListFlags, cmd: Command) => {
      const kind = kindByCliName(kindName);
      const session = await openSession(ctx, cmd);
      const { listRemote } = await import('../engine/list.js');
      const items = await listRemote({ ...session, kind });
      endProgress(ctx.io);
      const headers = ['ID', ...kind.listColumns.map((c) => c.header), 'NAME', 'MANAGED', 'KEY', 'FILE'];
      const rows = items.map((i) => [
        i.id,
        ...kind.listColumns.map((c) => i.columns[c.field] ?? null),
        i.name,
        i.managed ? 'yes' : 'no',
        i.key,
        i.file,
      ]);
      if (flags.output === 'json')
        ctx.io.out(
          `${JSON.stringify({ environment: session.target.environment, kind: kind.kind, resources: items.map(({ columns, id, ...i }) => ({ id, ...columns, ...i })) }, null, 2)}\n`,
        );
      else if (flags.output === 'csv')
        ctx.io.out(
          renderCsv(
            headers.map((h) => h.toLowerCase()),
            rows,
          ),
        );
      else ctx.io.out(await renderTable(headers, rows));
    });

  program
    .command('get')
    .description('print one remote resource as pull would write its file')
    .argument('<kind>', kindNames())
    .argument('<ref>', 'id or key (or a lookup field of the kind, such as a short_id)')
    .action(async (kindName: string, ref: string, _flags: unknown, cmd: Command) => {
      const kind = kindByCliName(kindName);
      const session = await openSession(ctx, cmd);
      const { getRemote } = await import('../engine/list.js');
      const { text } = await getRemote({ ...session, kind, ref, env: ctx.io.env, redactor: ctx.redactor });
      endProgress(ctx.io);
      ctx.io.out(text);
    });
}

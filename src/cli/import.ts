import type { Command } from 'commander';
import type { ImportResult } from '../engine/import.js';
import { kindByCliName, kindNames } from '../kinds/index.js';
import type { CliContext } from './context.js';
import { endProgress, openSession, outputOption } from './shared.js';

interface ImportFlags {
  key?: string;
  output: 'text' | 'json';
}

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('bind one existing remote resource to a new file, written as pull would write it, and record it in the state')
    .argument('<kind>', kindNames())
    .argument('<ref>', 'its id (or a lookup field of the kind, such as a short_id)')
    .option('--key <key>', 'the key to give it (default: the one pull would give it, from its name)')
    .addOption(outputOption(['text', 'json'], 'text'))
    .action(async (kindName: string, ref: string, flags: ImportFlags, cmd: Command) => {
      const kind = kindByCliName(kindName);
      const session = await openSession(ctx, cmd);
      const { runImport } = await import('../engine/import.js');
      const result = await runImport({
        ...session,
        kind,
        ref,
        env: ctx.io.env,
        redactor: ctx.redactor,
        ...(flags.key !== undefined ? { key: flags.key } : {}),
      });
      endProgress(ctx.io);
      ctx.io.out(flags.output === 'json' ? `${JSON.stringify(result, null, 2)}\n` : importText(result));
      for (const note of result.notes) ctx.io.err(`note: ${note}\n`);
    });
}

function importText(r: ImportResult): string {
  const how = r.written ? 'written' : 'already held it; bound';
  return `Imported ${r.kind} ${r.id} from ${r.environment} as ${r.key}: ${r.file} ${how}.\n`;
}

import type { Command } from 'commander';
import type { MoveResult } from '../engine/move.js';
import { UsageError } from '../errors.js';
import { KINDS, kindByCliName } from '../kinds/index.js';
import type { CliContext } from './context.js';
import { globalsOf, outputOption } from './shared.js';

interface MvFlags {
  dryRun?: boolean;
  output: 'text' | 'json';
}

export function registerMv(program: Command, ctx: CliContext): void {
  program
    .command('mv')
    .description('rename a key: its file and its binding in every environment (offline; no delete and create on the next push)')
    .argument('<kind/old-key>', `the resource, e.g. insight/weekly-signups (kinds whose key can move: ${movableKinds()}), or its file`)
    .argument('<new-key>', 'its new key: lower-case letters, digits, "-" and "_"')
    .option('--dry-run', 'print what would change, and change nothing')
    .addOption(outputOption(['text', 'json'], 'text'))
    .action(async (source: string, to: string, flags: MvFlags, cmd: Command) => {
      const { kindName, from } = splitSource(source);
      const kind = kindByCliName(kindName);
      const [{ resolveWorkspace }, { runMove }] = await Promise.all([import('../config/target.js'), import('../engine/move.js')]);
      const ws = resolveWorkspace(globalsOf(cmd), ctx.io.cwd);
      const result = runMove({ ws, kind, from, to, dryRun: flags.dryRun === true, env: ctx.io.env });
      ctx.io.out(flags.output === 'json' ? `${JSON.stringify(result, null, 2)}\n` : moveText(result));
      for (const note of result.notes) ctx.io.err(`note: ${note}\n`);
    });
}

/** Kinds whose key is not fixed by PostHog (a variable's is its code_name, so mv refuses it). */
function movableKinds(): string {
  return KINDS.filter((k) => !k.naturalOfKey)
    .map((k) => k.cliName)
    .join(', ');
}

/** `insight/weekly-signups`, or the file `posthog/insights/weekly-signups.yaml` (its folder names the kind). */
function splitSource(source: string): { kindName: string; from: string } {
  const parts = source
    .replace(/\.ya?ml$/, '')
    .split(/[\\/]/)
    .filter(Boolean);
  const from = parts.pop();
  const kindName = parts.pop();
  if (!from || !kindName) throw new UsageError(`"${source}" names no resource: write <kind>/<key>, e.g. insight/weekly-signups.`);
  return { kindName, from };
}

function moveText(r: MoveResult): string {
  const lines = [`${r.dryRun ? 'Would move' : 'Moved'} ${r.kind}/${r.from} to ${r.to}:`, `  ${r.files.from} → ${r.files.to}`];
  for (const ref of r.references) lines.push(`  ${ref.file}: ${ref.paths.join(', ')} → ${r.to}`);
  for (const e of r.environments) {
    const what = e.moved.length > 0 ? `${e.moved.join(', ')}${e.id !== null ? ` of id ${e.id}` : ''} moved` : 'no binding of this key';
    const rebased = e.rebased.length > 0 ? `; base of ${e.rebased.join(', ')} carried over` : '';
    lines.push(`  ${e.environment} (${e.stateFile}): ${what}${rebased}`);
  }
  if (r.environments.length === 0) lines.push('  no state file yet: nothing is bound');
  return `${lines.join('\n')}\n`;
}

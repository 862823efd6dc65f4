import type { Command } from 'commander';
import type { PullResult } from '../engine/pull.js';
import { andList, withPrerequisites } from '../kinds/index.js';
import type { CliContext } from './context.js';
import { endProgress, kindsOption, openSession, outputOption, parseKinds, withWaits } from './shared.js';

interface PullFlags {
  kinds?: string;
  force?: boolean;
  commit?: boolean;
  message?: string;
  output: 'text' | 'json';
}

export function registerPull(program: Command, ctx: CliContext): void {
  program
    .command('pull')
    .description('write every remote resource to its file and record the state (exit 3 on conflicts)')
    .addOption(kindsOption(', with the kinds they build on (insights bring their variables)'))
    .option('--force', 'take PostHog’s version of files that were also edited locally')
    .option('--commit', 'commit the resource files and the state file when they changed')
    .option('-m, --message <msg>', 'commit message (default: a summary of what changed)')
    .addOption(outputOption(['text', 'json'], 'text'))
    .action(async (flags: PullFlags, cmd: Command) => {
      // The kinds written before them come too: an insight's file names its variables by key, which need files of their own.
      const kinds = withPrerequisites(parseKinds(flags.kinds));
      const session = await openSession(ctx, cmd);
      const { runPull } = await import('../engine/pull.js');
      const result = await runPull({
        ...session,
        redactor: ctx.redactor,
        signal: ctx.signal,
        kinds,
        env: ctx.io.env,
        timings: ctx.timings,
        force: flags.force === true,
        commit: flags.commit === true,
        ...(flags.message ? { message: flags.message } : {}),
      });
      endProgress(ctx.io);
      ctx.io.out(flags.output === 'json' ? `${JSON.stringify(withWaits(pullJson(result), ctx), null, 2)}\n` : pullText(result));
      if (result.counts.refused > 0) {
        ctx.io.err(
          `${result.counts.refused} resource(s) hold ids with no mapping back to the files' environment: those files were left as they are (see the notes above).\n`,
        );
        ctx.conclude('failed');
      } else if (result.counts.conflict > 0) {
        ctx.io.err(
          `${result.counts.conflict} conflict(s): those files were left as they are. Review them, then run "hogsync pull --force" to take PostHog's version or "hogsync push --force" to keep yours.\n`,
        );
        ctx.conclude('undecided');
      }
    });
}

const MAX_LINES = 200;

function pullJson(r: PullResult) {
  return {
    environment: r.environment,
    summary: r.counts,
    kinds: r.byKind,
    resources: r.items,
    ...(r.commit ? { commit: r.commit } : {}),
    ...(r.leftOut ? { leftOut: r.leftOut } : {}),
  };
}

function pullText(r: PullResult): string {
  const lines: string[] = [];
  const mark: Record<string, string> = { added: '+', changed: '~', removed: '-', kept: '=', conflict: '!', refused: 'x', unchanged: ' ' };
  // A first pull of a large project would print thousands of lines; the JSON output has them all.
  const own = r.items.filter((i) => !i.rekeyed);
  const shown = own.slice(0, MAX_LINES);
  for (const i of shown) lines.push(`${mark[i.action]} ${i.file}${i.note ? `  (${i.note})` : ''}`);
  if (own.length > shown.length) lines.push(`  … and ${own.length - shown.length} more (--output json lists them all)`);
  // Files from before those kinds were managed: one line, not one per file.
  if (r.rekeyed)
    lines.push(
      `~ ${r.rekeyed.files} file(s) now name ${andList(r.rekeyed.kinds)} by key instead of by id, as hogsync manages them now (--output json lists the files)`,
    );
  const totals = Object.entries(r.byKind)
    .map(([kind, c]) => `${c.total} ${kind}`)
    .join(', ');
  const { added, changed, removed, kept, conflict } = r.counts;
  lines.push(
    `Pulled ${r.environment}: ${totals}; ${added} added, ${changed} changed, ${removed} removed` +
      `${kept ? `, ${kept} local edits kept` : ''}${conflict ? `, ${conflict} conflicts` : ''}.` +
      (r.commit
        ? ` Committed ${r.commit.slice(0, 12)}${r.leftOut ? `, without the local work in ${andList(r.leftOut)}` : ''}.`
        : r.filesWritten === 0
          ? ' No file changed.'
          : ''),
  );
  return `${lines.join('\n')}\n`;
}

import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { globalsOf, kindsOption, outputOption, parseKinds } from './shared.js';

interface ValidateFlags {
  kinds?: string;
  offline?: boolean;
  output: 'text' | 'json';
}

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('check the files without PostHog: schemas, keys, Hog and HogQL syntax, references, secrets (exit 1 on problems)')
    .addOption(kindsOption())
    .option('--offline', 'needs no key and sends no request (always the case; kept for scripts)')
    .addOption(outputOption(['text', 'json'], 'text'))
    .action(async (flags: ValidateFlags, cmd: Command) => {
      const kinds = parseKinds(flags.kinds);
      const [{ resolveWorkspace }, { readCandidates, sortProblems }, { FileChecks }, { keyProblems, overrideProblems }] = await Promise.all(
        [import('../config/target.js'), import('../store/validate.js'), import('../engine/file-checks.js'), import('../engine/gate.js')],
      );
      const ws = resolveWorkspace(globalsOf(cmd), ctx.io.cwd);
      const read = readCandidates(ws.dir, kinds, ws.root);
      // Every file, changed or not; texts parsed before are answered from .hogsync/cache/, the rest on every core.
      const checks = new FileChecks(read.files, ws.root);
      const parsed = await checks.check(read.files, availableParallelism());
      const problems = sortProblems([
        ...read.problems,
        ...parsed,
        ...overrideProblems(ws.config, kinds, read.files),
        ...keyProblems(ws.config, read.files, ctx.io.env),
      ]);
      const total = read.files.length + read.problems.length;
      if (flags.output === 'json') {
        ctx.io.out(
          `${JSON.stringify({ files: total, problems: problems.map((p) => ({ ...splitWhere(p.where), message: p.message })) }, null, 2)}\n`,
        );
      } else {
        for (const p of problems) ctx.io.out(`${p.where}: ${p.message}\n`);
        const files = new Set(problems.map((p) => splitWhere(p.where).file)).size;
        ctx.io.out(
          problems.length === 0 ? `${total} file(s) valid.\n` : `${problems.length} problem(s) in ${files} of ${total} file(s).\n`,
        );
      }
      if (problems.length > 0) ctx.conclude('failed');
    });
}

function splitWhere(where: string): { file: string; line?: number; col?: number } {
  const m = /^(.*):(\d+):(\d+)$/.exec(where);
  return m ? { file: m[1] as string, line: Number(m[2]), col: Number(m[3]) } : { file: where };
}

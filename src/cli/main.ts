import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { createClient } from '../config/client.js';
import { stopOrError } from '../engine/interrupt.js';
import { HogsyncError } from '../errors.js';
import { Redactor } from '../plan/redactor.js';
import { fromErrnoException } from '../store/fs-errors.js';
import { registerCommands } from './commands.js';
import type { CliContext } from './context.js';
import { exitCodeOf, exitCodeOfError } from './exit-codes.js';
import { processIo, type Io } from './io.js';
import { Progress } from './progress.js';
import { watchSignals } from './signals.js';

/** What main() can be given instead of the real thing (tests run commands in-process). */
export interface MainDeps {
  createClient?: typeof createClient;
}

async function buildProgram(ctx: CliContext, argv: string[]): Promise<Command> {
  const program = new Command('hogsync')
    .option('-C, --config <file>', 'hogsync.yaml to use (default: the nearest one from this folder upwards)')
    .option('-e, --env <name>', 'environment from hogsync.yaml')
    .option('--host <url>', 'PostHog base URL (env POSTHOG_HOST)')
    .option('--project <id>', 'PostHog project id (env POSTHOG_PROJECT_ID)')
    .option('--dir <dir>', 'folder of the resource files (default: posthog)')
    .addOption(new Option('--verbose', 'print stack traces and request logs'))
    .addOption(
      new Option(
        '--insecure-http',
        'allow a plain http:// host off this machine (the API key travels in clear text; env HOGSYNC_INSECURE_HTTP=1)',
      ),
    )
    .version(packageVersion(), '-V, --version', 'print the version of hogsync')
    // Each command's help lists the options above too: they work after the command as well.
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
  const everyCommand = await registerCommands(program, ctx, argv);
  // Only the overall help shows the description, and only it registers every command: the kinds
  // it names are loaded for it, not for `--version` or a command that does without them.
  if (everyCommand) program.description(`Keep a PostHog project's ${(await import('../kinds/index.js')).kindLabels()} in git.`);
  return program;
}

/**
 * The version in package.json, found from this module (src/cli or dist/cli, two levels below the
 * package root) so that a clone, dist/ and an installed package all report their own.
 */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export async function main(argv: string[], rawIo: Io = processIo(), deps: MainDeps = {}): Promise<number> {
  const redactor = new Redactor();
  const started = Date.now();
  const plain = redacting(rawIo, redactor);
  const progress = new Progress(plain, started);
  const io = progress.guard(plain);
  let exitCode = exitCodeOf('done');
  // The first SIGINT or SIGTERM asks the run to stop cleanly within seconds (the state written,
  // the lock released, one line); a second one ends the process at once.
  const signals = watchSignals(io, () => progress.stop());
  const ctx: CliContext = {
    io,
    conclude: (outcome) => (exitCode = exitCodeOf(outcome)),
    timings: {},
    clients: [],
    ...(deps.createClient ? { createClient: deps.createClient } : {}),
    redactor,
    signal: signals.signal,
    atEnd: [],
    progress,
    run: (line, lineIo) => main(line, lineIo, deps),
  };
  try {
    const program = await buildProgram(ctx, argv);
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    // A request cut short because the run is stopping is reported as the stop, saying what was done
    // where the command did not say it better (the read-only commands and the reads before a write).
    const stopped = stopOrError(error, ctx.signal, ctx.clients, () => 'nothing was changed');
    exitCode = reportError(stopped, io, { verbose: argv.includes('--verbose'), json: wantsJson(argv) });
  } finally {
    progress.stop();
  }
  signals.dispose();
  for (const end of ctx.atEnd) end();
  if (io.env.HOGSYNC_TIMINGS) writeTimings(io.env.HOGSYNC_TIMINGS, ctx, started, exitCode);
  return exitCode;
}

/** One JSON document of what a run cost, for bench/. */
function writeTimings(path: string, ctx: CliContext, started: number, exitCode: number): void {
  const cpu = process.cpuUsage();
  const stats = ctx.clients.map((c) => c.stats);
  const sum = (f: (s: (typeof stats)[number]) => number) => stats.reduce((n, s) => n + f(s), 0);
  const doc = {
    exitCode,
    wallMs: Date.now() - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    requests: sum((s) => s.requests),
    retries: sum((s) => s.retries),
    throttled: sum((s) => s.throttled),
    rateLimitWaitMs: sum((s) => s.rateLimitWaitMs),
    ...ctx.timings,
  };
  writeFileSync(path, `${JSON.stringify(doc)}\n`);
}

/** The run's output with every registered secret value masked, whatever writes it (a server's echo included). */
function redacting(io: Io, redactor: Redactor): Io {
  return { ...io, out: (t) => io.out(redactor.redact(t)), err: (t) => io.err(redactor.redact(t)) };
}

/** `--output json` / `-o json` anywhere on the line: errors are then printed as JSON too. */
function wantsJson(argv: string[]): boolean {
  return argv.some((a, i) => a === '--output=json' || a === '-ojson' || ((a === '--output' || a === '-o') && argv[i + 1] === 'json'));
}

/** The one place where errors become output and an exit code. */
export function reportError(raw: unknown, io: Io, opts: { verbose: boolean; json: boolean }): number {
  // Commander has already printed its own messages (usage errors, help, version).
  if (raw instanceof CommanderError) return exitCodeOfError(raw);
  // A file operation nobody wrapped (a disk full, a folder in the way) is still a sentence, not a bug report.
  const error = fromErrnoException(raw) ?? raw;
  const known = error instanceof HogsyncError;
  const e = error instanceof Error ? error : new Error(String(error));
  if (opts.json) {
    const body = known
      ? { code: error.code, message: error.message, data: error.data() }
      : { code: 'internal', message: e.message, data: {} };
    io.out(`${JSON.stringify({ error: body }, null, 2)}\n`);
  } else if (known) io.err(`error: ${error.message}\n`);
  else io.err(`internal error: ${e.message}\n`);
  const stack = raw instanceof Error && raw !== error ? raw.stack : e.stack;
  if (opts.verbose && stack) io.err(`${stack}\n`);
  else if (!known) io.err('Run again with --verbose for the stack trace, and please report it.\n');
  return exitCodeOfError(error);
}

import { writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { PostHogClient } from '../posthog/client.js';
import { HogsyncError } from '../errors.js';
import { commands } from './commands.js';
import { processIo, type Io } from './io.js';

/** Options that every command accepts, before or after its name. */
export interface GlobalOptions {
  config?: string;
  env?: string;
  host?: string;
  project?: string;
  dir?: string;
  verbose?: boolean;
  insecureHttp?: boolean;
}

export interface CliContext {
  io: Io;
  /** Sets the process exit code for an outcome that is not an error (diff: 2, drift: 3). */
  setExit(code: number): void;
  /** Phase costs in ms, written to the file named by HOGSYNC_TIMINGS (benchmarks). */
  timings: Record<string, number>;
  /** Clients opened by the command, for request counts in HOGSYNC_TIMINGS. */
  clients: PostHogClient[];
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('hogsync')
    .description("Keep a PostHog project's insights, insight variables and hog functions in git.")
    .option('-C, --config <file>', 'hogsync.yaml to use (default: ./hogsync.yaml if present)')
    .option('-e, --env <name>', 'environment from hogsync.yaml')
    .option('--host <url>', 'PostHog base URL (env POSTHOG_HOST)')
    .option('--project <id>', 'PostHog project id (env POSTHOG_PROJECT_ID)')
    .option('--dir <dir>', 'folder of the resource files (default: posthog)')
    .addOption(new Option('--verbose', 'print stack traces and request logs'))
    .addOption(new Option('--insecure-http', 'allow a plain http:// host off this machine (the API key travels in clear text; env HOGSYNC_INSECURE_HTTP=1)'))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
  for (const register of commands) register(program, ctx);
  return program;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode = 0;
  const started = Date.now();
  const ctx: CliContext = { io, setExit: (code) => (exitCode = code), timings: {}, clients: [] };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    exitCode = reportError(error, io, argv.includes('--verbose'));
  }
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

/** The one place where errors become output and an exit code. */
export function reportError(error: unknown, io: Io, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message; help and version exit 0.
    return error.exitCode === 0 ? 0 : 1;
  }
  if (error instanceof HogsyncError) {
    io.err(`error: ${error.message}\n`);
    if (verbose && error.stack) io.err(`${error.stack}\n`);
    return error.exitCode;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  io.err(`internal error: ${e.message}\n`);
  io.err(verbose && e.stack ? `${e.stack}\n` : 'Run again with --verbose for the stack trace, and please report it.\n');
  return 1;
}

import type { Command } from 'commander';
import { ConfigError, UsageError } from '../errors.js';
import type { Faults, NumericFaultName } from '../emulator/index.js';
import type { CliContext } from './context.js';
import { globalsOf } from './shared.js';

interface EmulatorFlags {
  port: string;
  host?: string;
  seed?: string;
  stateFile?: string;
  key: string[];
  latencyMs?: string;
  latencyJitterMs?: string;
  latencyPerItemMs?: string;
  latencyPerBasicItemMs?: string;
  failRate?: string;
  failStatus?: string;
  resetAfterCommitRate?: string;
  errorAfterCommitRate?: string;
  faultSeed?: string;
  rateLimits: boolean;
  rateLimitScale?: string;
  empty?: boolean;
}

const DEFAULT_PORT = 8010;

function number(flag: string, value: string | undefined, check: (n: number) => boolean, rule: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${flag} must be ${rule} (got "${value}").`);
  return n;
}

const rate = (flag: string, value: string | undefined) => number(flag, value, (n) => n >= 0 && n <= 1, 'a fraction between 0 and 1');
const whole = (flag: string, value: string | undefined, min = 0) =>
  number(flag, value, (n) => Number.isInteger(n) && n >= min, `a whole number of at least ${min}`);

/** `--key KEY[:scope,scope]` (scopes contain `:` themselves, keys never do); no scopes = every scope. */
export function parseKeyFlag(value: string): { key: string; scopes: string[] } {
  const at = value.indexOf(':');
  const key = at > 0 ? value.slice(0, at) : value;
  const scopes =
    at > 0
      ? value
          .slice(at + 1)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : ['*'];
  if (!key || !scopes.length) throw new UsageError(`--key must look like KEY or KEY:scope,scope (got "${value}").`);
  return { key, scopes };
}

export function registerEmulator(program: Command, ctx: CliContext): void {
  program
    .command('emulator')
    .description('run a PostHog-compatible API server on loopback, seeded with a demo project')
    .option('--port <n>', `port to listen on, 0 for any free port (default ${DEFAULT_PORT})`, String(DEFAULT_PORT))
    .option('--host <host>', 'interface to bind (default 127.0.0.1)')
    .option('--seed <path>', 'seed JSON file or folder (default: the demo project in fixtures/demo)')
    .option('--state-file <file>', 'keep state in this JSON file across restarts')
    .option(
      '--key <key[:scopes]>',
      'accept this personal API key (repeatable); scopes comma-separated, default all',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--latency-ms <n>', 'added to every /api request')
    .option('--latency-jitter-ms <n>', 'random extra latency, up to this much')
    .option('--latency-per-item-ms <n>', 'extra latency per row of an answer (server time that grows with page size)')
    .option('--latency-per-basic-item-ms <n>', 'the same for rows of the light serializer (?basic=true); default: --latency-per-item-ms')
    .option('--fail-rate <r>', 'fraction of /api requests answered --fail-status before doing anything')
    .option('--fail-status <s>', 'status of those failures (default 503)')
    .option('--reset-after-commit-rate <r>', 'fraction of writes committed, then the connection dropped without an answer')
    .option('--error-after-commit-rate <r>', 'fraction of writes committed, then answered 504')
    .option('--fault-seed <n>', 'seed for the fault dice (reproducible faults)')
    .option('--no-rate-limits', "switch PostHog's rate limits off")
    .option('--rate-limit-scale <f>', 'divide the rate-limit windows by this factor (60: the per-minute limits apply per second)')
    .option('--empty', 'start with one empty project 1 instead of the demo project')
    .action(async (flags: EmulatorFlags, cmd: Command) => {
      const { startEmulator, DEV_API_KEY, demoSeedPath, SeedError, StateFileError } = await import('../emulator/index.js');
      if (flags.empty && flags.seed) throw new UsageError('Use either --empty or --seed, not both.');
      const port = whole('port', flags.port) as number;
      if (port > 65535) throw new UsageError(`--port must be at most 65535 (got "${flags.port}").`);
      // A global --host before the command is PostHog's base URL for the other commands, not an interface.
      const globalHost = globalsOf(cmd).host;
      const host = flags.host ?? (globalHost && !globalHost.includes('://') ? globalHost : '127.0.0.1');
      const keys = flags.key.map(parseKeyFlag);
      const faults: Partial<Faults> = {};
      const setFault = (name: NumericFaultName, value: number | undefined) => {
        if (value !== undefined) faults[name] = value;
      };
      setFault('latencyMs', whole('latency-ms', flags.latencyMs));
      setFault('latencyJitterMs', whole('latency-jitter-ms', flags.latencyJitterMs));
      setFault(
        'latencyPerItemMs',
        number('latency-per-item-ms', flags.latencyPerItemMs, (n) => n >= 0, 'a number of milliseconds of at least 0'),
      );
      setFault(
        'latencyPerBasicItemMs',
        number('latency-per-basic-item-ms', flags.latencyPerBasicItemMs, (n) => n >= 0, 'a number of milliseconds of at least 0'),
      );
      setFault('failRate', rate('fail-rate', flags.failRate));
      setFault(
        'failStatus',
        number('fail-status', flags.failStatus, (n) => Number.isInteger(n) && n >= 400 && n <= 599, 'an HTTP error status (400-599)'),
      );
      setFault('resetAfterCommitRate', rate('reset-after-commit-rate', flags.resetAfterCommitRate));
      setFault('errorAfterCommitRate', rate('error-after-commit-rate', flags.errorAfterCommitRate));
      setFault('seed', whole('fault-seed', flags.faultSeed));
      const scale = number('rate-limit-scale', flags.rateLimitScale, (n) => n > 0, 'a positive number');
      const seed = flags.empty ? { projects: [{ id: 1, name: 'Default project' }] } : (flags.seed ?? demoSeedPath());

      let emu: Awaited<ReturnType<typeof startEmulator>>;
      try {
        emu = await startEmulator({
          port,
          host,
          seed,
          ...(keys.length ? { keys } : {}),
          ...(flags.stateFile ? { stateFile: flags.stateFile } : {}),
          faults,
          rateLimits: { enabled: flags.rateLimits, ...(scale !== undefined ? { scale } : {}) },
          log: (line) => ctx.io.err(`${line}\n`),
        });
      } catch (e) {
        if (e instanceof SeedError || e instanceof StateFileError) throw new ConfigError(e.message);
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new ConfigError(`Port ${port} on ${host} is in use; pick another with --port (0 picks a free one).`);
        if (code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
          throw new ConfigError(`Cannot listen on ${host}:${port} (${code}); check --host and --port.`);
        }
        throw e;
      }
      ctx.io.out(`listening on ${emu.url}\n`);
      if (!keys.length)
        ctx.io.err(`Accepting the development key ${DEV_API_KEY} with all scopes for every project (pass --key to choose keys).\n`);
      ctx.io.err(
        `Seed: ${flags.empty ? 'one empty project 1' : (flags.seed ?? 'demo project (fixtures/demo)')}. Controls under ${emu.url}/_emulator/. Stop with Ctrl-C.\n`,
      );

      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await emu.close();
      ctx.io.err('emulator stopped\n');
    });
}

import { spawn } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleGit } from 'simple-git';
import type { Io } from '../../src/cli/io.js';
import { main, type MainDeps } from '../../src/cli/main.js';
import { DEV_API_KEY, startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { tracked } from './children.js';
import { tempDir } from './temp.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'hogsync.js');
export const TEST_KEY = DEV_API_KEY;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a process to its end, collecting its output. */
export function spawnCollect(
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = tracked(spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Ended before the test's own timeout (vitest.config.ts), so that a hung CLI fails the test it belongs to.
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    // A process that exits without reading its input closes the pipe first: not a test failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs the real CLI as a subprocess. */
export function runCli(
  args: string[],
  opts: { cwd: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number; shell?: boolean },
): Promise<CliResult> {
  // `shell`: args are a command for /bin/sh instead of CLI arguments.
  const [command, argv] = opts.shell ? ['/bin/sh', args] : [process.execPath, [BIN, ...args]];
  return spawnCollect(command, argv, {
    cwd: opts.cwd,
    env: cliEnv(opts.env),
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

/** The environment a CLI run sees: nothing from the developer's shell but PATH and HOME. */
function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', POSTHOG_PERSONAL_API_KEY: TEST_KEY, ...extra };
}

/**
 * Runs the CLI in this process: main() with an Io that collects the output. The same code
 * path as the real process minus Node's start-up, for the bulk of the end-to-end tests;
 * test/e2e/cli-process.test.ts keeps one real process per command.
 */
export async function runMain(
  args: string[],
  opts: { cwd: string; env?: Record<string, string | undefined>; deps?: MainDeps },
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    isTTY: false,
    color: false,
    env: cliEnv(opts.env),
    cwd: opts.cwd,
  };
  const code = await main(args, io, opts.deps);
  return { code, stdout, stderr };
}

/** An emulator with PostHog's limits switched off unless a test asks for them. */
export function testEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ rateLimits: { enabled: false }, ...opts });
}

export interface Workspace {
  dir: string;
  /** The CLI in this process (see runMain). */
  run(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
  /** The CLI as a real process. */
  spawn(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
  read(rel: string): string;
  write(rel: string, text: string): void;
  exists(rel: string): boolean;
  files(folder: string): string[];
  state(env?: string): { resources: Record<string, { id: string | number; base: string; short_id?: string }> };
  git: ReturnType<typeof simpleGit>;
}

/** A temporary git repository with a hogsync.yaml pointing at the emulator. */
let template: { root: string; ready: Promise<void> } | undefined;

/**
 * An empty repository with the test identity configured, made once per test file (temp dirs
 * go when a file's tests are done, this one with them).
 */
async function templateGitDir(): Promise<string> {
  if (!template || !existsSync(template.root)) {
    const dir = tempDir('git-template');
    const git = simpleGit({ baseDir: dir });
    template = {
      root: dir,
      ready: (async () => {
        await git.init();
        await git.addConfig('user.email', 'test@example.com');
        await git.addConfig('user.name', 'Test');
        // Sample hooks only slow the copies down.
        rmSync(join(dir, '.git', 'hooks'), { recursive: true, force: true });
      })(),
    };
  }
  await template.ready;
  return join(template.root, '.git');
}

export async function workspace(
  emu: Emulator,
  opts: { environments?: Record<string, { project: number; extra?: string }>; git?: boolean } = {},
): Promise<Workspace> {
  const dir = tempDir('e2e');
  const envs = opts.environments ?? { production: { project: 1 } };
  const lines = ['version: 1', 'environments:'];
  for (const [name, e] of Object.entries(envs)) {
    lines.push(`  ${name}:`, `    host: ${emu.url}`, `    project: ${e.project}`, '    rate_limits:', '      enabled: false');
    if (e.extra) lines.push(...e.extra.split('\n').map((l) => `    ${l}`));
  }
  lines.push(`default_environment: ${Object.keys(envs)[0]}`);
  writeFileSync(join(dir, 'hogsync.yaml'), `${lines.join('\n')}\n`);
  const git = simpleGit({ baseDir: dir });
  if (opts.git !== false) {
    // A copy of one initialised repository instead of init and config per test: git processes are most of a workspace's cost.
    cpSync(await templateGitDir(), join(dir, '.git'), { recursive: true });
    await git.add('hogsync.yaml');
    await git.commit('init');
  }
  return {
    dir,
    run: (args, env) => runMain(args, { cwd: dir, ...(env ? { env } : {}) }),
    spawn: (args, env) => runCli(args, { cwd: dir, ...(env ? { env } : {}) }),
    read: (rel) => readFileSync(join(dir, rel), 'utf8'),
    write: (rel, text) => writeFileSync(join(dir, rel), text),
    exists: (rel) => existsSync(join(dir, rel)),
    files: (folder) => (existsSync(join(dir, folder)) ? readdirSync(join(dir, folder)).sort() : []),
    state: (env = Object.keys(envs)[0] ?? 'production') => JSON.parse(readFileSync(join(dir, '.hogsync', 'state', `${env}.json`), 'utf8')),
    git,
  };
}

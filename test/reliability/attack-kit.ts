// What the attacks share: a committed repository of insight files, a fresh clone of it (what a
// new CI job starts from), the real CLI as a process that a test can kill, and counts read from
// the emulator's store rather than from anything hogsync says.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import type { Emulator } from '../../src/emulator/index.js';
import { BIN, runMain, TEST_KEY, workspace, type CliResult, type Workspace } from '../helpers/e2e.js';
import { tracked } from '../helpers/children.js';
import { tempDir } from '../helpers/temp.js';

const QUERY = '  query:\n    kind: DataTableNode\n    source:\n      kind: EventsQuery\n      select: ["*"]\n';

/** An insight file; `select` varies the content of same-named insights. */
export function insightFile(key: string, name: string | null, select = '"*"'): string {
  const named = name === null ? '' : `  name: ${name}\n`;
  return `apiVersion: hogsync/v1\nkind: Insight\nkey: ${key}\nspec:\n${named}${QUERY.replace('"*"', select)}`;
}

/** A git repository whose files (relative path → text) are committed, as a merged pull request leaves them. */
export async function committedRepo(emu: Emulator, files: Record<string, string>): Promise<Workspace> {
  const ws = await workspace(emu);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(ws.dir, rel, '..'), { recursive: true });
    ws.write(rel, text);
  }
  await ws.git.add('.');
  await ws.git.commit('files');
  return ws;
}

/** A `git clone` of what is committed: no journal, no lock, no state unless it was committed. */
export async function freshClone(
  ws: Workspace,
): Promise<{ dir: string; run: (args: string[], env?: Record<string, string>) => Promise<CliResult> }> {
  const dir = join(tempDir('clone'), 'repo');
  await simpleGit().clone(ws.dir, dir);
  return { dir, run: (args, env) => runMain(args, { cwd: dir, ...(env ? { env } : {}) }) };
}

export interface Running {
  child: ChildProcess;
  /** The process's end: exit code (or null) and signal, with everything it printed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** The real CLI (`node bin/hogsync.js`), started and left running, for a test to signal. */
export function startCli(cwd: string, args: string[], env: Record<string, string> = {}): Running {
  const child = tracked(
    spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', POSTHOG_PERSONAL_API_KEY: TEST_KEY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Waits (polling) until `ready()` holds; false when `timeoutMs` passed first. */
export async function waitFor(ready: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}

/** Live (not deleted) insights per name in a project; unnamed ones count under "". */
export function liveInsightsByName(emu: Emulator, project = 1): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of emu.project(project)?.insights ?? []) {
    if (i.deleted) continue;
    counts.set(i.name ?? '', (counts.get(i.name ?? '') ?? 0) + 1);
  }
  return counts;
}

/** Names that more than one live insight carries. */
export function duplicates(counts: Map<string, number>): string[] {
  return [...counts].filter(([, n]) => n > 1).map(([name, n]) => `${name} ×${n}`);
}

export type Ended = Awaited<Running['done']>;

/**
 * The process's end if it comes within `ms`; otherwise it is killed (so that a hang fails the
 * test it belongs to in seconds, not at the suite's timeout) and `undefined` is returned.
 */
export async function endWithin(run: Running, ms: number): Promise<Ended | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  const ended = await Promise.race([run.done, late]);
  clearTimeout(timer);
  if (ended) return ended;
  run.child.kill('SIGKILL');
  await run.done;
  return undefined;
}

/** The lines a run printed on stderr, progress lines (`<command> <env>: … s…`) left out. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !/^[a-z]+ [a-z0-9_-]+: .*…$/.test(l));
}

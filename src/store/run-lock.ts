import { createHash, randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

// One run per environment and checkout: a lock file that holds the pid of the run that owns it.
// A run that dies (kill -9, a CI job cancelled) leaves its lock behind, and the next run takes
// it over. Two runs that start together after a dead one must not both take it over: removing
// the stale file and creating a new one is two steps, and the second run's removal can land
// between the first run's two and delete the lock the first run has just made. So:
// - a lock file appears whole or not at all (written aside, then hard-linked into place, which
//   fails when the name exists);
// - a stale lock is replaced in one rename, by the one run that holds the takeover marker of
//   that very lock (a lock of its own, named after the stale file's content, claimed the same
//   way), and only after reading, under the marker, that the stale lock is still in place.
// A run that loses either race meets a live lock and is refused.

export type Claim = { held: true; release: () => void } | { held: false; pid: number };

/** Takeovers of takeover markers, each left by a run that died within microseconds of claiming it, before giving up. */
const MAX_DEPTH = 3;

/**
 * Claims `path` (a name ending in `.lock`) for this process. `{held: false, pid}` names the
 * live run that holds it, or is taking over the stale lock in its place.
 */
export function claimLock(path: string): Claim {
  return claim(path, 0);
}

function claim(path: string, depth: number): Claim {
  const mine = `${process.pid}\n${randomUUID()}\n`;
  let holder: Holder | undefined;
  // A few rounds: the lock may be released or replaced between two of the steps below.
  for (let round = 0; round < 5; round++) {
    if (createWhole(path, mine)) return held(path, mine);
    holder = readHolder(path);
    if (!holder) continue;
    if (holder.pid !== process.pid && isAlive(holder.pid)) return { held: false, pid: holder.pid };
    if (depth >= MAX_DEPTH) break;
    const marker = path.replace(/\.lock$/, `.takeover-${digest(holder.text)}.lock`);
    const guard = claim(marker, depth + 1);
    if (!guard.held) return guard;
    try {
      // Under the marker nobody else can replace this stale lock; it only has to be still there.
      if (readHolder(path)?.text === holder.text) {
        replaceWhole(path, mine);
        return held(path, mine);
      }
    } finally {
      guard.release();
    }
  }
  return { held: false, pid: holder?.pid ?? 0 };
}

interface Holder {
  /** 0 when the file names no process (garbled): a lock nobody holds. */
  pid: number;
  /** The whole content, which tells one claim from another by the same pid. */
  text: string;
}

function readHolder(path: string): Holder | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number(text.split('\n')[0]?.trim());
  return { pid: Number.isInteger(pid) && pid > 0 ? pid : 0, text };
}

/** Creates `path` holding `text`, whole, unless it exists: false then. */
function createWhole(path: string, text: string): boolean {
  const aside = asideOf(path);
  writeFileSync(aside, text, { flag: 'wx' });
  try {
    linkSync(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}

/** Puts `text` in place of whatever `path` holds, in one step. */
function replaceWhole(path: string, text: string): void {
  const aside = asideOf(path);
  writeFileSync(aside, text, { flag: 'wx' });
  try {
    renameSync(aside, path);
  } catch (error) {
    rmSync(aside, { force: true });
    throw error;
  }
}

/** A fresh name beside `path`, still matched by the `*.lock` line of .gitignore. */
function asideOf(path: string): string {
  return path.replace(/\.lock$/, `.${randomUUID()}.new.lock`);
}

function held(path: string, mine: string): Claim {
  return {
    held: true,
    // Only while it is still ours: a lock taken over meanwhile (this run was thought dead) is the new owner's.
    release: () => {
      if (readHolder(path)?.text === mine) rmSync(path, { force: true });
    },
  };
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { UsageError } from '../errors.js';
import { withGit } from './git-binary.js';

/** A commit message: the subject line, and the body under it. */
export interface CommitMessage {
  subject: string;
  body?: string;
}

/** One file of the commit-to-be, from `git diff --cached --name-status`. */
export interface StagedChange {
  status: 'added' | 'changed' | 'removed';
  /** Path relative to the repository's top folder, with "/" separators. */
  path: string;
  /** Which of the paths given to commitPaths holds it, exactly as given. */
  under: string;
}

const IN_PROGRESS: Array<[string, string, string]> = [
  ['MERGE_HEAD', 'a merge', 'finish it with "git commit" or abort it with "git merge --abort"'],
  ['rebase-merge', 'a rebase', 'finish it with "git rebase --continue" or abort it with "git rebase --abort"'],
  ['rebase-apply', 'a rebase or "git am"', 'finish it with "--continue" or abort it with "--abort"'],
  ['CHERRY_PICK_HEAD', 'a cherry-pick', 'finish it with "git cherry-pick --continue" or abort it with "git cherry-pick --abort"'],
  ['REVERT_HEAD', 'a revert', 'finish it with "git revert --continue" or abort it with "git revert --abort"'],
];

/** simple-git on `baseDir`, loaded by the first git operation: a pull without --commit never loads it. */
async function openRepo(baseDir: string): Promise<SimpleGit> {
  const { simpleGit } = await import('simple-git');
  return simpleGit({ baseDir });
}

/**
 * Whether `--commit` can commit in `root`: a git repository, on a branch, with no merge,
 * rebase, cherry-pick or revert half done. Pull calls it before writing any file, so a
 * refusal leaves the working tree as it was.
 */
export function checkCommitReady(root: string): Promise<void> {
  return withGit('--commit', () => commitReady(root));
}

async function commitReady(root: string): Promise<void> {
  const git = await openRepo(root);
  if (!(await git.checkIsRepo())) {
    throw new UsageError(`--commit needs a git repository, and ${root} is not in one. Run "git init" there or drop --commit.`);
  }
  for (const [file, what, fix] of IN_PROGRESS) {
    const path = (await git.raw(['rev-parse', '--git-path', file])).trim();
    if (existsSync(resolve(root, path)))
      throw new UsageError(`--commit cannot commit in the middle of ${what} in ${root}: ${fix}, then run again.`);
  }
  // `symbolic-ref -q` prints nothing (exit 1) when HEAD is detached.
  if ((await git.raw(['symbolic-ref', '-q', 'HEAD'])).trim() === '') {
    const at = (await git.raw(['rev-parse', '--short', 'HEAD']).catch(() => '')).trim();
    throw new UsageError(
      `--commit needs a branch, but HEAD is detached${at ? ` at ${at}` : ''} in ${root}: check out a branch first ("git switch <branch>", or "git switch -c hogsync-backup").`,
    );
  }
}

/**
 * Commits exactly `paths` (folders and files, additions and deletions), leaving any other
 * staged or unstaged work of the repository as it was. The message is made from what is
 * really staged under those paths (`message(staged)`), so a rerun after an interrupted
 * commit counts every file the commit holds, not only the ones that run wrote. Returns the
 * new commit's hash, or undefined when those paths hold no change.
 */
export function commitPaths(
  root: string,
  paths: string[],
  message: CommitMessage | ((staged: StagedChange[]) => CommitMessage),
  exclude: string[] = [],
): Promise<string | undefined> {
  return withGit('--commit', () => commitOnly(root, paths, message, exclude));
}

async function commitOnly(
  root: string,
  paths: string[],
  message: CommitMessage | ((staged: StagedChange[]) => CommitMessage),
  exclude: string[],
): Promise<string | undefined> {
  const git = await openRepo(root);
  if (!(await git.checkIsRepo())) {
    throw new UsageError(`--commit needs a git repository, and ${root} is not in one. Run "git init" there or drop --commit.`);
  }
  const top = realPath((await git.revparse(['--show-toplevel'])).trim());
  const repo = await openRepo(top);
  const all = paths.map((p) => ({ given: p, spec: toGitPath(relative(top, realPath(p))) || '.' }));
  // git refuses pathspecs that match nothing, on disk or in the index.
  const specs: Array<{ given: string; spec: string }> = [];
  for (const p of all) {
    if (existsSync(join(top, p.spec)) || (await run(repo, ['ls-files', '--', p.spec], top)).trim()) specs.push(p);
  }
  if (specs.length === 0) return undefined;
  // Files under those paths that are not the commit's to take (a pull's unpushed local edits).
  const left = exclude.map((p) => `:(exclude,literal)${toGitPath(relative(top, realPath(p)))}`);
  await run(repo, ['add', '--all', '--', ...specs.map((s) => s.spec), ...left], top);
  const staged = await stagedChanges(repo, specs, top, left);
  if (staged.length === 0) return undefined;
  const changed = specs.filter((s) => staged.some((f) => f.under === s.given)).map((s) => s.spec);
  const { subject, body } = typeof message === 'function' ? message(staged) : message;
  // A CI runner may have no identity configured; the commit must still happen.
  const identity = (await repo.raw(['config', '--get', 'user.email']).catch(() => '')).trim()
    ? []
    : ['-c', 'user.name=hogsync', '-c', 'user.email=hogsync@users.noreply.github.com'];
  const text = ['-m', subject, ...(body ? ['-m', body] : [])];
  // `commit -- <paths>` commits only those paths even when other files are staged.
  await run(repo, [...identity, 'commit', '--quiet', '--no-verify', ...text, '--', ...changed, ...left], top);
  return (await repo.revparse(['HEAD'])).trim();
}

/** What the index holds for the given paths compared with HEAD: added, changed and removed files. */
async function stagedChanges(
  repo: SimpleGit,
  specs: Array<{ given: string; spec: string }>,
  top: string,
  left: string[],
): Promise<StagedChange[]> {
  // --no-renames: a renamed file counts as one removed and one added, as pull sees it.
  const out = await run(repo, ['diff', '--cached', '--name-status', '--no-renames', '-z', '--', ...specs.map((s) => s.spec), ...left], top);
  const fields = out.split('\0');
  const changes: StagedChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const code = fields[i] as string;
    const path = fields[i + 1] as string;
    const status = code.startsWith('A') ? 'added' : code.startsWith('D') ? 'removed' : 'changed';
    const owner = specs.find((s) => s.spec === '.' || path === s.spec || path.startsWith(`${s.spec}/`));
    if (owner) changes.push({ status, path, under: owner.given });
  }
  return changes;
}

/** Runs git, turning its failures into one sentence; a stale index.lock says what to do about it. */
async function run(repo: SimpleGit, args: string[], top: string): Promise<string> {
  try {
    return await repo.raw(args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const lock = /Unable to create '([^']*index\.lock)': File exists/.exec(message);
    if (lock) {
      const file = relative(top, lock[1] as string) || (lock[1] as string);
      throw new UsageError(
        `git could not commit: another git process is running or a previous one crashed: remove ${file} if no git is running. The files are written; run again to commit them.`,
      );
    }
    const first = message.split('\n').find((l) => l.trim() !== '') ?? message;
    throw new UsageError(
      `git ${args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? ''} failed: ${first.replace(/^fatal:\s*/, '')}. The files are written; fix this in git and run again to commit them.`,
    );
  }
}

/** The real path of `p`, or of its deepest existing folder with the rest appended (git reports real paths). */
function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    const parent = dirname(p);
    return parent === p ? p : join(realPath(parent), basename(p));
  }
}

function toGitPath(p: string): string {
  return isAbsolute(p) ? p : p.split('\\').join('/');
}

import { UsageError } from '../errors.js';

// `pull --commit`, `restore` and `restore --commit` run the git program. Without one on PATH (a
// slim CI image, a container without git), simple-git and child_process fail with "spawn git
// ENOENT", which reached the user as an internal error with a stack trace.

/** What needs git, for the message: `--commit`, `restore`. */
type GitUse = '--commit' | 'restore';

/** Runs `work`, which uses git; the lack of a git program becomes one sentence saying what to do. */
export async function withGit<T>(use: GitUse, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isMissingGit(error)) throw missingGit(use);
    throw error;
  }
}

/** The operating system's "no such program" for git, as child_process or simple-git reports it. */
function isMissingGit(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /\bspawn \S*\bgit ENOENT\b/.test(error.message);
}

function missingGit(use: GitUse): UsageError {
  const what = use === 'restore' ? 'restore reads the files of a git commit' : '--commit commits the files';
  const instead = use === 'restore' ? '' : ' (or drop --commit)';
  return new UsageError(
    `${what} with the git program, and there is none on PATH: install git or add it to PATH${instead}, then run again.`,
  );
}

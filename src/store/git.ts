import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { simpleGit } from 'simple-git';
import { UsageError } from '../errors.js';

/**
 * Commits exactly `paths` (folders and files, additions and deletions) with `message`,
 * leaving any other staged or unstaged work of the repository as it was. Returns the
 * new commit's hash, or undefined when those paths hold no change.
 */
export async function commitPaths(root: string, paths: string[], message: string): Promise<string | undefined> {
  const git = simpleGit({ baseDir: root });
  if (!(await git.checkIsRepo())) {
    throw new UsageError(`--commit needs a git repository, and ${root} is not in one. Run "git init" there or drop --commit.`);
  }
  const top = (await git.revparse(['--show-toplevel'])).trim();
  const repo = simpleGit({ baseDir: top });
  const all = paths.map((p) => relative(top, p) || '.');
  // git refuses pathspecs that match nothing, on disk or in the index.
  const specs: string[] = [];
  for (const spec of all) {
    if (existsSync(join(top, spec)) || (await repo.raw(['ls-files', '--', spec])).trim()) specs.push(spec);
  }
  if (specs.length === 0) return undefined;
  await repo.raw(['add', '--all', '--', ...specs]);
  const staged = (await repo.raw(['diff', '--cached', '--name-only', '--', ...specs])).trim().split('\n').filter(Boolean);
  if (staged.length === 0) return undefined;
  const changed = specs.filter((spec) => staged.some((f) => f === spec || f.startsWith(`${spec}/`)));
  // A CI runner may have no identity configured; the commit must still happen.
  const identity = (await repo.raw(['config', '--get', 'user.email']).catch(() => '')).trim()
    ? []
    : ['-c', 'user.name=hogsync', '-c', 'user.email=hogsync@users.noreply.github.com'];
  // `commit -- <paths>` commits only those paths even when other files are staged.
  await repo.raw([...identity, 'commit', '--quiet', '--no-verify', '-m', message, '--', ...changed]);
  return (await repo.revparse(['HEAD'])).trim();
}

import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import { simpleGit } from 'simple-git';
import { UsageError } from '../errors.js';
import { withGit } from './git-binary.js';

/** A file as a commit holds it. */
export interface CommittedFile {
  /** Path relative to the repository's top. */
  path: string;
  text: string;
}

/** The commit a revision names (a hash, `HEAD~3`, a tag, `main@{2026-11-20}`), with its subject. */
export function resolveRevision(root: string, rev: string): Promise<{ sha: string; subject: string; top: string }> {
  return withGit('restore', () => revision(root, rev));
}

async function revision(root: string, rev: string): Promise<{ sha: string; subject: string; top: string }> {
  const git = simpleGit({ baseDir: root });
  if (!(await git.checkIsRepo())) throw new UsageError(`restore reads the files of a git commit, and ${root} is not in a git repository.`);
  const top = (await git.revparse(['--show-toplevel'])).trim();
  let sha: string;
  try {
    sha = (await git.raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).trim();
  } catch {
    sha = '';
  }
  if (!sha)
    throw new UsageError(
      `"${rev}" names no commit of this repository: give a hash, a branch, a tag, HEAD~N or branch@{date} (see git log).`,
    );
  const subject = (await git.raw(['log', '-1', '--format=%s', sha])).trim();
  return { sha, subject, top };
}

/**
 * Every file under `folders` (absolute paths inside the repository) as commit `sha` holds
 * it, read with one `git cat-file --batch` (not one process per file). The work tree and
 * the index are not touched.
 */
export function filesAtCommit(top: string, sha: string, folders: string[]): Promise<CommittedFile[]> {
  return withGit('restore', () => committedFiles(top, sha, folders));
}

async function committedFiles(top: string, sha: string, folders: string[]): Promise<CommittedFile[]> {
  const git = simpleGit({ baseDir: top });
  const specs = folders.map((f) => relative(top, f) || '.');
  const listing = await git.raw(['ls-tree', '-r', '-z', '--full-tree', sha, '--', ...specs]);
  const blobs = listing
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [meta = '', path = ''] = line.split('\t');
      const [mode, type, oid] = meta.split(' ');
      return { mode, type, oid: oid ?? '', path };
    })
    // Only plain files: a symlink or a submodule in the history is never read as a resource.
    .filter((b) => b.type === 'blob' && (b.mode === '100644' || b.mode === '100755'));
  if (blobs.length === 0) return [];
  const texts = await catBlobs(
    top,
    blobs.map((b) => b.oid),
  );
  return blobs.map((b, i) => ({ path: b.path, text: texts[i] ?? '' }));
}

/** Contents of blobs, in order, through one `git cat-file --batch`. */
function catBlobs(top: string, oids: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: top, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file failed: ${stderr.trim()}`));
      const out = Buffer.concat(chunks);
      const texts: string[] = [];
      let at = 0;
      for (let i = 0; i < oids.length; i++) {
        const eol = out.indexOf(10, at);
        const header = out.subarray(at, eol).toString();
        const size = Number(header.split(' ')[2]);
        if (!Number.isFinite(size)) return reject(new Error(`git cat-file answered "${header}"`));
        texts.push(out.subarray(eol + 1, eol + 1 + size).toString('utf8'));
        at = eol + 1 + size + 1;
      }
      resolve(texts);
    });
    child.stdin.end(`${oids.join('\n')}\n`);
  });
}

/**
 * Earlier versions of one file, newest first (at most `max`), as the commits that changed it hold
 * them: for showing what a conflicting field was at the last sync. Nothing outside a repository,
 * or without git, or in a shallow clone that lacks them: the caller then shows no base.
 */
export async function fileHistory(root: string, path: string, max: number): Promise<string[]> {
  try {
    const git = simpleGit({ baseDir: root });
    if (!(await git.checkIsRepo())) return [];
    const top = (await git.revparse(['--show-toplevel'])).trim();
    const rel = relative(top, path).split('\\').join('/');
    const shas = (await git.raw(['log', `-n${max}`, '--format=%H', '--', rel])).split('\n').filter(Boolean);
    const texts: string[] = [];
    for (const sha of shas) texts.push(await git.show([`${sha}:${rel}`]).catch(() => ''));
    return texts.filter(Boolean);
  } catch {
    return [];
  }
}

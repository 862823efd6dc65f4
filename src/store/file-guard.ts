import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { FileError, HogsyncError } from '../errors.js';
import { toFilesystemError } from './fs-errors.js';

/**
 * Files hogsync reads come from a repository that anyone with a pull request may have
 * written to, and their content can end up in a PR comment. So only regular files are
 * read: a symbolic link could bring in a file from outside the repository, a FIFO would
 * block the run, a device (/dev/zero) would never end. The type is checked with lstat
 * before the file is opened, and again on the open descriptor, which is opened without
 * following links and without blocking.
 */

const DEFAULT_MAX_FILE_MB = 5;

/** The size limit of one file: HOGSYNC_MAX_FILE_MB, default 5 MB. */
export function maxFileBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.HOGSYNC_MAX_FILE_MB);
  return Math.floor((Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_MAX_FILE_MB) * 1024 * 1024);
}

interface EntryType {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}

/** What an entry is when it is not a regular file; undefined for a regular file or an unknown type. */
export function irregularKind(entry: EntryType): string | undefined {
  if (entry.isFile()) return undefined;
  if (entry.isSymbolicLink()) return 'a symbolic link';
  if (entry.isDirectory()) return 'a folder';
  if (entry.isFIFO()) return 'a named pipe (FIFO)';
  if (entry.isSocket()) return 'a socket';
  if (entry.isCharacterDevice()) return 'a character device';
  if (entry.isBlockDevice()) return 'a block device';
  return undefined;
}

/** The refusal for an entry that is not a regular file. */
export function irregularProblem(kind: string): string {
  if (kind === 'a symbolic link') {
    return 'is a symbolic link; hogsync reads only regular files, so that a link can never bring a file from outside the repository into a diff. Replace the link with the file itself.';
  }
  return `is ${kind}, not a regular file; hogsync does not open it. Replace it with a regular file or remove it.`;
}

/** The refusal of a file above the size limit. */
export function tooBigProblem(size: number, max: number): string {
  const mb = (n: number) => `${Number((n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 1))} MB`;
  return `is ${size > max ? mb(size) : `over ${mb(max)}`}, above the ${mb(max)} limit for one file; nothing in PostHog needs a file that large. Shrink it, or raise HOGSYNC_MAX_FILE_MB if it is really meant to be.`;
}

/**
 * Reads a regular file as UTF-8, refusing links, special files and files above `maxBytes`
 * with a FileError that names `display`. Operating-system failures become FilesystemErrors.
 * `listed`: a directory listing has just shown a regular file, so the lstat is skipped
 * (one system call per file at 10,000 files); the open and fstat below still refuse
 * anything that took its place.
 */
export function readRegularFile(path: string, display: string, maxBytes = maxFileBytes(), listed = false): string {
  if (!listed) checkRegular(path, display, maxBytes);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    // Replaced by a link between lstat and open.
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new FileError(display, irregularProblem('a symbolic link'));
    throw toFilesystemError(error, 'read', path);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileError(display, irregularProblem(irregularKind(st) ?? 'of an unknown type'));
    if (st.size > maxBytes) throw new FileError(display, tooBigProblem(st.size, maxBytes));
    return readAtMost(fd, st.size, maxBytes, display);
  } catch (error) {
    throw error instanceof HogsyncError ? error : toFilesystemError(error, 'read', path);
  } finally {
    closeSync(fd);
  }
}

/** lstat before open: a FIFO, a device or a link is refused without being opened. */
function checkRegular(path: string, display: string, maxBytes: number): void {
  let size: number;
  try {
    const st = lstatSync(path);
    const kind = irregularKind(st);
    if (kind || !st.isFile()) throw new FileError(display, irregularProblem(kind ?? 'of an unknown type'));
    size = st.size;
  } catch (error) {
    throw error instanceof HogsyncError ? error : toFilesystemError(error, 'read', path);
  }
  if (size > maxBytes) throw new FileError(display, tooBigProblem(size, maxBytes));
}

/** Reads to the end, but never more than one byte past the limit (a file may grow while it is read). */
function readAtMost(fd: number, expected: number, maxBytes: number, display: string): string {
  const first = Buffer.allocUnsafe(Math.min(expected, maxBytes) + 1);
  let n = readSync(fd, first, 0, first.length, null);
  // A short read of a regular file is its end: the common case costs one read.
  if (n < first.length) return first.toString('utf8', 0, n);
  const chunks = [first];
  let total = n;
  while (total <= maxBytes) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
    n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) return Buffer.concat(chunks, total).toString('utf8');
    chunks.push(chunk.subarray(0, n));
    total += n;
  }
  throw new FileError(display, tooBigProblem(total, maxBytes));
}

/**
 * Refuses a symbolic link on the way from `base` down to `path` (the resource folder and
 * the folders above it, up to the repository): a link there would read and write files
 * outside the repository. Parts that do not exist yet are fine.
 */
export function checkNoLinks(base: string, path: string, displayOf: (p: string) => string): void {
  const rel = relative(base, path);
  if (rel === '' || rel.startsWith('..')) return;
  let current = base;
  for (const part of rel.split(sep)) {
    current = join(current, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(current).isSymbolicLink();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw toFilesystemError(error, 'read', current);
    }
    if (isLink) {
      throw new FileError(
        displayOf(current),
        'is a symbolic link; resource folders must be real folders inside the repository, so that no file is read from or written to somewhere else. Replace the link with the folder itself.',
      );
    }
  }
}

import { isAbsolute, relative } from 'node:path';
import { FilesystemError } from '../errors.js';

/** What hogsync was doing with the file; it decides the verb and the fix. */
export type FsOp = 'read' | 'write' | 'remove' | 'open';

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code ?? '')
  );
}

/** A path as the user knows it: relative to the working folder when inside it. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Wraps an operating-system error about `path` in a one-sentence FilesystemError; anything else is returned as it is. */
export function toFilesystemError(error: unknown, op: FsOp, path: string): unknown {
  if (!isErrnoException(error)) return error;
  const code = error.code as string;
  return new FilesystemError(displayPath(path), code, fsErrorMessage(op, displayPath(path), code, error.message));
}

/**
 * The funnel's last resort for an operating-system error nobody wrapped: the syscall
 * tells reading from writing. Undefined when the error is not about a file.
 */
export function fromErrnoException(error: unknown): FilesystemError | undefined {
  if (!isErrnoException(error)) return undefined;
  const syscall = error.syscall ?? '';
  if (syscall.startsWith('spawn')) {
    const program = syscall.slice('spawn '.length) || 'a program';
    if (error.code === 'ENOENT')
      return new FilesystemError(
        program,
        'ENOENT',
        `Cannot run ${program}: it is not installed or not on PATH (ENOENT). Install it, or drop the option that needs it (--commit needs git).`,
      );
    return new FilesystemError(program, error.code as string, `Cannot run ${program}: ${detailOf(error.message)} (${error.code}).`);
  }
  const path = error.path ?? (error as NodeJS.ErrnoException & { dest?: string }).dest;
  if (path) return toFilesystemError(error, opOf(syscall), path) as FilesystemError;
  // A write on an open descriptor carries no path; the cause and the fix still hold.
  if (!PATHLESS.has(error.code as string)) return undefined;
  return new FilesystemError('', error.code as string, fsErrorMessage(opOf(syscall), 'a file', error.code as string, error.message));
}

const PATHLESS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS', 'EMFILE', 'ENFILE', 'EIO']);

function opOf(syscall: string): FsOp {
  if (['read', 'readdir', 'stat', 'lstat', 'fstat', 'scandir', 'readlink', 'realpath', 'access'].includes(syscall)) return 'read';
  if (['unlink', 'rmdir', 'rm'].includes(syscall)) return 'remove';
  // open serves both directions; the other calls only write.
  return syscall === 'open' ? 'open' : 'write';
}

const VERB: Record<FsOp, string> = { read: 'read', write: 'write', remove: 'remove', open: 'open' };

/** One or two sentences: what failed, on which file, why (with the errno code), what to do. */
export function fsErrorMessage(op: FsOp, file: string, code: string, detail = ''): string {
  const head = `Cannot ${VERB[op]} ${file}`;
  const converges = 'files already written are complete and the rerun converges.';
  switch (code) {
    case 'ENOSPC':
      return `${head}: the disk is full (ENOSPC). Free space and run again; ${converges}`;
    case 'EDQUOT':
      return `${head}: the disk quota is used up (EDQUOT). Free space or raise the quota and run again; ${converges}`;
    case 'EFBIG':
      return `${head}: the file is larger than this process may write (EFBIG). Raise the file-size limit (ulimit -f) and run again; ${converges}`;
    case 'EROFS':
      return `${head}: the file system is read-only (EROFS). Run hogsync in a writable checkout (in CI, check the repository out to a writable folder).`;
    case 'EACCES':
    case 'EPERM':
      return `${head}: permission denied (${code}). Give your user ${op === 'read' ? 'read' : 'write'} access to it and its folder, or run hogsync as the user who owns the checkout.`;
    case 'EISDIR':
      return op === 'read'
        ? `${head}: it is a folder, not a file (EISDIR). Remove or rename the folder.`
        : `${head}: a folder with that name is in the way (EISDIR). Remove or rename the folder and run again.`;
    case 'ENOENT':
      return op === 'read' || op === 'open'
        ? `${head}: it does not exist (ENOENT); it may have been removed while hogsync was running. Check the path and run again.`
        : `${head}: a folder on its path does not exist or was removed while hogsync was writing (ENOENT). Check dir: in hogsync.yaml (or --dir) and run again; ${converges}`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `${head}: a file stands where a folder of its path should be (${code}). Move that file away and run again.`;
    case 'EMFILE':
    case 'ENFILE':
      return `${head}: too many open files (${code}). Raise the limit (ulimit -n 4096) or lower --concurrency, and run again.`;
    case 'ENAMETOOLONG':
      return `${head}: the path is too long for the file system (ENAMETOOLONG). Use a shorter dir: (or --dir) or a shorter key.`;
    case 'ELOOP':
      return `${head}: it is a symbolic link or a loop of them (ELOOP); hogsync reads only regular files. Replace the link with the file itself.`;
    case 'EIO':
      return `${head}: the disk reported an input/output error (EIO). Check the disk, then run again.`;
    case 'EBUSY':
    case 'ETXTBSY':
      return `${head}: the file is busy (${code}). Close the program that holds it and run again.`;
    default:
      return `${head}: ${detailOf(detail) || 'the operating system refused'} (${code}). Check the file and its folder, then run again.`;
  }
}

// Node's messages read "ENOSPC: no space left on device, write"; keep the middle part.
function detailOf(message: string): string {
  return message
    .replace(/^E[A-Z]+:\s*/, '')
    .replace(/,\s*\w+( '.*')*$/, '')
    .trim();
}

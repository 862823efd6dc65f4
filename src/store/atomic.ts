import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toFilesystemError } from './fs-errors.js';

const TEMP_SUFFIX = '.hogsync-tmp';

// One random tag per process: temporary names only have to differ between processes.
const RUN_TAG = `${process.pid}.${randomBytes(4).toString('hex')}`;

/**
 * Writes a file so that readers see either the old or the new content, never a part:
 * the bytes go to a temporary file beside it, which is then renamed over the target.
 * `durable` also flushes to disk before the rename (the state file asks for it).
 * A failure (disk full, read-only, permission) is a FilesystemError naming `path`, not
 * the temporary file.
 */
export function writeFileAtomic(path: string, data: string, opts: { durable?: boolean } = {}): void {
  const tmp = `${path}.${RUN_TAG}${TEMP_SUFFIX}`;
  try {
    // fsync guards against power loss, not against a killed process; it costs milliseconds a file.
    writeTemp(tmp, data, opts.durable === true);
    renameSync(tmp, path);
  } catch (error) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The first failure is the one to report.
    }
    throw toFilesystemError(error, 'write', path);
  }
}

/** Creates the folder only when the first write finds it missing, instead of on every write. */
function writeTemp(tmp: string, data: string, flush: boolean): void {
  try {
    writeFileSync(tmp, data, { encoding: 'utf8', flush });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    makeFolders(dirname(tmp));
    writeFileSync(tmp, data, { encoding: 'utf8', flush });
  }
}

/**
 * mkdir -p one folder at a time: Node's recursive mkdir reports ENOENT for a read-only
 * file system or a missing permission, which would send the user looking for the wrong cause.
 */
function makeFolders(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    makeFolders(parent);
    try {
      mkdirSync(dir);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
    }
  }
}

/** Removes temporary files left by a process that was killed between write and rename. */
export function removeStaleTempFiles(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (name.endsWith(TEMP_SUFFIX)) rmSync(join(dir, name), { force: true });
}

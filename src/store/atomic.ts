import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const TEMP_SUFFIX = '.hogsync-tmp';

/**
 * Writes a file so that readers see either the old or the new content, never a part:
 * the bytes go to a temporary file beside it, which is then renamed over the target.
 * `durable` also flushes to disk before the rename (the state file asks for it).
 */
// One random tag per process: temporary names only have to differ between processes.
const RUN_TAG = `${process.pid}.${randomBytes(4).toString('hex')}`;

export function writeFileAtomic(path: string, data: string, opts: { durable?: boolean } = {}): void {
  const tmp = `${path}.${RUN_TAG}${TEMP_SUFFIX}`;
  try {
    // fsync guards against power loss, not against a killed process; it costs milliseconds a file.
    writeTemp(tmp, data, opts.durable === true);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** Creates the folder only when the first write finds it missing, instead of on every write. */
function writeTemp(tmp: string, data: string, flush: boolean): void {
  try {
    writeFileSync(tmp, data, { encoding: 'utf8', flush });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(tmp), { recursive: true });
    writeFileSync(tmp, data, { encoding: 'utf8', flush });
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


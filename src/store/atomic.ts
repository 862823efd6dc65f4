import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const TEMP_SUFFIX = '.hogsync-tmp';

/**
 * Writes a file so that readers see either the old or the new content, never a part:
 * the bytes go to a temporary file beside it, which is then renamed over the target.
 * `durable` also flushes to disk before the rename (the state file asks for it).
 */
export function writeFileAtomic(path: string, data: string, opts: { durable?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`;
  try {
    // fsync guards against power loss, not against a killed process; it costs milliseconds a file.
    writeFileSync(tmp, data, { encoding: 'utf8', flush: opts.durable === true });
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
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


import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A fresh `hogsync-<prefix>-*` folder in the temp dir, removed after the test file (test/setup.ts), pass or fail. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hogsync-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes a folder now, or when the file's tests are done if it cannot be removed yet. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUN_PREFIX = 'hogsync-test-run-';

/**
 * End-to-end tests run the built CLI (bin/hogsync.js → dist/), and every test checks files with
 * the validators compiled from schemas/ into dist/schemas/: build once per run, as `npm run build` does.
 *
 * Every folder a run makes, by the tests or by the CLI processes they start, goes under one folder
 * of the run (TMPDIR, which os.tmpdir() and the workers inherit), removed when the run ends. Each
 * test file removes its own as it ends (test/setup.ts); a run that is killed cannot, so the next
 * one removes the folders of runs whose process is gone (never those of a run going on beside it).
 */
export default function setup(): () => void {
  removeDeadRuns();
  const runDir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}${process.pid}-`));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = runDir;
  if (!process.env.HOGSYNC_SKIP_BUILD) {
    const root = fileURLToPath(new URL('..', import.meta.url));
    execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'inherit',
    });
    execFileSync(process.execPath, [`${root}dist/store/compile-schemas.js`], { cwd: root, stdio: 'inherit' });
  }
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(runDir, { recursive: true, force: true });
  };
}

function removeDeadRuns(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(new RegExp(`^${RUN_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

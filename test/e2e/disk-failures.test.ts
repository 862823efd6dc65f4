import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator } from '../../src/emulator/index.js';
import { BIN, runCli, TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

// A real full disk and a real read-only file system: a small tmpfs mounted over the
// resource folder in a private mount namespace (unshare, as root or in a user namespace).
// Where the kernel allows neither, these tests are reported as skipped.
const canMount =
  process.platform === 'linux' &&
  spawnSync('unshare', ['-Urm', 'sh', '-c', 'mount -t tmpfs -o size=4k tmpfs /mnt'], { stdio: 'ignore' }).status === 0;

let emu: Emulator;

beforeAll(async () => {
  emu = await testEmulator({ seed: await loadSeed(demoSeedPath()) });
});
afterAll(async () => emu.close());

/** Runs `script` (sh) in a private mount namespace inside the workspace, with $HOGSYNC set to the CLI. */
async function inNamespace(ws: Workspace, script: string) {
  const hogsync = `${process.execPath} ${BIN}`;
  return runCli(['-c', `set -u\nexport HOGSYNC="${hogsync}"\n${script}`], {
    cwd: ws.dir,
    shell: true,
    env: { POSTHOG_PERSONAL_API_KEY: TEST_KEY },
  });
}

async function repo(): Promise<Workspace> {
  const ws = await workspace(emu, { git: false });
  mkdirSync(join(ws.dir, 'posthog'));
  return ws;
}

describe.runIf(canMount)('disk failures end in a sentence with the file and the fix', () => {
  it('a full disk (ENOSPC): pull fails naming the file; after space is freed the rerun converges and diff is clean', async () => {
    const ws = await repo();
    const r = await inNamespace(
      ws,
      `exec unshare -Urm sh -c '
        mount -t tmpfs -o size=8k tmpfs posthog || exit 90
        $HOGSYNC pull > out1.txt 2> err1.txt; echo $? > rc1.txt
        mount -o remount,size=4m posthog
        $HOGSYNC pull > out2.txt 2> err2.txt; echo $? > rc2.txt
        $HOGSYNC diff > out3.txt 2> err3.txt; echo $? > rc3.txt
      '`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(ws.read('rc1.txt').trim()).toBe('1');
    expect(ws.read('err1.txt')).toMatch(
      /^error: Cannot write posthog\/[a-z-]+\/[a-z0-9_-]+\.yaml: the disk is full \(ENOSPC\)\. Free space and run again; files already written are complete and the rerun converges\.\n$/,
    );
    expect(ws.read('rc2.txt').trim(), ws.read('err2.txt')).toBe('0');
    expect(ws.read('rc3.txt').trim(), ws.read('out3.txt')).toBe('0');
  });

  it('a read-only file system (EROFS): pull fails naming the file and what to do', async () => {
    const ws = await repo();
    const r = await inNamespace(
      ws,
      `exec unshare -Urm sh -c '
        mount -t tmpfs -o ro,size=1m tmpfs posthog || exit 90
        $HOGSYNC pull > out1.txt 2> err1.txt; echo $? > rc1.txt
      '`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(ws.read('rc1.txt').trim()).toBe('1');
    expect(ws.read('err1.txt')).toMatch(
      /^error: Cannot write posthog\/[a-z-]+\/[a-z0-9_-]+\.yaml: the file system is read-only \(EROFS\)\. Run hogsync in a writable checkout/,
    );
  });
});

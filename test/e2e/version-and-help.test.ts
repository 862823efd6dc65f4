import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, runMain } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** Every global option, as `hogsync --help` lists it. */
const GLOBAL = ['-C, --config', '-e, --env', '--host', '--project', '--dir', '--verbose', '--insecure-http'];
const COMMANDS = ['init', 'pull', 'diff', 'push', 'copy', 'validate', 'test', 'status', 'list', 'get', 'icons', 'emulator', 'demo'];

describe('hogsync --version', () => {
  it.each(['--version', '-V'])('%s prints the version of package.json and exits 0', async (flag) => {
    const r = await runMain([flag], { cwd: tempDir('version') });
    expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('the built CLI (dist/) reads package.json at run time, from any working directory', async () => {
    const r = await runCli(['-V'], { cwd: tempDir('version') });
    expect([r.code, r.stdout]).toEqual([0, `${VERSION}\n`]);
  });
});

describe('--help of every command', () => {
  it.each(COMMANDS)('"hogsync %s --help" lists the global options under "Global Options:"', async (command) => {
    const r = await runMain([command, '--help'], { cwd: tempDir('help') });
    expect(r.code).toBe(0);
    const global = r.stdout.split('\nGlobal Options:\n')[1];
    expect(global, `hogsync ${command} --help has a "Global Options:" section`).toBeDefined();
    for (const option of GLOBAL) expect(global).toContain(`  ${option}`);
  });
});

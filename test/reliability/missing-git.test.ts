import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { testEmulator, workspace } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Issue 21 (7): on a CI image without git, `pull --commit` and `restore` failed with "internal
 * error: spawn git ENOENT", a stack trace and a request to report a bug. They now say in one
 * sentence that they need the git program, and `pull --commit` writes nothing first.
 */

const query = { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } };
let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: { projects: [{ id: 1, name: 'No git', insights: [{ name: 'Signups', query }] }] } });
});
afterAll(async () => emu.close());

describe('a machine without a git program', () => {
  it.each([
    {
      args: ['pull', '--commit'],
      sentence:
        /^error: --commit commits the files with the git program, and there is none on PATH: install git or add it to PATH \(or drop --commit\), then run again\.\n$/,
    },
    {
      args: ['restore', 'HEAD', '--dry-run'],
      sentence:
        /^error: restore reads the files of a git commit with the git program, and there is none on PATH: install git or add it to PATH, then run again\.\n$/,
    },
  ])('$args.0: one sentence that says to install git, and nothing written', async ({ args, sentence }) => {
    const ws = await workspace(emu);
    // The real CLI (simple-git spawns with the process's own PATH), with a PATH that has no git.
    const run = await ws.spawn(args, { PATH: tempDir('no-git') });
    expect(run.stderr).toMatch(sentence);
    expect(run.code).toBe(1);
    expect(ws.exists('posthog')).toBe(false);
    expect(ws.exists('.hogsync/state/production.lock')).toBe(false);
  });
});

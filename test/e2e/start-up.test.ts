import { isBuiltin } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator } from '../../src/emulator/index.js';
import { BIN, spawnCollect, testEmulator, TEST_KEY, workspace, type Workspace } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

/**
 * What a run loads, not how long it takes (start-up is timed from outside, never in a test): the
 * real CLI runs with hooks that name every package and module it resolves, so that an eager
 * import creeping back into the entry or a command module fails here.
 */

const MARK = 'hogsync-load ';
// ES modules are seen by a resolve hook (it runs on the loader's thread, hence _rawDebug to stderr);
// CommonJS requires (commander's files, the yaml library, the compiled schemas) by Module._load.
const HOOK = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  process._rawDebug(${JSON.stringify(MARK)} + resolved.url);
  return resolved;
}`;
const PRELOAD = `import Module, { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));
const load = Module._load;
Module._load = function (request, parent, isMain) {
  process._rawDebug(${JSON.stringify(MARK)} + request);
  return load.call(this, request, parent, isMain);
};`;

interface Loads {
  /** npm packages, by name (`ajv/dist/runtime/…` counts as `ajv/dist/runtime`: the compiler is `ajv`). */
  packages: Set<string>;
  /** hogsync's own modules, as paths under dist/. */
  own: Set<string>;
  stdout: string;
}

async function loads(args: string[], cwd: string): Promise<Loads> {
  const r = await spawnCollect(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(PRELOAD)}`, BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', POSTHOG_PERSONAL_API_KEY: TEST_KEY },
  });
  const packages = new Set<string>();
  const own = new Set<string>();
  for (const line of r.stderr.split('\n')) {
    if (!line.startsWith(MARK)) continue;
    const what = line.slice(MARK.length);
    // A package is seen by the path it resolved to, or by the bare name it was required by.
    const inModules =
      /node_modules\/((?:@[^/]+\/)?[^/]+)(\/dist\/runtime)?/.exec(what) ??
      /^((?:@[^/.][^/]*\/)?[^/.:][^/:]*)(\/dist\/runtime)?(?=\/|$)/.exec(what);
    if (inModules && !isBuiltin(what)) packages.add(`${inModules[1]}${inModules[2] ?? ''}`);
    const mine = /\/dist\/(.+\.c?js)$/.exec(what);
    if (mine && !what.includes('node_modules')) own.add(mine[1] as string);
  }
  return { packages, own, stdout: r.stdout };
}

describe('start-up: a run loads what its command uses', () => {
  it.each(['--version', '--help', 'diff --help'])('"hogsync %s" loads commander and no other package', async (line) => {
    const args = line.split(' ');
    const r = await loads(args, tempDir('start-up'));
    expect(r.stdout).not.toBe('');
    expect([...r.packages]).toEqual(['commander']);
    // Nor, for the version, the kinds, the configuration, the client, or the YAML and schema code.
    if (line === '--version') expect([...r.own].filter((f) => /^(kinds|config|posthog)\/|^store\/(yaml|schemas)/.test(f))).toEqual([]);
  });

  describe('diff of files with nothing to report', () => {
    let emu: Emulator;
    let ws: Workspace;
    beforeAll(async () => {
      emu = await testEmulator({ seed: await loadSeed(demoSeedPath()) });
      ws = await workspace(emu);
      expect((await ws.run(['pull'])).code).toBe(0);
    });
    afterAll(async () => {
      await emu.close();
    });

    it('loads no schema compiler, no yaml library, no simple-git and no emulator: the compiled validators instead', async () => {
      const r = await loads(['diff'], ws.dir);
      expect(r.stdout).toContain('No changes');
      for (const heavy of ['ajv', 'yaml', 'simple-git']) expect(r.packages).not.toContain(heavy);
      for (const needed of ['js-yaml', 'undici', 'ajv/dist/runtime']) expect(r.packages).toContain(needed);
      expect([...r.own].filter((f) => f.startsWith('emulator/'))).toEqual([]);
      expect(r.own).toContain('schemas/hogsync.schema.cjs');
    });
  });
});

import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator } from '../../src/emulator/index.js';
import { ROOT, testEmulator, workspace } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';
import { action, runAction, runStep, writeExecutable } from './action-steps.js';

/**
 * How the action gets hogsync onto a runner: only what it runs. A release tag carries dist/, so the
 * production dependencies are installed and nothing is compiled; a checkout without dist/ is
 * compiled with the dev dependencies. node_modules is cached, keyed on package-lock.json.
 */

const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const LOCK_SHA = createHash('sha256')
  .update(readFileSync(join(ROOT, 'package-lock.json')))
  .digest('hex');

/** The action's checkout as a release tag has it: the package's files with the compiled dist/, and the lock. */
function releaseCheckout(opts: { dist: boolean }): string {
  const dir = tempDir('action-release');
  const parts = [
    'bin',
    'schemas',
    join('fixtures', 'demo'),
    'package.json',
    'package-lock.json',
    'action.yml',
    ...(opts.dist ? ['dist'] : []),
  ];
  for (const part of parts) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  return dir;
}

/** The install steps in a job's order; `between` plays actions/cache restoring (or not) between the check and the install. */
async function install(
  checkout: string,
  opts: { env?: Record<string, string | undefined>; between?: () => void; cacheHit?: boolean } = {},
) {
  const cwd = tempDir('action-job');
  const env = { RUNNER_OS: 'Linux', RUNNER_ARCH: 'X64', ...opts.env };
  const checked = await runStep('installed', {}, { cwd, actionPath: checkout, env });
  expect(checked.code, checked.stdout + checked.stderr).toBe(0);
  opts.between?.();
  const cache = { 'cache-hit': opts.cacheHit ? 'true' : '' };
  const installed = await runStep('Install hogsync', {}, { cwd, actionPath: checkout, env, steps: { installed: checked.outputs, cache } });
  return { checked: checked.outputs, installed };
}

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: await loadSeed(demoSeedPath()) });
});
afterAll(() => emu.close());

describe('a release tag: production dependencies only, from the registry, and the prebuilt dist/', () => {
  it('npm ci --omit=dev installs every dependency and no dev dependency, compiles nothing, and the action runs hogsync from it', async () => {
    const checkout = releaseCheckout({ dist: true });
    const main = join(checkout, 'dist', 'cli', 'main.js');
    const built = statSync(main).mtimeMs;
    // The npm cache first, as test/reliability/package.test.ts does, so the suite does not depend on the network.
    const { checked, installed } = await install(checkout, { env: { npm_config_prefer_offline: 'true' } });
    expect(checked).toMatchObject({ installed: 'false', deps: 'production', 'cache-path': join(checkout, 'node_modules') });
    expect(checked['cache-key']).toMatch(new RegExp(`^hogsync-node_modules-Linux-X64-node\\d+-production-${LOCK_SHA}$`));
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);
    expect(installed.stdout).toContain('::group::npm ci --omit=dev (hogsync)');

    const modules = readdirSync(join(checkout, 'node_modules'));
    for (const dep of Object.keys(PKG.dependencies))
      expect(existsSync(join(checkout, 'node_modules', dep, 'package.json')), dep).toBe(true);
    const dev = Object.keys(PKG.devDependencies).filter((d) => existsSync(join(checkout, 'node_modules', d)));
    expect(dev).toEqual([]);
    expect(modules).not.toContain('typescript');
    expect(modules).not.toContain('vitest');
    // `prepare` (tsc) did not run: dist/ is the release's.
    expect(statSync(main).mtimeMs).toBe(built);

    const ws = await workspace(emu);
    const pulled = await runAction({ command: 'pull' }, { cwd: ws.dir, actionPath: checkout });
    expect(pulled.code, pulled.stdout + pulled.stderr).toBe(0);
    expect(pulled.outputs).toMatchObject({ 'exit-code': '0', changes: 'true' });
    const diff = await runAction({ command: 'diff' }, { cwd: ws.dir, actionPath: checkout });
    expect(diff.outputs).toMatchObject({ 'exit-code': '0', changes: 'false' });

    // A second hogsync step of the job reuses the install and skips the cache.
    const again = await install(checkout);
    expect(again.checked.installed).toBe('true');
    expect(again.installed.stdout).toContain(`hogsync is already installed in ${checkout}.`);
  }, 120_000);
});

describe('the cache and a checkout without dist/ (npm replaced by a recorder)', () => {
  function fakeNpm(): { env: Record<string, string>; calls: () => string[] } {
    const dir = tempDir('action-npm');
    const log = join(dir, 'npm.log');
    writeFileSync(log, '');
    writeExecutable(join(dir, 'bin'), 'npm', `#!/bin/sh\necho "npm $*" >> "${log}"\n`);
    return { env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}` }, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  }

  it('without dist/: a notice, npm ci with the dev dependencies and no scripts, then npm run build', async () => {
    const checkout = releaseCheckout({ dist: false });
    const npm = fakeNpm();
    const { checked, installed } = await install(checkout, { env: npm.env });
    expect(checked).toMatchObject({ installed: 'false', deps: 'development' });
    expect(checked['cache-key']).toContain(`-development-${LOCK_SHA}`);
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);
    expect(installed.stdout).toMatch(
      /::notice title=hogsync::This checkout of the action has no dist\/ .*Use a release tag for a production-only install\./,
    );
    expect(npm.calls()).toEqual(['npm ci --ignore-scripts --no-audit --no-fund', 'npm run build']);
  });

  it('a cache hit restores node_modules: no npm ci (and without dist/, only the build)', async () => {
    const restore = (checkout: string) => () => {
      mkdirSync(join(checkout, 'node_modules'), { recursive: true });
      writeFileSync(join(checkout, 'node_modules', '.package-lock.json'), '{}');
    };
    const release = releaseCheckout({ dist: true });
    const npm = fakeNpm();
    const hit = await install(release, { env: npm.env, between: restore(release), cacheHit: true });
    expect(hit.installed.code).toBe(0);
    expect(hit.installed.stdout).toContain("hogsync's production dependencies come from the cache.");
    const source = releaseCheckout({ dist: false });
    const built = await install(source, { env: npm.env, between: restore(source), cacheHit: true });
    expect(built.installed.stdout).toContain("hogsync's development dependencies come from the cache.");
    expect(npm.calls()).toEqual(['npm run build']);
  });

  it('the key changes with package-lock.json and with the kind of install', async () => {
    const a = releaseCheckout({ dist: true });
    const b = releaseCheckout({ dist: true });
    writeFileSync(
      join(b, 'package-lock.json'),
      readFileSync(join(b, 'package-lock.json'), 'utf8').replace('"lockfileVersion"', '"name2": 1, "lockfileVersion"'),
    );
    const c = releaseCheckout({ dist: false });
    const keys = await Promise.all([a, a, b, c].map(async (dir) => (await install(dir, { env: fakeNpm().env })).checked['cache-key']));
    expect(keys[0]).toBe(keys[1]);
    expect(new Set(keys).size).toBe(3);
  });

  it('action.yml restores node_modules with actions/cache under that key, only when hogsync is not installed yet', () => {
    const cache = action.runs.steps.find((s) => s.uses?.startsWith('actions/cache@'));
    expect(cache?.uses).toBe('actions/cache@v4');
    expect(cache?.if).toBe("steps.installed.outputs.installed != 'true'");
    expect(cache?.with).toEqual({ path: '${{ steps.installed.outputs.cache-path }}', key: '${{ steps.installed.outputs.cache-key }}' });
    const ids = action.runs.steps.map((s) => s.id ?? s.name);
    expect(ids.indexOf('installed')).toBeLessThan(ids.indexOf(cache?.id ?? ''));
    expect(ids.indexOf(cache?.id ?? '')).toBeLessThan(ids.indexOf('Install hogsync'));
  });
});

describe('Node.js', () => {
  it('set up only when missing, too old or asked for', async () => {
    const dir = tempDir('action-node');
    const current = await runStep('node', {}, { cwd: dir });
    expect(current.outputs.setup).toBe('false');
    const asked = await runStep('node', { 'node-version': '22' }, { cwd: dir });
    expect(asked.outputs.setup).toBe('true');
    // A node 18 on PATH.
    writeExecutable(join(dir, 'old-node'), 'node', '#!/bin/sh\necho 18\n');
    const tooOld = await runStep('node', {}, { cwd: dir, env: { PATH: `${join(dir, 'old-node')}:${process.env.PATH}` } });
    expect(tooOld.outputs.setup).toBe('true');
  });
});

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnCollect, type CliResult } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

/**
 * What `npm pack` ships, and that it works once installed: the package is packed from a copy of
 * the sources without dist/ (so `prepack`/`prepare` must build it, and this suite never rebuilds the
 * dist/ that other suites are running), installed into an empty project from the npm registry
 * (cache first), and run from node_modules/.bin.
 */

type Proc = CliResult;

function run(command: string, args: string[], cwd: string): Promise<Proc> {
  return spawnCollect(command, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' } });
}

const temp = tempDir('package');
let files: string[] = [];
let tarball = '';
let app = '';
let hogsync = '';
const demoRepos: string[] = [];

beforeAll(async () => {
  // The sources as a clean clone would have them (tracked and new, not ignored), node_modules linked.
  const source = join(temp, 'source');
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).split('\0');
  for (const rel of listed) {
    if (!rel || !existsSync(join(ROOT, rel))) continue;
    mkdirSync(dirname(join(source, rel)), { recursive: true });
    cpSync(join(ROOT, rel), join(source, rel));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');
  expect(existsSync(join(source, 'dist'))).toBe(false);

  const packed = await run('npm', ['pack', '--json', '--pack-destination', temp], source);
  expect(packed.code, packed.stderr).toBe(0);
  // Older npms print lifecycle banners on stdout too: the JSON starts at the first line with `[`.
  const [info] = JSON.parse(packed.stdout.slice(Math.max(0, packed.stdout.search(/^\[/m)))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  files = (info?.files ?? []).map((f) => f.path).sort();
  tarball = join(temp, info?.filename ?? '');

  app = join(temp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'app', version: '1.0.0', private: true }, null, 2)}\n`);
  const installed = await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
  expect(installed.code, installed.stderr).toBe(0);
  hogsync = join(app, 'node_modules', '.bin', 'hogsync');
}, 120_000);

afterAll(() => {
  for (const dir of [temp, ...demoRepos]) rmSync(dir, { recursive: true, force: true });
});

describe('npm package', () => {
  it('ships bin/, the built dist/, schemas/, the demo seed, README and LICENSE, and nothing of tests, benchmarks, examples or sources', () => {
    for (const path of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/hogsync.js',
      'dist/cli/main.js',
      'dist/emulator/seed-loader.js',
      'schemas/hogsync.schema.json',
      'fixtures/demo/seed.json',
    ]) {
      expect(files).toContain(path);
    }
    const stray = files.filter(
      (f) =>
        /^(test|bench|examples|src|\.ci|\.hogsync|posthog)\//.test(f) ||
        /^fixtures\/(?!demo\/)/.test(f) ||
        f === 'action.yml' ||
        /\.ts$/.test(f),
    );
    expect(stray).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/golden'))).toEqual([]);
    const tops = new Set(files.map((f) => f.split('/')[0]));
    expect([...tops].sort()).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'fixtures', 'package.json', 'schemas']);
    // The tar itself agrees with npm's list.
    const tar = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((p) => p.replace(/^package\//, ''))
      .sort();
    expect(tar).toEqual(files);
  });

  it('installs into an empty project, and the installed hogsync prints its usage', async () => {
    const r = await run(hogsync, ['--help'], app);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: hogsync \[options\] \[command\]/);
    for (const command of ['init', 'pull', 'diff', 'push', 'copy', 'validate', 'emulator', 'demo'])
      expect(r.stdout).toMatch(new RegExp(`\\n  ${command} `));
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'hogsync', 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    expect(installed.name).toBe('hogsync');
    // The version is read at run time from the installed package's own package.json.
    const version = await run(hogsync, ['--version'], app);
    expect([version.code, version.stdout]).toEqual([0, `${installed.version}\n`]);
  });

  it('the installed demo finds its seed, schemas and dependencies, and validate checks the files it leaves (exit 0, then 1 on a Hog syntax error)', async () => {
    const demo = await run(hogsync, ['demo'], app);
    expect(demo.code, demo.stdout + demo.stderr).toBe(0);
    expect(demo.stdout).toContain('Done: every step behaved as expected.');
    const repo = /Look around in (\S+) /.exec(demo.stdout)?.[1] ?? '';
    demoRepos.push(repo);
    expect(existsSync(join(repo, 'posthog', 'insights', 'weekly-active-users.yaml'))).toBe(true);

    const valid = await run(hogsync, ['validate'], repo);
    expect(valid.code, valid.stdout + valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^\d+ file\(s\) valid\.\n$/);
    const file = join(repo, 'posthog', 'hog-functions', 'ip-anonymization.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace("parts[4] := '0'", "parts[4] := := '0'"));
    const broken = await run(hogsync, ['validate'], repo);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/posthog\/hog-functions\/ip-anonymization\.yaml:\d+:\d+: .*Hog syntax error/);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { runMain, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';
import { billionLaughs } from '../helpers/hostile.js';

// A pull request can put anything in the repository; a CI job then runs validate, diff
// (whose output becomes a PR comment), push or pull on it. Each refusal is one sentence
// naming the file, exit 1, nothing written, within 1 s and 100 MB of a real process.

let emu: Emulator;
let demo: SeedDoc;
const dirs: string[] = [];
const SECRET = 'runner-secret-not-for-pr-comments';

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => {
  await emu.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emu.reset(demo));

async function repo(files: Record<string, string> = {}): Promise<Workspace> {
  const ws = await workspace(emu, { git: false });
  dirs.push(ws.dir);
  mkdirSync(join(ws.dir, 'posthog', 'insights'), { recursive: true });
  for (const [rel, text] of Object.entries(files)) ws.write(rel, text);
  return ws;
}

const BOMB = `apiVersion: hogsync/v1\nkind: Insight\nkey: bomb\nspec:\n  name: Bomb\n  query:\n${billionLaughs('    ')}`;

describe('a billion-laughs bomb in a resource file', () => {
  it.each([['validate'], ['diff'], ['push', '--yes'], ['pull']])(
    'is refused by %s within 1 s and 100 MB, and nothing is written',
    async (...args) => {
      const ws = await repo({ 'posthog/insights/bomb.yaml': BOMB });
      emu.clearRequests();
      const timings = join(ws.dir, 'timings.json');
      const r = await ws.spawn(args, { HOGSYNC_TIMINGS: timings });
      expect(r.code).toBe(1);
      expect(`${r.stdout}${r.stderr}`).toMatch(
        /posthog\/insights\/bomb\.yaml:7:9: YAML anchors and aliases \(&a0\) are not allowed in resource files/,
      );
      const cost = JSON.parse(readFileSync(timings, 'utf8')) as { wallMs: number; maxRssMb: number };
      expect(cost.wallMs).toBeLessThan(1000);
      expect(cost.maxRssMb).toBeLessThan(100);
      // validate and diff read every file before the first request; pull and push read
      // files while the first list pages travel, so only reads can have gone out.
      const sent = emu.requests();
      if (args[0] === 'validate' || args[0] === 'diff') expect(sent).toEqual([]);
      expect(sent.filter((q) => q.method !== 'GET')).toEqual([]);
      expect(ws.files('posthog/insights')).toEqual(['bomb.yaml']);
      expect(ws.exists('.hogsync/state/production.json')).toBe(false);
    },
  );
});

/** One hostile entry in posthog/insights/, and the sentence that must name it. */
const HOSTILE: Record<string, { file: string; make(ws: Workspace, path: string): void; says: string }> = {
  'a symbolic link to /dev/zero': { file: 'zero.yaml', make: (_ws, path) => symlinkSync('/dev/zero', path), says: 'is a symbolic link' },
  'a FIFO named x.yaml': {
    file: 'x.yaml',
    make: (_ws, path) => execFileSync('mkfifo', [path]),
    says: 'is a named pipe (FIFO), not a regular file',
  },
  'a symbolic link leaving the repository': {
    file: 'leak.yaml',
    make: (ws, path) => {
      const outside = join(ws.dir, '..', `${ws.dir.split('/').pop()}-secret.yaml`);
      writeFileSync(outside, `apiVersion: hogsync/v1\nkind: Insight\nkey: leak\nspec:\n  name: ${SECRET}\n`);
      dirs.push(outside);
      symlinkSync(outside, path);
    },
    says: 'is a symbolic link',
  },
  'a 50 MB file': {
    file: 'huge.yaml',
    make: (_ws, path) => writeFileSync(path, `# ${'x'.repeat(50 * 1024 * 1024)}\n`),
    says: 'is 50 MB, above the 5 MB limit for one file',
  },
};
const COMMANDS = [['diff'], ['push', '--yes'], ['pull']];
const cases = Object.keys(HOSTILE).flatMap((what) => COMMANDS.map((args) => ({ what, args })));

describe('links, special files and large files', () => {
  // Real processes: a FIFO opened by mistake would block, /dev/zero would fill memory; the
  // timings file gives the process's own wall time and peak RSS.
  it.each(cases)('$what is refused by $args.0 within 1 s and 100 MB, naming it, and nothing is written', async ({ what, args }) => {
    const hostile = HOSTILE[what] as (typeof HOSTILE)[string];
    const ws = await repo({ 'posthog/insights/ok.yaml': 'apiVersion: hogsync/v1\nkind: Insight\nkey: ok\nspec:\n  name: OK\n' });
    hostile.make(ws, join(ws.dir, 'posthog', 'insights', hostile.file));
    emu.clearRequests();
    const timings = join(ws.dir, 'timings.json');
    const r = await ws.spawn(args, { HOGSYNC_TIMINGS: timings });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`posthog/insights/${hostile.file}: ${hostile.says}`);
    expect(`${r.stdout}${r.stderr}`).not.toContain(SECRET);
    const cost = JSON.parse(readFileSync(timings, 'utf8')) as { wallMs: number; maxRssMb: number };
    expect(cost.wallMs).toBeLessThan(1000);
    expect(cost.maxRssMb).toBeLessThan(100);
    expect(emu.requests().filter((q) => q.method !== 'GET')).toEqual([]);
    expect(ws.exists('.hogsync/state/production.json')).toBe(false);
  });

  it('are all named at once, before the first request, by pull, diff and push', async () => {
    const ws = await repo({ 'posthog/insights/ok.yaml': 'apiVersion: hogsync/v1\nkind: Insight\nkey: ok\nspec:\n  name: OK\n' });
    for (const hostile of Object.values(HOSTILE)) hostile.make(ws, join(ws.dir, 'posthog', 'insights', hostile.file));
    for (const args of [['pull'], ['diff', '--output', 'markdown'], ['push', '--yes']]) {
      emu.clearRequests();
      const r = await ws.run(args);
      expect(r.code, args.join(' ')).toBe(1);
      for (const hostile of Object.values(HOSTILE)) expect(r.stderr).toContain(`posthog/insights/${hostile.file}: ${hostile.says}`);
      expect(`${r.stdout}${r.stderr}`).not.toContain(SECRET);
      expect(emu.requests()).toEqual([]);
    }
    expect(ws.exists('.hogsync/state/production.json')).toBe(false);
  });
});

describe('hogsync.yaml', () => {
  it('dir outside the repository is a config error at file:line:col', async () => {
    for (const dir of ['../../etc', '/etc']) {
      const ws = await repo();
      ws.write('hogsync.yaml', `${ws.read('hogsync.yaml')}dir: ${dir}\n`);
      const line = ws.read('hogsync.yaml').split('\n').length - 1;
      const r = await runMain(['diff'], { cwd: ws.dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `error: ${join(ws.dir, 'hogsync.yaml')}:${line}:6: dir "${dir}" is outside the repository (${ws.dir}); the resource files must live inside it. Use a folder below hogsync.yaml, e.g. dir: posthog.\n`,
      );
    }
  });

  it('a folder inside it is fine, and anchors may share a value between environments', async () => {
    const ws = await repo();
    ws.write(
      'hogsync.yaml',
      ws
        .read('hogsync.yaml')
        .replace(/host: (\S+)/, 'host: &host $1')
        .replace('version: 1', 'version: 1\ndir: config/posthog'),
    );
    ws.write(
      'hogsync.yaml',
      `${ws.read('hogsync.yaml').replace('default_environment: production', '')}  staging:\n    host: *host\n    project: 2\ndefault_environment: production\n`,
    );
    const r = await runMain(['pull'], { cwd: ws.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(ws.files('config/posthog/insights').length).toBeGreaterThan(0);
  });

  it('a bomb, a FIFO or a huge file is refused at once', async () => {
    const bomb = await repo();
    bomb.write(
      'hogsync.yaml',
      `version: 1\nenvironments:\n  production:\n    host: ${emu.url}\n    project: 1\n    vars:\n${billionLaughs('      ')}`,
    );
    const timings = join(bomb.dir, 'timings.json');
    const r = await bomb.spawn(['diff'], { HOGSYNC_TIMINGS: timings });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: ${join(bomb.dir, 'hogsync.yaml')}: its YAML aliases expand to more than a billion values (at most 100,000); write the values out or share fewer of them\n`,
    );
    const cost = JSON.parse(readFileSync(timings, 'utf8')) as { wallMs: number; maxRssMb: number };
    expect(cost.wallMs).toBeLessThan(1000);
    expect(cost.maxRssMb).toBeLessThan(100);

    const fifo = await repo();
    rmSync(join(fifo.dir, 'hogsync.yaml'));
    execFileSync('mkfifo', [join(fifo.dir, 'hogsync.yaml')]);
    const f = await fifo.run(['diff']);
    expect(f.code).toBe(1);
    expect(f.stderr).toBe(
      `error: ${join(fifo.dir, 'hogsync.yaml')}: is a named pipe (FIFO), not a regular file; hogsync does not open it. Replace it with a regular file or remove it.\n`,
    );

    const huge = await repo();
    huge.write('hogsync.yaml', `${huge.read('hogsync.yaml')}# ${'x'.repeat(6 * 1024 * 1024)}\n`);
    const h = await runMain(['diff'], { cwd: huge.dir });
    expect(h.code).toBe(1);
    expect(h.stderr).toContain('hogsync.yaml: is 6 MB, above the 5 MB limit for one file');
  });
});

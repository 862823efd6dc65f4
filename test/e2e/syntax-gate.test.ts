import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * Issue 22: diff and push parse the Hog and HogQL of the files that changed since the last
 * sync only, keeping the parser's verdicts in .hogsync/cache/ (never committed); a changed
 * text that does not parse still stops them, at its file:line:col.
 */

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

const SQL_FILE = 'posthog/insights/active-users-by-country-sql.yaml';
const CACHE = '.hogsync/cache/syntax.json';

/** 1-based line and column of the first `needle` in the file. */
function positionOf(ws: Workspace, file: string, needle: string): string {
  const text = ws.read(file);
  const before = text.slice(0, text.indexOf(needle)).split('\n');
  return `${before.length}:${(before[before.length - 1] as string).length + 1}`;
}

describe('the checks before diff and push', () => {
  it('parse nothing when every file is as last synced, as in a fresh clone', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const diff = await ws.run(['diff']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(ws.exists('.hogsync/cache')).toBe(false);
  });

  it('stop at a changed HogQL query that does not parse, with file:line:col, from the cache the next time', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    ws.write(SQL_FILE, ws.read(SQL_FILE).replace('GROUP BY city', 'GROUP BY BY city'));
    const at = positionOf(ws, SQL_FILE, 'BY BY city');
    for (const args of [['diff'], ['diff'], ['push', '--yes']]) {
      emu.clearRequests();
      const r = await ws.run(args);
      expect(r.code, args.join(' ')).toBe(1);
      // The parser stops at "city", where it wanted an expression after the second BY.
      const [line, col] = at.split(':').map(Number) as [number, number];
      expect(r.stderr).toContain(`${SQL_FILE}:${line}:${col + 'BY BY '.length}: HogQL syntax error`);
      expect(emu.requests().filter((q) => q.method !== 'GET')).toEqual([]);
    }
    expect(ws.exists(CACHE)).toBe(true);
    // The cache is this checkout's, never a change to commit.
    expect((await ws.git.status()).files.map((f) => f.path).filter((p) => p.startsWith('.hogsync'))).toEqual([]);
  });

  it('stop at a changed Hog program that does not parse, and let the fixed one through', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const file = ws
      .files('posthog/hog-functions')
      .map((f) => `posthog/hog-functions/${f}`)
      .find((f) => /^ {2}hog: \|/m.test(ws.read(f))) as string;
    const good = ws.read(file);
    ws.write(file, good.replace(/^( {2}hog: \|[-+]?\n)/m, '$1    let x := \n'));
    const broken = await ws.run(['push', '--yes']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: Hog syntax error`));
    ws.write(file, good.replace(/^( {2}hog: \|[-+]?\n)/m, '$1    let x := 1\n'));
    const fixed = await ws.run(['push', '--yes']);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(/~ updated HogFunction\//);
  });

  it('tell a broken query with the other problems, all at once, when those stop the run before any request', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const wau = 'posthog/insights/weekly-active-users.yaml';
    ws.write(wau, ws.read(wau).replace('  name: Weekly active users', '  name: Weekly active users\n  colour: red'));
    ws.write(SQL_FILE, ws.read(SQL_FILE).replace('GROUP BY city', 'GROUP BY BY city'));
    emu.clearRequests();
    const r = await ws.run(['diff']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${SQL_FILE.replace(/[.]/g, '\\.')}:\\d+:\\d+: HogQL syntax error`));
    expect(r.stderr).toMatch(/weekly-active-users\.yaml:\d+:3: unknown field "colour"/);
    expect(emu.requests()).toEqual([]);
  });
});

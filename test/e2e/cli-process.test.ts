import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * Every command once as a real process (bin/hogsync.js → dist/), so that what the bulk of
 * the end-to-end tests run in-process is also what a user runs: argument parsing, the
 * built output, exit codes and the two streams.
 */

let emu: Emulator;
let ws: Workspace;

beforeAll(async () => {
  emu = await testEmulator({ seed: await loadSeed(demoSeedPath()) });
  ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2 } } });
});
afterAll(async () => emu.close());

describe('the real CLI process', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await ws.spawn(['--help']);
    expect(r.code).toBe(0);
    for (const c of [
      'init',
      'pull',
      'diff',
      'push',
      'copy',
      'mv',
      'import',
      'validate',
      'test',
      'status',
      'list',
      'get',
      'icons',
      'emulator',
      'demo',
    ])
      expect(r.stdout).toContain(`  ${c}`);
  });

  // One process per step, each step a test of its own (a step's time is its own, under any load), in order: later steps use what earlier ones made.
  it('pull --commit', async () => {
    const pull = await ws.spawn(['pull', '--commit']);
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout).toMatch(/Pulled production: .* Committed [0-9a-f]{12}\./);
  });

  it('validate and diff', async () => {
    const validate = await ws.spawn(['validate']);
    expect(validate.code, validate.stdout).toBe(0);
    const diff = await ws.spawn(['diff']);
    expect([diff.code, diff.stdout]).toEqual([0, expect.stringContaining('in sync')]);
  });

  it('diff and push of an edit', async () => {
    ws.write(
      'posthog/insights/weekly-active-users.yaml',
      ws.read('posthog/insights/weekly-active-users.yaml').replace('name: Weekly active users', 'name: WAU'),
    );
    const changes = await ws.spawn(['diff']);
    expect(changes.code).toBe(2);
    const push = await ws.spawn(['push', '--yes']);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toMatch(/1 updated/);
  });

  it('list and get', async () => {
    const list = await ws.spawn(['list', 'insight', '-o', 'json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).resources.length).toBeGreaterThan(0);
    const get = await ws.spawn(['get', 'insight', 'weekly-active-users']);
    expect([get.code, get.stdout]).toEqual([0, expect.stringContaining('name: WAU')]);
  });

  it('status, test and icons', async () => {
    const status = await ws.spawn(['status']);
    expect(status.code, status.stderr).toBe(0);
    const test = await ws.spawn(['test', 'posthog/hog-functions/geoip.yaml']);
    expect(test.code, test.stdout + test.stderr).toBe(0);
    const icons = await ws.spawn(['icons', 'slack']);
    expect(icons.code, icons.stderr).toBe(0);
  });

  it('copy --dry-run', async () => {
    const copy = await ws.spawn(['copy', '--from', 'production', '--to', 'staging', '--dry-run', '--kinds', 'insight-variable']);
    expect(copy.code, copy.stdout + copy.stderr).toBe(2);
  });

  it('mv', async () => {
    const mv = await ws.spawn(['mv', 'insight/weekly-active-users', 'wau']);
    expect([mv.code, mv.stderr]).toEqual([0, '']);
    expect(mv.stdout).toMatch(/^Moved Insight\/weekly-active-users to wau:/);
    expect(ws.exists('posthog/insights/wau.yaml')).toBe(true);
  });

  it('import', async () => {
    const made = await fetch(`${emu.url}/api/projects/1/insights/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Made in the UI',
        query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }] } },
      }),
    });
    const { short_id } = (await made.json()) as { short_id: string };
    const imported = await ws.spawn(['import', 'insight', short_id]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(ws.read('posthog/insights/made-in-the-ui.yaml')).toContain('name: Made in the UI');
  });

  it('init', async () => {
    const init = await ws.spawn(['init', '-e', 'qa', '--host', emu.url, '--project', '3']);
    expect(init.code, init.stderr).toBe(0);
    expect(ws.read('hogsync.yaml')).toContain('qa:');
  });

  it('an error is one line on stderr and exit 1, without a stack trace', async () => {
    const r = await ws.spawn(['list', 'feature-flag']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});

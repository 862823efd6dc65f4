import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator } from '../../src/emulator/index.js';
import { runMain, testEmulator, workspace } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

/** hogsync.yaml is found from the working directory upwards, as git finds .git. */
let emu: Emulator;

beforeAll(async () => {
  emu = await testEmulator({ seed: await loadSeed(demoSeedPath()) });
});
afterAll(async () => emu.close());

describe('hogsync.yaml lookup', () => {
  it('a command run from posthog/insights/ uses the hogsync.yaml of the repository, and its paths stay relative to that folder', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const insights = join(ws.dir, 'posthog', 'insights');
    ws.write(
      'posthog/insights/weekly-active-users.yaml',
      ws.read('posthog/insights/weekly-active-users.yaml').replace('name: Weekly active users', 'name: WAU'),
    );

    const all = await runMain(['diff', '--output', 'json'], { cwd: insights });
    expect(all.code, all.stderr).toBe(2);
    const doc = JSON.parse(all.stdout);
    expect(doc.environment).toBe('production');
    // The files are those of the repository (posthog/ beside hogsync.yaml), not a posthog/ below the working directory.
    expect(doc.changes.filter((c: { action: string }) => c.action !== 'unmanaged')).toMatchObject([
      { key: 'weekly-active-users', action: 'update', file: 'posthog/insights/weekly-active-users.yaml' },
    ]);

    // A selector given on the command line is relative to the working directory.
    const one = await runMain(['diff', 'weekly-active-users.yaml', '--output', 'json'], { cwd: insights });
    expect(JSON.parse(one.stdout).changes).toHaveLength(1);
    const other = await runMain(['diff', 'daily-signups.yaml'], { cwd: insights });
    expect(other.code, other.stdout + other.stderr).not.toBe(2);

    // The state stays beside hogsync.yaml.
    const pushed = await runMain(['push', '--yes'], { cwd: insights });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(ws.exists('.hogsync/state/production.json')).toBe(true);
    expect(ws.exists('posthog/insights/.hogsync')).toBe(false);
    expect(emu.project(1)?.insights.some((i) => i.name === 'WAU')).toBe(true);
  });

  it('the nearest hogsync.yaml wins, and -C still chooses another', async () => {
    const outer = tempDir('lookup');
    const inner = join(outer, 'team', 'analytics');
    mkdirSync(join(inner, 'deep'), { recursive: true });
    const config = (project: number) =>
      `version: 1\nenvironments:\n  production:\n    host: ${emu.url}\n    project: ${project}\n    rate_limits:\n      enabled: false\n`;
    writeFileSync(join(outer, 'hogsync.yaml'), config(1));
    writeFileSync(join(inner, 'hogsync.yaml'), config(2));

    const resources = (project: number) => {
      const live = emu.project(project);
      if (!live) return 0;
      const insights = live.insights.filter((i) => !i.deleted);
      const listed = [
        insights,
        live.insightVariables,
        live.hogFunctions.filter((h) => !h.deleted),
        live.dashboards.filter((d) => !d.deleted && d.creation_mode !== 'unlisted'),
        live.actions.filter((a) => !a.deleted),
        live.cohorts.filter((c) => !c.deleted),
      ];
      // Alerts are listed only while their insight is.
      return listed.reduce((n, l) => n + l.length, 0) + live.alerts.filter((a) => insights.some((i) => i.id === a.insight_id)).length;
    };
    expect(resources(1)).not.toBe(resources(2));
    const nearest = await runMain(['diff', '--output', 'json'], { cwd: join(inner, 'deep') });
    expect(JSON.parse(nearest.stdout).summary.unmanaged).toBe(resources(2));

    const chosen = await runMain(['-C', join(outer, 'hogsync.yaml'), 'diff', '--output', 'json'], { cwd: join(inner, 'deep') });
    expect(JSON.parse(chosen.stdout).summary.unmanaged).toBe(resources(1));
  });

  it('with no hogsync.yaml up to the filesystem root, the working directory is the root and flags give the target', async () => {
    const dir = tempDir('lookup-none');
    const r = await runMain(['diff', '--output', 'json', '--host', emu.url, '--project', '1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).environment).toBe('default');
  });
});

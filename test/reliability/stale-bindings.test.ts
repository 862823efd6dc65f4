import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace } from '../helpers/e2e.js';
import { liveInsightsByName } from './attack-kit.js';

/**
 * A state file that binds a key to an id PostHog does not have (copied from another checkout,
 * edited by hand, left from a project since rebuilt). A restore or push that brings the resource
 * back must take the one resource that holds exactly the file's content and is bound to no key,
 * not create a second.
 */

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

describe('a state binding to an id PostHog does not have', () => {
  it.each([['restore', 'HEAD'], ['push']])('%s binds the identical resource instead of creating a twin', async (...args) => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const file = '.hogsync/state/production.json';
    const state = JSON.parse(ws.read(file)) as { resources: Record<string, { id: number }> };
    const real = state.resources['Insight/weekly-active-users']?.id;
    state.resources['Insight/weekly-active-users'] = { ...state.resources['Insight/weekly-active-users'], id: 999_999 } as { id: number };
    ws.write(file, JSON.stringify(state));
    emu.clearRequests();

    const run = await ws.run([...args, '--yes'].filter(Boolean) as string[]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/~ adopt(ed)? Insight\/weekly-active-users \(id \d+\)/);
    expect(emu.requests().filter((r) => r.method === 'POST')).toEqual([]);
    expect(liveInsightsByName(emu).get('Weekly active users')).toBe(1);
    expect(ws.state().resources['Insight/weekly-active-users']?.id).toBe(real);
    expect((await ws.run(['diff'])).code).toBe(0);
  });
});

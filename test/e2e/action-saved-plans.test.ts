import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { project } from '../emulator/helpers.js';
import { testEmulator, workspace } from '../helpers/e2e.js';
import { runAction } from './action-steps.js';

/**
 * The action with the real CLI for what it relies on from the CLI's newer interface: diff --out
 * saves the plan, push --plan applies exactly it or refuses (exit 3) when something it covers
 * changed, restore <rev> puts PostHog back as git had it; action-inputs.test.ts checks what the
 * action passes.
 */

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset(demo));

const WAU = 'posthog/insights/weekly-active-users.yaml';
const wau = () => emu.project(1)?.insights.find((i) => i.name?.startsWith('Weekly active users'));

async function pulled() {
  const ws = await workspace(emu);
  expect((await ws.run(['pull', '--commit'])).code).toBe(0);
  return ws;
}

describe('a saved plan: diff with plan-out, then push with plan', () => {
  it('the reviewed plan is applied as saved', async () => {
    const ws = await pulled();
    ws.write(WAU, ws.read(WAU).replace('name: Weekly active users', 'name: Weekly active users (v2)'));
    const diff = await runAction({ command: 'diff', 'plan-out': 'plans/production.json' }, { cwd: ws.dir });
    expect(diff.outputs['exit-code'], diff.stdout + diff.stderr).toBe('2');
    const saved = diff.outputs['saved-plan'] ?? '';
    expect(() => JSON.parse(readFileSync(saved, 'utf8')) as unknown).not.toThrow();

    const push = await runAction({ command: 'push', plan: saved }, { cwd: ws.dir });
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(push.outputs).toMatchObject({ 'exit-code': '0', changes: 'true' });
    expect(wau()?.name).toBe('Weekly active users (v2)');
  });

  it('a plan PostHog has moved past is refused (exit 3): the step fails, naming the resource, and nothing is written', async () => {
    const ws = await pulled();
    ws.write(WAU, ws.read(WAU).replace('name: Weekly active users', 'name: Weekly active users (v2)'));
    const diff = await runAction({ command: 'diff', 'plan-out': 'plan.json' }, { cwd: ws.dir });
    expect(diff.outputs['saved-plan']).not.toBe('');
    expect((await project(emu).patch(`insights/${wau()?.id}/`, { description: 'Edited in the UI after the review' })).status).toBe(200);

    const push = await runAction({ command: 'push', plan: 'plan.json' }, { cwd: ws.dir });
    expect(push.code).toBe(3);
    expect(push.outputs['exit-code']).toBe('3');
    expect(push.stdout).toContain('::error title=hogsync::hogsync push refused the saved plan or left drift or conflicts (exit 3)');
    expect(push.stdout + push.stderr + push.summary).toContain('weekly-active-users');
    expect(wau()?.name).toBe('Weekly active users');
  });
});

describe('restore', () => {
  it('rev: PostHog is put back as the files were at that commit', async () => {
    const ws = await pulled();
    ws.write(WAU, ws.read(WAU).replace('name: Weekly active users', 'name: Weekly active users (v2)'));
    await ws.git.add('.');
    await ws.git.commit('rename');
    expect((await runAction({ command: 'push' }, { cwd: ws.dir })).outputs['exit-code']).toBe('0');
    expect(wau()?.name).toBe('Weekly active users (v2)');

    const r = await runAction({ command: 'restore', rev: 'HEAD~1' }, { cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ 'exit-code': '0', changes: 'true' });
    expect(wau()?.name).toBe('Weekly active users');
  });
});

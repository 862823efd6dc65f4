import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { project } from '../emulator/helpers.js';
import { ROOT, spawnCollect, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';
import { ACTION, action, runAction } from './action-steps.js';

/**
 * The GitHub Action (action.yml): GitHub's schemas through action-validator, a few rules of our
 * own, and the action's shell steps run for real (bash, as a runner would) against the emulator.
 * action-inputs.test.ts covers what the action passes for each input, action-install.test.ts the
 * install, examples.test.ts the example workflows.
 */

const VALIDATOR = join(ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
const EXAMPLES = join(ROOT, 'examples', 'workflows');
const exampleFiles = () =>
  readdirSync(EXAMPLES)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();

const validate = (file: string) =>
  spawnCollect(process.execPath, [VALIDATOR, file], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME } });

describe('action.yml and examples/workflows pass GitHub’s schemas (action-validator)', () => {
  it('the action and every example workflow are valid', async () => {
    const files = [ACTION, ...exampleFiles().map((f) => join(EXAMPLES, f))];
    expect(exampleFiles()).toEqual(
      expect.arrayContaining([
        'apply-on-merge.yml',
        'apply-to-all-projects.yml',
        'copy-to-staging.yml',
        'nightly-backup.yml',
        'plan-on-pr.yml',
        'promote-staging-to-production.yml',
      ]),
    );
    const results = await Promise.all(files.map(validate));
    results.forEach((r, i) => expect(r.code, `${files[i]}\n${r.stdout}${r.stderr}`).toBe(0));
  });

  it('a broken workflow and a broken action are refused, so the check above can fail', async () => {
    const dir = tempDir('action');
    writeFileSync(
      join(dir, 'broken.yml'),
      'on: push\npermissions:\n  contents: writ\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        run: echo both\n',
    );
    mkdirSync(join(dir, 'broken-action'));
    writeFileSync(
      join(dir, 'broken-action', 'action.yml'),
      'name: x\ndescription: a composite step without a shell\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n',
    );
    const [workflow, broken] = await Promise.all([validate(join(dir, 'broken.yml')), validate(join(dir, 'broken-action', 'action.yml'))]);
    expect(workflow.code).toBe(1);
    expect(workflow.stderr).toContain('/permissions/contents');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('/runs/steps/0/shell');
  });
});

describe('our own rules for the action', () => {
  it('a composite action with the agreed inputs and outputs, inputs reaching scripts only through env', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining([
        'command',
        'environment',
        'config',
        'working-directory',
        'args',
        'from',
        'to',
        'rev',
        'prune',
        'plan',
        'plan-out',
        'fail-on-drift',
        'commit',
      ]),
    );
    expect(action.inputs.command?.required).toBe(true);
    expect(action.inputs['fail-on-drift']?.default).toBe('true');
    expect(action.inputs.prune?.default).toBe('false');
    expect(Object.keys(action.outputs)).toEqual(
      expect.arrayContaining(['exit-code', 'changes', 'plan', 'plan-file', 'saved-plan', 'commit']),
    );
    // The exit codes a caller branches on are documented where it reads them.
    expect(action.outputs['exit-code']?.description).toMatch(/2 .*push.*prune/);
    // No API key input: it would be echoed. The key comes from the caller's env.
    expect(Object.keys(action.inputs).filter((k) => /key|token|secret/i.test(k))).toEqual([]);
    for (const step of action.runs.steps) {
      // `${{ }}` pasted into a script is a script injection; env keeps values out of the code.
      if (step.run) expect(step.run, step.name).not.toContain('${{');
    }
  });

  it('the README’s GitHub Action section documents every input and output, and every example workflow', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## GitHub Action\n'), readme.indexOf('\n## ', readme.indexOf('## GitHub Action\n') + 1));
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) {
      expect(
        rows.some((r) => r.split(' | ')[0]?.includes(`\`${name}\``)),
        name,
      ).toBe(true);
    }
    for (const file of exampleFiles()) expect(section, file).toContain(`\`${file}\``);
  });

  it('the inputs are checked before anything is installed, and hogsync runs last', () => {
    const ids = action.runs.steps.map((s) => s.id ?? s.name);
    expect(ids[0]).toBe('inputs');
    expect(ids.at(-1)).toBe('run');
    expect(ids.indexOf('inputs')).toBeLessThan(ids.indexOf('Install hogsync'));
  });
});

// ---------------------------------------------------------------------------------------------

let emu: Emulator;
let demo: SeedDoc;

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset(demo));

async function pulled(): Promise<Workspace> {
  const ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2 } } });
  const r = await ws.run(['pull']);
  expect(r.code, r.stderr).toBe(0);
  return ws;
}

const WAU = 'posthog/insights/weekly-active-users.yaml';

describe('the action’s steps against the emulator', () => {
  it('diff: exit 2 passes with the Markdown plan in plan, plan-file and the job summary; in sync gives changes=false', async () => {
    const ws = await pulled();
    const original = ws.read(WAU);
    ws.write(WAU, original.replace('name: Weekly active users', 'name: Weekly active users (v2)'));
    const r = await runAction({ command: 'diff' }, { cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ 'exit-code': '2', changes: 'true', 'saved-plan': '' });
    expect(r.outputs.plan?.split('\n')[0]).toBe('<!-- hogsync-plan -->');
    expect(r.outputs.plan).toContain('Insight/weekly-active-users');
    expect(readFileSync(r.outputs['plan-file'] ?? '', 'utf8')).toBe(`${r.outputs.plan}\n`);
    expect(r.summary).toBe(`${r.outputs.plan}\n`);

    ws.write(WAU, original);
    const same = await runAction({ command: 'diff' }, { cwd: ws.dir });
    expect(same.code).toBe(0);
    expect(same.outputs).toMatchObject({ 'exit-code': '0', changes: 'false' });
    expect(same.outputs.plan).toContain('No changes: the files and PostHog are in sync.');
  });

  it('diff of a new environment names the secrets a push there needs: in the plan, and as a warning of the step', async () => {
    const ws = await workspace(emu, {
      environments: { production: { project: 1 }, staging: { project: 2, extra: 'refs:\n  integrations:\n    "4821": 5120' } },
    });
    expect((await ws.run(['pull'])).code).toBe(0);
    const r = await runAction({ command: 'diff', environment: 'staging' }, { cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.plan).toMatch(
      /> - `HOGSYNC_SECRET_STAGING_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER[^`]*` \(a secret input PostHog does not hold yet\), used by `HogFunction\/notify-crm-of-signups`/,
    );
    expect(r.stdout).toMatch(
      /::warning title=hogsync::A push of this plan needs HOGSYNC_SECRET_STAGING_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER.*, which is not set here/,
    );
  });

  it('diff: drift (exit 3) fails the step unless fail-on-drift is false; the plan is written either way', async () => {
    const ws = await pulled();
    const id = emu.project(1)?.insights.find((i) => i.name === 'Feature stickiness')?.id;
    expect((await project(emu).patch(`insights/${id}/`, { description: 'Edited in the UI' })).status).toBe(200);
    const failed = await runAction(
      { command: 'diff', 'working-directory': '.', config: 'hogsync.yaml', environment: 'production' },
      { cwd: ws.dir },
    );
    expect(failed.code).toBe(3);
    expect(failed.stdout).toMatch(/::error title=hogsync::hogsync diff found drift or conflicts/);
    expect(failed.outputs).toMatchObject({ 'exit-code': '3', changes: 'true' });
    expect(failed.outputs.plan).toContain('drift');
    const passed = await runAction({ command: 'diff', 'fail-on-drift': 'false' }, { cwd: ws.dir });
    expect(passed.code).toBe(0);
    expect(passed.stdout).toMatch(/::warning title=hogsync::/);
    expect(passed.outputs['exit-code']).toBe('3');
  });

  it('push: --yes added, changes=true when something was applied, false when all was unchanged', async () => {
    const ws = await pulled();
    ws.write(WAU, ws.read(WAU).replace('name: Weekly active users', 'name: WAU'));
    const r = await runAction({ command: 'push' }, { cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('hogsync push --yes --output json');
    expect(r.outputs).toMatchObject({ 'exit-code': '0', changes: 'true', plan: '', 'plan-file': '' });
    expect(r.summary).toMatch(
      /### hogsync push `production`: exit 0\n\n\| created \| restored \| updated \|[^\n]*\n[^\n]*\n\| 0 \| 0 \| 1 \|/,
    );
    expect(emu.project(1)?.insights.some((i) => i.name === 'WAU')).toBe(true);
    const again = await runAction({ command: 'push' }, { cwd: ws.dir });
    expect(again.outputs).toMatchObject({ 'exit-code': '0', changes: 'false' });
  });

  it('push without prune leaves a removed file’s resource (exit 2, the step passes with a warning); prune: true deletes it', async () => {
    const ws = await pulled();
    // An insight on no dashboard and with no alert: nothing else names it.
    rmSync(join(ws.dir, 'posthog/insights/recent-signups.yaml'));
    const left = await runAction({ command: 'push' }, { cwd: ws.dir });
    expect(left.code, left.stdout + left.stderr).toBe(0);
    expect(left.outputs).toMatchObject({ 'exit-code': '2', changes: 'true' });
    expect(left.stdout).toContain(
      '::warning title=hogsync::hogsync push left planned changes unapplied (exit 2): deletes are applied only with prune: true.',
    );
    expect(left.summary).toContain('Planned changes were left unapplied (exit 2): deletes need `prune: true`.');
    expect(emu.project(1)?.insights.find((i) => i.name === 'Recent signups')?.deleted).toBe(false);

    const pruned = await runAction({ command: 'push', prune: 'true' }, { cwd: ws.dir });
    expect(pruned.code, pruned.stdout + pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain('hogsync push --yes --output json --prune');
    expect(pruned.outputs).toMatchObject({ 'exit-code': '0', changes: 'true' });
    expect(pruned.stdout).not.toContain('::warning');
    expect(emu.project(1)?.insights.find((i) => i.name === 'Recent signups')?.deleted).toBe(true);
  });

  it('pull with commit: true and quoted args: the commit is made with that subject, the summary in its body, its hash an output', async () => {
    const ws = await workspace(emu);
    const r = await runAction(
      { command: 'pull', commit: 'true', args: `-m 'nightly: backup "prod"' --kinds insight-variable` },
      { cwd: ws.dir },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ 'exit-code': '0', changes: 'true' });
    expect(r.outputs.commit).toMatch(/^[0-9a-f]{40}$/);
    const log = await ws.git.log({ maxCount: 1 });
    expect(log.latest?.hash).toBe(r.outputs.commit);
    expect(log.latest?.message).toBe('nightly: backup "prod"');
    expect(log.latest?.body).toContain('hogsync pull production: 5 added, 0 changed, 0 removed');
    expect(ws.files('posthog/insight-variables')).toHaveLength(5);
    expect(ws.exists('posthog/insights')).toBe(false);
    const again = await runAction({ command: 'pull', commit: 'true', args: '--kinds insight-variable' }, { cwd: ws.dir });
    expect(again.outputs).toMatchObject({ 'exit-code': '0', changes: 'false', commit: '' });
  });

  it('copy: from/to passed, a dry run with changes (exit 2) passes with changes=true and no warning', async () => {
    const ws = await pulled();
    const r = await runAction(
      { command: 'copy', from: 'production', to: 'staging', args: '--dry-run --kinds insight-variable' },
      { cwd: ws.dir },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ 'exit-code': '2', changes: 'true' });
    expect(r.summary).toContain('### hogsync copy `production → staging`: exit 2');
    expect(r.stdout).not.toContain('::warning');
    expect(emu.project(2)?.insightVariables).toHaveLength(0);
  });

  it('an error (exit 1) fails the step, still with its outputs', async () => {
    const ws = await pulled();
    const noKey = await runAction({ command: 'diff' }, { cwd: ws.dir, env: { POSTHOG_PERSONAL_API_KEY: undefined } });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('POSTHOG_PERSONAL_API_KEY');
    expect(noKey.stdout).toContain('::error title=hogsync::hogsync diff failed (exit 1).');
    expect(noKey.outputs).toMatchObject({ 'exit-code': '1', changes: 'false', plan: '', 'plan-file': '', 'saved-plan': '' });
  });
});

import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { project } from '../emulator/helpers.js';
import { ROOT, spawnCollect, TEST_KEY, testEmulator, workspace, type CliResult, type Workspace } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

/**
 * The GitHub Action (action.yml) and the example workflows: GitHub's schemas through
 * action-validator, a few rules of our own, and the action's shell steps run for real
 * (bash, as a runner would) against the emulator.
 */

const VALIDATOR = join(ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
const ACTION = join(ROOT, 'action.yml');
const EXAMPLES = join(ROOT, 'examples', 'workflows');
const exampleFiles = () => readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f)).sort();

type Proc = CliResult;

function run(command: string, args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<Proc> {
  return spawnCollect(command, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? { PATH: process.env.PATH, HOME: process.env.HOME } });
}

const validate = (file: string) => run(process.execPath, [VALIDATOR, file]);

describe('action.yml and examples/workflows pass GitHub’s schemas (action-validator)', () => {
  it('the action and every example workflow are valid', async () => {
    const files = [ACTION, ...exampleFiles().map((f) => join(EXAMPLES, f))];
    expect(exampleFiles()).toEqual(expect.arrayContaining(['apply-on-merge.yml', 'copy-to-staging.yml', 'nightly-backup.yml', 'plan-on-pr.yml']));
    const results = await Promise.all(files.map(validate));
    results.forEach((r, i) => expect(r.code, `${files[i]}\n${r.stdout}${r.stderr}`).toBe(0));
  });

  it('a broken workflow and a broken action are refused, so the check above can fail', async () => {
    const dir = tempDir('action');
    writeFileSync(join(dir, 'broken.yml'), 'on: push\npermissions:\n  contents: writ\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        run: echo both\n');
    mkdirSync(join(dir, 'broken-action'));
    writeFileSync(join(dir, 'broken-action', 'action.yml'), 'name: x\ndescription: a composite step without a shell\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n');
    const [workflow, action] = await Promise.all([validate(join(dir, 'broken.yml')), validate(join(dir, 'broken-action', 'action.yml'))]);
    expect(workflow.code).toBe(1);
    expect(workflow.stderr).toContain('/permissions/contents');
    expect(action.code).toBe(1);
    expect(action.stderr).toContain('/runs/steps/0/shell');
  });
});

// ---------------------------------------------------------------------------------------------

interface Step {
  id?: string;
  name?: string;
  run?: string;
  uses?: string;
  shell?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface ActionDoc {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}
const action = parse(readFileSync(ACTION, 'utf8')) as ActionDoc;

describe('our own rules for the action and the examples', () => {
  it('action.yml: a composite action with the agreed inputs and outputs, inputs reaching scripts only through env', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['command', 'environment', 'config', 'working-directory', 'args', 'from', 'to', 'fail-on-drift', 'commit']));
    expect(action.inputs.command?.required).toBe(true);
    expect(action.inputs['fail-on-drift']?.default).toBe('true');
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['exit-code', 'changes', 'plan', 'plan-file']));
    // No API key input: it would be echoed. The key comes from the caller's env.
    expect(Object.keys(action.inputs).filter((k) => /key|token|secret/i.test(k))).toEqual([]);
    for (const step of action.runs.steps) {
      // `${{ }}` pasted into a script is a script injection; env keeps values out of the code.
      if (step.run) expect(step.run, step.name).not.toContain('${{');
    }
  });

  it('examples: well-known actions pinned to a major version, this action as your-org/hogsync@v1, minimal permissions', () => {
    const allowed = /^(actions\/checkout|actions\/setup-node|peter-evans\/find-comment|peter-evans\/create-or-update-comment|marocchino\/sticky-pull-request-comment)@v\d+$/;
    for (const file of exampleFiles()) {
      const text = readFileSync(join(EXAMPLES, file), 'utf8');
      const doc = parse(text) as { permissions?: Record<string, string>; jobs: Record<string, { steps: Step[] }> };
      expect(doc.permissions, `${file}: a top-level permissions block`).toBeDefined();
      expect(Object.values(doc.permissions ?? {}).every((p) => p === 'read' || p === 'write'), file).toBe(true);
      const uses = Object.values(doc.jobs).flatMap((j) => j.steps.map((s) => s.uses).filter((u): u is string => !!u));
      expect(uses, file).toContain('your-org/hogsync@v1');
      for (const u of uses) if (u !== 'your-org/hogsync@v1') expect(u, file).toMatch(allowed);
      expect(text, `${file} says to replace the owner`).toMatch(/replace your-org/);
      // The key reaches the action through env, never `with:`.
      for (const s of Object.values(doc.jobs).flatMap((j) => j.steps)) {
        if (s.uses === 'your-org/hogsync@v1') expect(s.env?.POSTHOG_PERSONAL_API_KEY, file).toBe('${{ secrets.POSTHOG_PERSONAL_API_KEY }}');
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The action's steps, run as a runner would: `bash --noprofile --norc -eo pipefail`, with the
// step's env and working-directory, `${{ inputs.x }}` and `${{ github.action_path }}` substituted.

interface StepRun extends Proc {
  outputs: Record<string, string>;
  summary: string;
}

function substitute(value: string, inputs: Record<string, string>, actionPath: string): string {
  return value.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => {
    if (e === 'github.action_path') return actionPath;
    const input = /^inputs\.([\w-]+)$/.exec(e)?.[1];
    if (input === undefined) throw new Error(`the test cannot evaluate \${{ ${e} }}`);
    if (!(input in action.inputs)) throw new Error(`action.yml has no input ${input}`);
    return inputs[input] ?? action.inputs[input]?.default ?? '';
  });
}

/** GITHUB_OUTPUT's format: name=value lines and name<<DELIMITER heredocs. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] ?? '', i + 1);
      if (end < 0) throw new Error(`unterminated output ${heredoc[1]}`);
      out[heredoc[1] ?? ''] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

async function runStep(id: string, inputs: Record<string, string>, opts: { cwd: string; env?: Record<string, string | undefined>; actionPath?: string }): Promise<StepRun> {
  const step = action.runs.steps.find((s) => s.id === id || s.name === id);
  if (!step?.run) throw new Error(`action.yml has no run step ${id}`);
  const actionPath = opts.actionPath ?? ROOT;
  const temp = runnerTemp();
  const script = join(temp, 'step.sh');
  writeFileSync(script, step.run);
  const files = { GITHUB_OUTPUT: join(temp, 'output'), GITHUB_STEP_SUMMARY: join(temp, 'summary') };
  writeFileSync(files.GITHUB_OUTPUT, '');
  writeFileSync(files.GITHUB_STEP_SUMMARY, '');
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(v, inputs, actionPath)]));
  const cwd = join(opts.cwd, substitute(step['working-directory'] ?? '.', inputs, actionPath));
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    POSTHOG_PERSONAL_API_KEY: TEST_KEY,
    GITHUB_ACTION_PATH: actionPath,
    RUNNER_TEMP: temp,
    ...files,
    ...stepEnv,
    ...opts.env,
  };
  const r = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env });
  return { ...r, outputs: parseOutputs(readFileSync(files.GITHUB_OUTPUT, 'utf8')), summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') };
}

const temps: string[] = [];
function runnerTemp(): string {
  const dir = tempDir('runner');
  temps.push(dir);
  return dir;
}

let emu: Emulator;
let demo: SeedDoc;

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => {
  await emu.close();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emu.reset(demo));

async function pulled(): Promise<Workspace> {
  const ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2 } } });
  const r = await ws.run(['pull']);
  expect(r.code, r.stderr).toBe(0);
  return ws;
}

const WAU = 'posthog/insights/weekly-active-users.yaml';

describe('the action’s run step against the emulator', () => {
  it('diff: exit 2 passes with the Markdown plan in plan, plan-file and the job summary; in sync gives changes=false', async () => {
    const ws = await pulled();
    const original = ws.read(WAU);
    ws.write(WAU, original.replace('name: Weekly active users', 'name: Weekly active users (v2)'));
    const r = await runStep('run', { command: 'diff' }, { cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ 'exit-code': '2', changes: 'true' });
    expect(r.outputs.plan?.split('\n')[0]).toBe('<!-- hogsync-plan -->');
    expect(r.outputs.plan).toContain('Insight/weekly-active-users');
    expect(readFileSync(r.outputs['plan-file'] ?? '', 'utf8')).toBe(`${r.outputs.plan}\n`);
    expect(r.summary).toBe(`${r.outputs.plan}\n`);

    ws.write(WAU, original);
    const same = await runStep('run', { command: 'diff' }, { cwd: ws.dir });
    expect(same.code).toBe(0);
    expect(same.outputs).toMatchObject({ 'exit-code': '0', changes: 'false' });
    expect(same.outputs.plan).toContain('No changes: the files and PostHog are in sync.');
  });

  it('diff: drift (exit 3) fails the step unless fail-on-drift is false; the plan is written either way', async () => {
    const ws = await pulled();
    const id = emu.project(1)?.insights.find((i) => i.name === 'Feature stickiness')?.id;
    expect((await project(emu).patch(`insights/${id}/`, { description: 'Edited in the UI' })).status).toBe(200);
    const failed = await runStep('run', { command: 'diff', 'working-directory': '.', config: 'hogsync.yaml', environment: 'production' }, { cwd: ws.dir });
    expect(failed.code).toBe(3);
    expect(failed.stdout).toMatch(/::error title=hogsync::hogsync diff found drift or conflicts/);
    expect(failed.outputs).toMatchObject({ 'exit-code': '3', changes: 'true' });
    expect(failed.outputs.plan).toContain('drift');
    const passed = await runStep('run', { command: 'diff', 'fail-on-drift': 'false' }, { cwd: ws.dir });
    expect(passed.code).toBe(0);
    expect(passed.stdout).toMatch(/::warning title=hogsync::/);
    expect(passed.outputs['exit-code']).toBe('3');
  });

  it('push: --yes added, changes=true when something was applied, false when all was unchanged', async () => {
    const ws = await pulled();
    ws.write(WAU, ws.read(WAU).replace('name: Weekly active users', 'name: WAU'));
    const r = await runStep('run', { command: 'push' }, { cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('hogsync push --yes --output json');
    expect(r.outputs).toMatchObject({ 'exit-code': '0', changes: 'true', plan: '', 'plan-file': '' });
    expect(r.summary).toMatch(/### hogsync push `production`: exit 0\n\n\| created \| updated \|[^\n]*\n[^\n]*\n\| 0 \| 1 \|/);
    expect(emu.project(1)?.insights.some((i) => i.name === 'WAU')).toBe(true);
    const again = await runStep('run', { command: 'push' }, { cwd: ws.dir });
    expect(again.outputs).toMatchObject({ 'exit-code': '0', changes: 'false' });
  });

  it('pull with commit: true and quoted args: the commit is made with that message and its hash is an output', async () => {
    const ws = await workspace(emu);
    const r = await runStep('run', { command: 'pull', commit: 'true', args: `-m 'nightly: backup "prod"' --kinds insight-variable` }, { cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ 'exit-code': '0', changes: 'true' });
    expect(r.outputs.commit).toMatch(/^[0-9a-f]{40}$/);
    const log = await ws.git.log({ maxCount: 1 });
    expect(log.latest?.hash).toBe(r.outputs.commit);
    expect(log.latest?.message).toBe('nightly: backup "prod"');
    expect(ws.files('posthog/insight-variables')).toHaveLength(5);
    expect(ws.exists('posthog/insights')).toBe(false);
    const again = await runStep('run', { command: 'pull', commit: 'true', args: '--kinds insight-variable' }, { cwd: ws.dir });
    expect(again.outputs).toMatchObject({ 'exit-code': '0', changes: 'false', commit: '' });
  });

  it('copy: from/to passed, a dry run with changes (exit 2) passes with changes=true', async () => {
    const ws = await pulled();
    const r = await runStep('run', { command: 'copy', from: 'production', to: 'staging', args: '--dry-run --kinds insight-variable' }, { cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ 'exit-code': '2', changes: 'true' });
    expect(r.summary).toContain('### hogsync copy `production → staging`: exit 2');
    expect(emu.project(2)?.insightVariables).toHaveLength(0);
  });

  it('an error (exit 1) fails the step, still with its outputs; bad inputs fail before hogsync runs', async () => {
    const ws = await pulled();
    const noKey = await runStep('run', { command: 'diff' }, { cwd: ws.dir, env: { POSTHOG_PERSONAL_API_KEY: undefined } });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('POSTHOG_PERSONAL_API_KEY');
    expect(noKey.stdout).toContain('::error title=hogsync::hogsync diff failed (exit 1).');
    expect(noKey.outputs).toMatchObject({ 'exit-code': '1', changes: 'false', plan: '', 'plan-file': '' });

    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ command: 'apply' }, /command must be diff, push, pull or copy, not "apply"/],
      [{ command: 'copy', from: 'production' }, /copy needs the inputs from and to/],
      [{ command: 'diff', commit: 'true' }, /commit: true is for command: pull/],
      [{ command: 'diff', 'fail-on-drift': 'maybe' }, /fail-on-drift must be true or false, not "maybe"/],
      [{ command: 'diff', args: "--kinds 'insight" }, /cannot split args/],
    ];
    const results = await Promise.all(bad.map(([inputs]) => runStep('run', inputs, { cwd: ws.dir })));
    results.forEach((r, i) => {
      expect(r.code, JSON.stringify(bad[i]?.[0])).toBe(1);
      expect(r.stdout).toMatch(bad[i]?.[1] ?? /./);
      expect(r.outputs).toEqual({});
    });
  });

  it('set-up steps: node is set up only when missing, too old or asked for; npm ci only when not installed yet', async () => {
    const dir = runnerTemp();
    const current = await runStep('node', {}, { cwd: dir });
    expect(current.outputs.setup).toBe('false');
    const asked = await runStep('node', { 'node-version': '22' }, { cwd: dir });
    expect(asked.outputs.setup).toBe('true');
    // A node 18 on PATH.
    const old = join(dir, 'old-node');
    mkdirSync(old);
    writeFileSync(join(old, 'node'), '#!/bin/sh\necho 18\n');
    chmodSync(join(old, 'node'), 0o755);
    const tooOld = await runStep('node', {}, { cwd: dir, env: { PATH: `${old}:${process.env.PATH}` } });
    expect(tooOld.outputs.setup).toBe('true');

    // npm replaced by a recorder, in a fake action checkout.
    const checkout = join(dir, 'checkout');
    const fakeBin = join(dir, 'bin');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'npm'), `#!/bin/sh\necho "npm $*" >> "${join(dir, 'npm.log')}"\n`);
    chmodSync(join(fakeBin, 'npm'), 0o755);
    mkdirSync(checkout);
    const install = () => runStep('Install hogsync', {}, { cwd: dir, actionPath: checkout, env: { PATH: `${fakeBin}:${process.env.PATH}` } });
    expect((await install()).code).toBe(0);
    expect(readFileSync(join(dir, 'npm.log'), 'utf8')).toBe('npm ci --no-audit --no-fund\n');
    mkdirSync(join(checkout, 'dist', 'cli'), { recursive: true });
    mkdirSync(join(checkout, 'node_modules'));
    writeFileSync(join(checkout, 'dist', 'cli', 'main.js'), '');
    writeFileSync(join(checkout, 'node_modules', '.package-lock.json'), '{}');
    const reused = await install();
    expect(reused.stdout).toContain('already installed');
    expect(readFileSync(join(dir, 'npm.log'), 'utf8')).toBe('npm ci --no-audit --no-fund\n');
  });
});

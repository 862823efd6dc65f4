import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { runAction, runStep, startStep, writeExecutable } from './action-steps.js';

/**
 * What the action hands hogsync for each input, and what it makes of each exit code. The CLI is
 * replaced by a recorder here, because this is about the action's shell: the arguments it builds
 * from its inputs (diff --out, push --plan, restore are the CLI's interface, exercised for real in
 * action-saved-plans.test.ts), the early refusals, and the exit handling. action.test.ts runs the
 * same steps against the real CLI and the emulator.
 */

let checkout = '';
let log = '';
let work = '';

beforeAll(() => {
  checkout = tempDir('action-checkout');
  work = tempDir('action-work');
  log = join(checkout, 'argv.log');
  // The recorder: logs its arguments, writes --out's file, prints and exits as the test says.
  writeExecutable(
    join(checkout, 'bin'),
    'hogsync.js',
    `(function () {
const fs = require('fs');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.RECORD_LOG, JSON.stringify({ args, cwd: process.cwd() }) + '\\n');
if (process.env.RECORD_WAIT) {
  // A long push: says it started, and on SIGTERM records that it could flush, then exits.
  process.on('SIGTERM', () => {
    fs.writeFileSync(process.env.RECORD_WAIT + '.flushed', '');
    process.exit(130);
  });
  fs.writeFileSync(process.env.RECORD_WAIT, '');
  setTimeout(() => undefined, 10000);
  return;
}
const out = args.indexOf('--out');
if (out >= 0 && process.env.RECORD_EXIT !== '1') fs.writeFileSync(args[out + 1], '{"version":1}\\n');
process.stdout.write(process.env.RECORD_STDOUT || '');
process.exitCode = Number(process.env.RECORD_EXIT || 0);
})();
`,
  );
});

/** The action run with the recorder; `calls` are the argument lists hogsync received. */
async function recorded(inputs: Record<string, string>, opts: { exit?: number; stdout?: string; cwd?: string } = {}) {
  writeFileSync(log, '');
  const r = await runAction(inputs, {
    cwd: opts.cwd ?? work,
    actionPath: checkout,
    env: { RECORD_LOG: log, RECORD_EXIT: String(opts.exit ?? 0), RECORD_STDOUT: opts.stdout ?? '' },
  });
  const calls = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { args: string[]; cwd: string });
  return { ...r, calls };
}

const pushDoc = (summary: Record<string, number>) => JSON.stringify({ environment: 'production', summary, results: [] });

describe('diff with plan-out: the plan is saved with --out and its path is the saved-plan output', () => {
  it('the folder is made, the path made absolute, and saved-plan names the file hogsync wrote', async () => {
    const r = await recorded(
      { command: 'diff', 'plan-out': 'plans/production.json', environment: 'production' },
      { exit: 2, stdout: '<!-- hogsync-plan -->\n' },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const file = join(work, 'plans', 'production.json');
    expect(r.calls.map((c) => c.args)).toEqual([['-e', 'production', 'diff', '--output', 'markdown', '--out', file]]);
    expect(r.outputs).toMatchObject({ 'exit-code': '2', changes: 'true', 'saved-plan': file });
    expect(readFileSync(file, 'utf8')).toBe('{"version":1}\n');
  });

  it('a file left by an earlier run is removed first, so a failed diff gives no saved-plan', async () => {
    mkdirSync(join(work, 'old'), { recursive: true });
    writeFileSync(join(work, 'old', 'plan.json'), '{"stale":true}\n');
    const r = await recorded({ command: 'diff', 'plan-out': 'old/plan.json' }, { exit: 1 });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ 'exit-code': '1', 'saved-plan': '' });
    expect(existsSync(join(work, 'old', 'plan.json'))).toBe(false);
  });
});

describe('push with plan, and the exit codes of push', () => {
  it('plan: the saved plan is passed with --plan; a stale plan (exit 3) fails the step, saying so, with hogsync’s reason in the summary', async () => {
    writeFileSync(join(work, 'reviewed.json'), '{"version":1}\n');
    const ok = await recorded({ command: 'push', plan: 'reviewed.json' }, { stdout: pushDoc({ updated: 1 }) });
    expect(ok.code).toBe(0);
    expect(ok.calls[0]?.args).toEqual(['push', '--yes', '--output', 'json', '--plan', 'reviewed.json']);
    expect(ok.outputs).toMatchObject({ 'exit-code': '0', changes: 'true' });

    const reason = 'Insight/weekly-signups changed in PostHog since the plan was saved: plan again.';
    const stale = await recorded(
      { command: 'push', plan: 'reviewed.json' },
      { exit: 3, stdout: JSON.stringify({ error: { code: 'stale_plan', message: reason } }) },
    );
    expect(stale.code).toBe(3);
    expect(stale.stdout).toContain('::error title=hogsync::hogsync push refused the saved plan or left drift or conflicts (exit 3)');
    expect(stale.summary).toContain(`> ${reason}`);
  });

  it('exit 2 from push passes with a warning about prune; from a --dry-run, without one', async () => {
    const left = await recorded({ command: 'push' }, { exit: 2, stdout: pushDoc({ skipped: 1 }) });
    expect(left.code).toBe(0);
    expect(left.stdout).toContain(
      '::warning title=hogsync::hogsync push left planned changes unapplied (exit 2): deletes are applied only with prune: true.',
    );
    const dry = await recorded({ command: 'push', args: '--dry-run' }, { exit: 2, stdout: pushDoc({ create: 1 }) });
    expect(dry.code).toBe(0);
    expect(dry.stdout).not.toContain('::warning');
  });

  it('prune: true adds --prune to push, copy and restore', async () => {
    const push = await recorded({ command: 'push', prune: 'true' });
    const copy = await recorded({ command: 'copy', from: 'production', to: 'staging', prune: 'true' });
    expect(push.calls[0]?.args).toEqual(['push', '--yes', '--output', 'json', '--prune']);
    expect(copy.calls[0]?.args).toEqual(['copy', '--from', 'production', '--to', 'staging', '--yes', '--output', 'json', '--prune']);
  });
});

describe('a cancelled job', () => {
  it('the runner’s SIGINT to the step’s shell reaches hogsync as SIGTERM, so it can flush its state file before the tree is killed', async () => {
    const started = join(tempDir('action-cancel'), 'started');
    const env = { RECORD_LOG: log, RECORD_WAIT: started };
    const inputs = await runStep('inputs', { command: 'push' }, { cwd: work, actionPath: checkout, env });
    const step = startStep('run', { command: 'push' }, { cwd: work, actionPath: checkout, env, steps: { inputs: inputs.outputs } });
    for (let i = 0; i < 200 && !existsSync(started); i++) await sleep(25);
    expect(existsSync(started), 'hogsync started').toBe(true);
    step.child.kill('SIGINT');
    const r = await step.done;
    expect(existsSync(`${started}.flushed`)).toBe(true);
    expect(r.outputs['exit-code']).toBe('130');
    expect(r.code).toBe(1);
  });
});

describe('restore', () => {
  it('restores rev with --yes, selectors and options from args', async () => {
    const r = await recorded(
      { command: 'restore', rev: 'HEAD~3', environment: 'staging', prune: 'true', args: 'posthog/insights/weekly-signups.yaml --dry-run' },
      { exit: 2 },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.calls[0]?.args).toEqual([
      '-e',
      'staging',
      'restore',
      'HEAD~3',
      '--yes',
      '--output',
      'json',
      '--prune',
      'posthog/insights/weekly-signups.yaml',
      '--dry-run',
    ]);
    expect(r.stdout).not.toContain('::warning');
  });
});

describe('bad inputs fail before hogsync runs (and before anything is installed)', () => {
  it.each<[Record<string, string>, RegExp]>([
    [{ command: 'apply' }, /command must be diff, push, pull, copy or restore, not "apply"/],
    [{ command: 'copy', from: 'production' }, /copy needs the inputs from and to/],
    [{ command: 'diff', commit: 'true' }, /commit: true is for command: pull, not diff/],
    [{ command: 'diff', 'fail-on-drift': 'maybe' }, /fail-on-drift must be true or false, not "maybe"/],
    [{ command: 'push', prune: 'yes' }, /prune must be true or false, not "yes"/],
    [{ command: 'diff', prune: 'true' }, /prune: true is for command: push, copy, restore, not diff/],
    [{ command: 'diff', plan: 'plan.json' }, /plan is for command: push, not diff/],
    [
      { command: 'push', plan: 'nowhere/plan.json' },
      /plan: no file at nowhere\/plan\.json \(in .+\)\. Give the path a diff step saved with plan-out/,
    ],
    [{ command: 'push', 'plan-out': 'plan.json' }, /plan-out is for command: diff, not push/],
    [{ command: 'restore' }, /restore needs the input rev/],
    [{ command: 'restore', rev: '--force' }, /rev must be a git revision, not an option: "--force"/],
    [{ command: 'push', rev: 'main' }, /rev is for command: restore, not push/],
    [{ command: 'diff', args: "--kinds 'insight" }, /cannot split args/],
    [{ command: 'diff', args: '--kinds insight --output json' }, /args must not set --output: the action chooses it for diff/],
    [{ command: 'push', args: '--output=text' }, /args must not set --output/],
  ])('%j', async (inputs, message) => {
    const r = await recorded(inputs);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`::error title=hogsync::${message.source}`));
    expect(r.calls).toEqual([]);
    expect(r.outputs).toEqual({});
  });
});

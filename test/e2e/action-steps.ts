import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { tracked } from '../helpers/children.js';
import { ROOT, TEST_KEY, type CliResult } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

/**
 * action.yml's shell steps run as a runner runs them: `bash --noprofile --norc -eo pipefail`, with
 * the step's env and working-directory, and `${{ inputs.x }}`, `${{ steps.id.outputs.x }}` and
 * `${{ github.action_path }}` substituted. Shared by the action's test files.
 */

export interface Step {
  id?: string;
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  shell?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface ActionDoc {
  inputs: Record<string, { required?: boolean; default?: string; description: string }>;
  outputs: Record<string, { value: string; description: string }>;
  runs: { using: string; steps: Step[] };
}

export interface Job {
  if?: string;
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; 'max-parallel'?: number; matrix?: Record<string, unknown> };
  steps: Step[];
}
export interface Workflow {
  text: string;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

export const EXAMPLES = join(ROOT, 'examples', 'workflows');

/** An example workflow, parsed, with its text. */
export function workflow(file: string): Workflow {
  const text = readFileSync(join(EXAMPLES, file), 'utf8');
  return { ...(parse(text) as Omit<Workflow, 'text'>), text };
}

export const ACTION = join(ROOT, 'action.yml');
export const action = parse(readFileSync(ACTION, 'utf8')) as ActionDoc;

export interface StepRun extends CliResult {
  outputs: Record<string, string>;
  summary: string;
}

/** Outputs of earlier steps, by step id, for `${{ steps.<id>.outputs.<name> }}`. */
type StepOutputs = Record<string, Record<string, string>>;

export interface StepOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** The action's checkout (GITHUB_ACTION_PATH); this repository by default. */
  actionPath?: string;
  steps?: StepOutputs;
}

function substitute(value: string, inputs: Record<string, string>, opts: StepOptions, actionPath: string): string {
  return value.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => {
    if (e === 'github.action_path') return actionPath;
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e);
    if (output) return opts.steps?.[output[1] ?? '']?.[output[2] ?? ''] ?? '';
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

/** Runs a bash script as a runner runs a `run:` step, with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. */
export function runScript(script: string, opts: { cwd: string; env: Record<string, string | undefined> }): Promise<StepRun> {
  return startScript(script, opts).done;
}

/** runScript, with the bash process at hand (to signal it as a cancelled job's runner does). */
export function startScript(
  script: string,
  opts: { cwd: string; env: Record<string, string | undefined> },
): { child: ChildProcess; done: Promise<StepRun> } {
  const temp = tempDir('runner');
  const file = join(temp, 'step.sh');
  writeFileSync(file, script);
  const files = { GITHUB_OUTPUT: join(temp, 'output'), GITHUB_STEP_SUMMARY: join(temp, 'summary') };
  writeFileSync(files.GITHUB_OUTPUT, '');
  writeFileSync(files.GITHUB_STEP_SUMMARY, '');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', RUNNER_TEMP: temp, ...files, ...opts.env };
  const child = tracked(
    spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const done = new Promise<StepRun>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const outputs = parseOutputs(readFileSync(files.GITHUB_OUTPUT, 'utf8'));
      resolve({ code: code ?? -1, stdout, stderr, outputs, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') });
    });
  });
  return { child, done };
}

/** Runs one `run:` step of action.yml, found by id or name. */
export function runStep(id: string, inputs: Record<string, string>, opts: StepOptions): Promise<StepRun> {
  return startStep(id, inputs, opts).done;
}

/** runStep, with the bash process at hand. */
export function startStep(id: string, inputs: Record<string, string>, opts: StepOptions): ReturnType<typeof startScript> {
  const step = action.runs.steps.find((s) => s.id === id || s.name === id);
  if (!step?.run) throw new Error(`action.yml has no run step ${id}`);
  const actionPath = opts.actionPath ?? ROOT;
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(v, inputs, opts, actionPath)]));
  const cwd = join(opts.cwd, substitute(step['working-directory'] ?? '.', inputs, opts, actionPath));
  return startScript(step.run, {
    cwd,
    env: { POSTHOG_PERSONAL_API_KEY: TEST_KEY, GITHUB_ACTION_PATH: actionPath, ...stepEnv, ...opts.env },
  });
}

/**
 * The action as a job sees it once hogsync is installed: the inputs checked, then hogsync run.
 * Its outputs are the run step's, empty when the inputs were refused (the run step never ran).
 */
export async function runAction(inputs: Record<string, string>, opts: StepOptions): Promise<StepRun> {
  const checked = await runStep('inputs', inputs, opts);
  if (checked.code !== 0) return { ...checked, outputs: {} };
  const ran = await runStep('run', inputs, { ...opts, steps: { ...opts.steps, inputs: checked.outputs } });
  return { ...ran, stdout: checked.stdout + ran.stdout, stderr: checked.stderr + ran.stderr };
}

/** An executable script in `dir`, for a program a test replaces (npm, gh, or the CLI itself). */
export function writeExecutable(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

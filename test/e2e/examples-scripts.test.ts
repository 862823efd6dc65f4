import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';
import { runAction, runScript, workflow, writeExecutable, type Step } from './action-steps.js';

/**
 * The example workflows' own steps, run for real: their scripts in bash as a runner would, and
 * their hogsync steps through the action against the emulator. `gh` (GitHub's API) is the one
 * program replaced, by a script answering from canned API documents through the real jq.
 */

function exampleStep(file: string, name: string): Step {
  const found = Object.values(workflow(file).jobs)
    .flatMap((j) => j.steps)
    .find((s) => s.name === name || s.id === name);
  if (!found) throw new Error(`${file} has no step ${name}`);
  return found;
}

/** A step's `with:` or `env:` as GitHub passes them (strings), its `${{ }}` given by the test: each one must be. */
function evaluate(values: Record<string, string | boolean | number>, given: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [
      k,
      String(v).replace(/\$\{\{ (.+?) \}\}/g, (_, expr: string) => {
        if (!(expr in given)) throw new Error(`the test gives no value for \${{ ${expr} }} (${k})`);
        return given[expr] ?? '';
      }),
    ]),
  );
}

/** Runs an example's `run:` step; `expressions` are the values of the `${{ }}` in its env. */
function runExampleStep(
  file: string,
  name: string,
  opts: { cwd: string; expressions?: Record<string, string>; env?: Record<string, string> },
) {
  const s = exampleStep(file, name);
  return runScript(s.run ?? '', { cwd: opts.cwd, env: { ...evaluate(s.env ?? {}, opts.expressions ?? {}), ...opts.env } });
}

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset(demo));

const WAU = 'posthog/insights/weekly-active-users.yaml';

describe('promote-staging-to-production.yml: one comment, one section per environment', () => {
  const compose = (env: Record<string, string>) =>
    runExampleStep('promote-staging-to-production.yml', 'Write the comment', {
      cwd: tempDir('promote'),
      expressions: {
        'steps.staging.outputs.plan-file': env.STAGING_PLAN ?? '',
        'steps.production.outputs.plan-file': env.PRODUCTION_PLAN ?? '',
        'github.server_url': 'https://github.com',
        'github.repository': 'acme/config',
        'github.run_id': '7',
      },
    });

  it('two real plans (what the action’s plan-file holds: diff --output markdown), under one marker, each with its own heading', async () => {
    const ws = await workspace(emu, {
      environments: {
        production: { project: 1 },
        staging: { project: 2, extra: 'refs:\n  actions:\n    "1": 11\n  integrations:\n    "4821": 5120' },
      },
    });
    expect((await ws.run(['pull'])).code).toBe(0);
    ws.write(WAU, ws.read(WAU).replace('name: Weekly active users', 'name: Weekly active users (v2)'));
    const plans = tempDir('promote-plans');
    for (const env of ['staging', 'production']) {
      const diff = await ws.run(['-e', env, 'diff', '--output', 'markdown']);
      expect(diff.code, diff.stderr).toBe(2);
      writeFileSync(join(plans, `${env}.md`), diff.stdout);
    }

    const r = await compose({ STAGING_PLAN: join(plans, 'staging.md'), PRODUCTION_PLAN: join(plans, 'production.md') });
    expect(r.code, r.stderr).toBe(0);
    const body = readFileSync(r.outputs.body ?? '', 'utf8');
    expect(body.split('\n')[0]).toBe('<!-- hogsync-promotion -->');
    expect(body).not.toContain('<!-- hogsync-plan -->');
    const staged = body.indexOf('### hogsync plan for `staging`');
    const produced = body.indexOf('### hogsync plan for `production`');
    expect(staged).toBeGreaterThan(0);
    expect(produced).toBeGreaterThan(staged);
    expect(body.slice(produced)).toContain('Insight/weekly-active-users');
  });

  it('a plan too long to share the comment keeps its counts and points to the run; a failed diff says so', async () => {
    const dir = tempDir('promote-plans');
    const long = join(dir, 'long.md');
    const details = Array.from(
      { length: 200 },
      (_, i) => `<details>\n<summary>change ${i}</summary>\n\n${'x'.repeat(200)}\n</details>`,
    ).join('\n');
    writeFileSync(long, `<!-- hogsync-plan -->\n### hogsync plan for \`production\`\n\n| create |\n| ---: |\n| 200 |\n\n${details}\n`);
    const r = await compose({ STAGING_PLAN: '', PRODUCTION_PLAN: long });
    const body = readFileSync(r.outputs.body ?? '', 'utf8');
    expect(body).toContain(
      '### hogsync plan for `staging`\n\nNo plan: the diff failed, see the [run](https://github.com/acme/config/actions/runs/7).',
    );
    expect(body).toContain('| 200 |');
    expect(body).not.toContain('<details>');
    expect(body).toContain(
      '> The changes are too long to share one comment: they are in the [run summary](https://github.com/acme/config/actions/runs/7).',
    );
    expect(body.length).toBeLessThan(2_000);
  });
});

describe('apply-on-merge.yml: the reviewed plan is found, or a fresh plan is pushed with a notice saying why', () => {
  const SHA = '1111111111111111111111111111111111111111';
  const HEAD = 'abcdefabcdefabcdefabcdefabcdefabcdefabcd';
  const REPO = 'acme/config';
  const merged = [{ number: 7, merged_at: '2025-01-01T00:00:00Z', head: { sha: HEAD } }];
  const runs = {
    workflow_runs: [
      { id: 99, head_repository: { full_name: 'mallory/config' } },
      { id: 42, head_repository: { full_name: REPO } },
    ],
  };

  /** `gh`, answering from canned documents in a folder (missing: an HTTP error), through the real jq. */
  function fakeGh(docs: { pulls?: unknown; runs?: unknown; artifact?: { run: number; name: string } }) {
    const dir = tempDir('gh');
    if (docs.pulls) writeFileSync(join(dir, 'pulls.json'), JSON.stringify(docs.pulls));
    if (docs.runs) writeFileSync(join(dir, 'runs.json'), JSON.stringify(docs.runs));
    if (docs.artifact) {
      mkdirSync(join(dir, 'artifacts', String(docs.artifact.run), docs.artifact.name), { recursive: true });
      writeFileSync(join(dir, 'artifacts', String(docs.artifact.run), docs.artifact.name, 'plan.json'), '{"reviewed":true}\n');
    }
    writeExecutable(
      join(dir, 'bin'),
      'gh',
      `#!/bin/bash
echo "gh $*" >> "${dir}/calls"
if [ "$1" = api ]; then
  case "$2" in */pulls) doc=pulls.json ;; */runs\\?*) doc=runs.json ;; *) exit 2 ;; esac
  [ "$3" = --jq ] || exit 2
  [ -f "${dir}/$doc" ] || { echo "gh: Not Found (HTTP 404)" >&2; exit 1; }
  exec jq -r "$4" "${dir}/$doc"
fi
if [ "$1 $2" = "run download" ]; then
  [ "$4 $6 $8" = "--repo --name --dir" ] || exit 2
  src="${dir}/artifacts/$3/$7"
  [ -d "$src" ] || { echo "no artifact matches any of the names or patterns provided" >&2; exit 1; }
  mkdir -p "$9" && cp -R "$src/." "$9/"
  exit 0
fi
exit 2
`,
    );
    return {
      env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}` },
      calls: () => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8') : ''),
    };
  }

  const lookup = (gh: ReturnType<typeof fakeGh>, event = 'push') =>
    runExampleStep('apply-on-merge.yml', 'Find the plan reviewed on the pull request', {
      cwd: tempDir('apply'),
      expressions: { 'github.token': 'ghs_not_a_real_token' },
      env: { ...gh.env, GITHUB_EVENT_NAME: event, GITHUB_SHA: SHA, GITHUB_REPOSITORY: REPO },
    });

  it('found: the plan of the pull request merged as this commit, from a run on this repository (not a fork’s)', async () => {
    const gh = fakeGh({ pulls: merged, runs, artifact: { run: 42, name: `hogsync-plan-production-${HEAD}` } });
    const r = await lookup(gh);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`Applying the plan reviewed on pull request #7 (head ${HEAD.slice(0, 12)}), saved by run 42.`);
    expect(readFileSync(r.outputs.path ?? '', 'utf8')).toBe('{"reviewed":true}\n');
    expect(gh.calls()).toContain(
      `gh api repos/${REPO}/actions/workflows/plan-on-pr.yml/runs?head_sha=${HEAD}&event=pull_request&status=completed`,
    );
    expect(gh.calls()).toContain(`gh run download 42 --repo ${REPO} --name hogsync-plan-production-${HEAD}`);
  });

  it.each<[string, Parameters<typeof fakeGh>[0], string, RegExp]>([
    ['a run started by hand', { pulls: merged }, 'workflow_dispatch', /this run was started by workflow_dispatch, not by a merge\./],
    ['a direct push', { pulls: [] }, 'push', /111111111111 is not the merge of a pull request\./],
    [
      'an unmerged pull request only',
      { pulls: [{ ...merged[0], merged_at: null }] },
      'push',
      /111111111111 is not the merge of a pull request\./,
    ],
    ['GitHub’s API failing', {}, 'push', /the pull request of 111111111111 could not be looked up\./],
    [
      'plan runs from a fork only',
      { pulls: merged, runs: { workflow_runs: [runs.workflow_runs[0]] } },
      'push',
      /no plan-on-pr\.yml run of pull request #7 at abcdefabcdef\./,
    ],
    [
      'an expired artifact',
      { pulls: merged, runs },
      'push',
      /run 42 of plan-on-pr\.yml kept no artifact hogsync-plan-production-abcdef\w+ \(it expired, or that diff failed\)\./,
    ],
  ])('%s: a fresh plan, with a notice', async (_, docs, event, why) => {
    const r = await lookup(fakeGh(docs), event);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`::notice title=hogsync::No reviewed plan to apply: ${why.source} Pushing a fresh plan of 111111111111 instead\\.`),
    );
    expect(r.outputs.path).toBeUndefined();
  });
});

describe('the examples’ hogsync steps and commits, run through the action against the emulator', () => {
  it('nightly-backup.yml: -m sets the subject, the per-resource summary is in the body', async () => {
    const ws = await workspace(emu);
    const s = exampleStep('nightly-backup.yml', 'pull');
    const r = await runAction(evaluate(s.with ?? {}, {}), { cwd: ws.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const log = await ws.git.log({ maxCount: 1 });
    expect(log.latest?.hash).toBe(r.outputs.commit);
    expect(log.latest?.message).toBe('hogsync: nightly backup of production');
    expect(log.latest?.body).toMatch(/^hogsync pull production: \d+ added, 0 changed, 0 removed\n/);
    expect(log.latest?.body).toContain('  + Insight/weekly-active-users');
  });

  it('apply-on-merge.yml: a fresh push, then the state file committed and pushed to main only when it changed', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const origin = tempDir('origin');
    await simpleGit({ baseDir: origin }).init(true, ['--initial-branch=main']);
    await ws.git.addRemote('origin', origin);
    await ws.git.push('origin', 'HEAD:main');
    ws.write(
      'posthog/insights/new-one.yaml',
      'apiVersion: hogsync/v1\nkind: Insight\nkey: new-one\nspec:\n  name: New one\n  query:\n    kind: DataTableNode\n    source:\n      kind: EventsQuery\n      select: ["*"]\n',
    );
    await ws.git.add('.');
    await ws.git.commit('add new-one');
    await ws.git.push('origin', 'HEAD:main');

    const s = exampleStep('apply-on-merge.yml', 'hogsync push');
    const push = await runAction(evaluate(s.with ?? {}, { 'steps.reviewed.outputs.path': '' }), { cwd: ws.dir });
    expect(push.outputs['exit-code'], push.stdout + push.stderr).toBe('0');
    const env = { GITHUB_SHA: (await ws.git.revparse(['HEAD'])).trim(), GITHUB_REF_NAME: 'main' };
    const committed = await runExampleStep('apply-on-merge.yml', 'Commit the state file', { cwd: ws.dir, env });
    expect(committed.code, committed.stdout + committed.stderr).toBe(0);
    const remote = await simpleGit({ baseDir: origin }).log({ maxCount: 1 });
    expect(remote.latest?.message).toBe(`hogsync: state after applying ${env.GITHUB_SHA.slice(0, 12)} to production`);
    expect(remote.latest?.author_name).toBe('github-actions[bot]');
    const again = await runExampleStep('apply-on-merge.yml', 'Commit the state file', { cwd: ws.dir, env });
    expect(again.stdout).toContain('The state file did not change.');
    expect((await simpleGit({ baseDir: origin }).log({ maxCount: 1 })).latest?.hash).toBe(remote.latest?.hash);
  });
});

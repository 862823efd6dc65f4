import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, workflow, type Job, type Step, type Workflow } from './action-steps.js';

/**
 * Our own rules for the example workflows (GitHub's schemas are checked in action.test.ts, the
 * scripts they run in examples-scripts.test.ts): what a copied workflow must get right.
 */

const files = readdirSync(EXAMPLES)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

const HOGSYNC = 'your-org/hogsync@v1';
const isHogsync = (s: Step) => s.uses === HOGSYNC;
const allSteps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const step = (w: Workflow, name: string) => allSteps(w).find((s) => s.name === name || s.id === name);

describe.each(files)('%s', (file) => {
  const w = workflow(file);

  it('well-known actions pinned to a major version, this action as your-org/hogsync@v1, minimal permissions', () => {
    const allowed =
      /^actions\/(checkout|setup-node|upload-artifact|download-artifact)@v\d+$|^(peter-evans\/find-comment|peter-evans\/create-or-update-comment|marocchino\/sticky-pull-request-comment)@v\d+$/;
    expect(w.permissions, 'a top-level permissions block').toBeDefined();
    const grants = [w.permissions ?? {}, ...Object.values(w.jobs).map((j) => j.permissions ?? {})].flatMap((p) => Object.values(p));
    expect(grants.every((p) => p === 'read' || p === 'write')).toBe(true);
    const uses = allSteps(w)
      .map((s) => s.uses)
      .filter((u): u is string => !!u);
    expect(uses).toContain(HOGSYNC);
    for (const u of uses) if (u !== HOGSYNC) expect(u).toMatch(allowed);
    expect(w.text, 'says to replace the owner').toMatch(/replace your-org/);
  });

  it('secrets reach hogsync through env, never with:, and no ${{ }} is pasted into a script', () => {
    for (const s of allSteps(w).filter(isHogsync)) {
      expect(JSON.stringify(s.with ?? {}), s.name).not.toMatch(/secrets\./);
      expect(
        Object.values(s.env ?? {}).some((v) => /^\$\{\{ secrets\.\w+ \}\}$/.test(v)),
        `${s.name}: a key from secrets`,
      ).toBe(true);
    }
    for (const s of allSteps(w)) if (s.run) expect(s.run, s.name).not.toContain('${{');
  });
});

/** Workflows that push, copy or restore: they write PostHog, and so the state file. */
const writers = files.filter((f) =>
  allSteps(workflow(f)).some((s) => isHogsync(s) && ['push', 'copy', 'restore'].includes(s.with?.command ?? '')),
);

describe('the state file is committed (or kept) after every run that wrote, cancelled ones included, and only when it changed', () => {
  it('these examples write', () => {
    expect(writers).toEqual([
      'apply-on-merge.yml',
      'apply-to-all-projects.yml',
      'copy-to-staging.yml',
      'promote-staging-to-production.yml',
    ]);
  });

  it.each(writers)('%s', (file) => {
    const w = workflow(file);
    const keeping = Object.values(w.jobs).flatMap((j) =>
      j.steps
        .filter(
          (s) =>
            s.run?.includes('git add .hogsync/state') ||
            (s.uses?.startsWith('actions/upload-artifact@') && s.with?.path?.startsWith('.hogsync/state')),
        )
        .map((s) => ({ s, job: j })),
    );
    expect(keeping.length, 'a step commits or keeps the state file').toBeGreaterThan(0);
    for (const { s, job } of keeping) {
      // !cancelled() would skip exactly the cancelled runs, whose creations the state file holds.
      const condition = s.if ?? job.if ?? '';
      expect(condition, s.name).toMatch(/^\$\{\{ always\(\) && /);
      expect(condition, s.name).not.toContain('cancelled()');
      if (s.run) expect(s.run, s.name).toContain('git diff --cached --quiet');
    }
  });
});

describe('plan on the pull request, apply that plan on merge', () => {
  const plan = workflow('plan-on-pr.yml');
  const apply = workflow('apply-on-merge.yml');

  it('plan-on-pr.yml saves the plan with plan-out and uploads it named for the environment and the head commit', () => {
    const diff = step(plan, 'hogsync diff');
    expect(diff?.with).toMatchObject({
      command: 'diff',
      environment: 'production',
      'plan-out': expect.stringContaining('${{ runner.temp }}'),
    });
    const upload = allSteps(plan).find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with).toMatchObject({
      name: 'hogsync-plan-production-${{ github.event.pull_request.head.sha }}',
      path: `\${{ steps.${diff?.id}.outputs.saved-plan }}`,
    });
    expect(upload?.if).toContain(`steps.${diff?.id}.outputs.saved-plan != ''`);
  });

  it('apply-on-merge.yml looks that artifact up in that workflow, and pushes it with plan (empty: a fresh plan)', () => {
    const find = step(apply, 'Find the plan reviewed on the pull request');
    expect(find?.env).toMatchObject({ PLAN_WORKFLOW: 'plan-on-pr.yml', ENVIRONMENT: 'production', GH_TOKEN: '${{ github.token }}' });
    expect(find?.run).toContain('name="hogsync-plan-$ENVIRONMENT-$head"');
    const push = step(apply, 'hogsync push');
    expect(push?.with).toMatchObject({ command: 'push', environment: 'production', plan: `\${{ steps.${find?.id}.outputs.path }}` });
    expect(apply.permissions).toMatchObject({ contents: 'write', actions: 'read', 'pull-requests': 'read' });
    expect(step(apply, 'Commit the state file')?.if).toBe("${{ always() && steps.apply.outcome != 'skipped' }}");
    expect(apply.text).toMatch(/hogsync writes as it goes and flushes on the SIGTERM a cancel sends/);
  });
});

describe('promote-staging-to-production.yml', () => {
  const w = workflow('promote-staging-to-production.yml');
  const job = (name: string) => w.jobs[name] as Job;

  it('on a pull request: both environments planned, one comment with a section each', () => {
    const diffs = job('plan').steps.filter(isHogsync);
    expect(diffs.map((s) => [s.with?.command, s.with?.environment])).toEqual([
      ['diff', 'staging'],
      ['diff', 'production'],
    ]);
    expect(job('plan').steps.filter((s) => s.uses?.startsWith('peter-evans/create-or-update-comment@'))).toHaveLength(1);
    expect(step(w, 'Write the comment')?.env).toMatchObject({
      STAGING_PLAN: '${{ steps.staging.outputs.plan-file }}',
      PRODUCTION_PLAN: '${{ steps.production.outputs.plan-file }}',
    });
  });

  it('on merge: staging, then a production plan, then that plan applied after the production environment’s approval', () => {
    expect(job('staging').steps.find(isHogsync)?.with).toMatchObject({ command: 'push', environment: 'staging' });
    expect(job('plan-production').needs).toBe('staging');
    expect(job('production').needs).toBe('plan-production');
    expect(job('production').environment).toBe('production');
    const upload = job('plan-production').steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    const download = job('production').steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with?.name).toBe(upload?.with?.name);
    const planned = job('plan-production').steps.find(isHogsync)?.with?.['plan-out'] ?? '';
    expect(planned.startsWith(download?.with?.path ?? '-')).toBe(true);
    expect(job('production').steps.find(isHogsync)?.with).toMatchObject({ command: 'push', environment: 'production', plan: planned });
  });
});

describe('apply-to-all-projects.yml', () => {
  const w = workflow('apply-to-all-projects.yml');

  it('one job per environment of hogsync.yaml, a few at a time, each project’s state file kept and committed once', () => {
    const apply = w.jobs.apply as Job;
    expect(apply.strategy?.matrix?.environment).toBe('${{ fromJSON(needs.environments.outputs.list) }}');
    expect(apply.strategy?.['fail-fast']).toBe(false);
    const parallel = apply.strategy?.['max-parallel'] ?? 0;
    expect(parallel).toBeGreaterThan(1);
    expect(apply.steps.find(isHogsync)?.with).toMatchObject({ command: 'push', environment: '${{ matrix.environment }}' });
    expect(w.jobs['commit-state']?.if).toContain('always()');
    // The shared key's budget, split between the parallel jobs.
    expect(w.text).toContain(`share: ${1 / parallel}`);
    expect(w.text).toMatch(/Jobs sharing one API key share its rate-limit budget/);
  });
});

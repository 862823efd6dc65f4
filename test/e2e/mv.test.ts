import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * hogsync mv: a key renamed with its file, the references to it and its binding in every
 * environment, offline; afterwards diff has nothing to do and push sends nothing.
 */

let emu: Emulator;
let demo: SeedDoc;

const VARIABLE = 'posthog/insight-variables/country.yaml';
const SQL = 'posthog/insights/active-users-by-country-sql.yaml';
const SECRET_ENV = { HOGSYNC_SECRET_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER: 'Bearer fake-staging-token' };

/** The demo project; staging has the same action id, so that one set of files fits both. */
function seed(): SeedDoc {
  const doc = structuredClone(demo);
  const staging = doc.projects.find((p) => p.id === 2);
  if (staging) staging.actions = [{ id: 1, name: 'Signed up' }];
  return doc;
}

const ENVIRONMENTS = {
  production: { project: 1 },
  staging: { project: 2, extra: 'refs:\n  actions:\n    "1": 1\n  integrations:\n    "4821": 4821' },
};

/** Production pulled and committed, then copied to staging: both state files bind every key. */
async function twoSyncedEnvironments(): Promise<Workspace> {
  emu.reset(seed());
  const ws = await workspace(emu, { environments: ENVIRONMENTS });
  const pull = await ws.run(['pull', '--commit']);
  expect(pull.code, pull.stderr).toBe(0);
  const copy = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], SECRET_ENV);
  expect(copy.code, copy.stdout + copy.stderr).toBe(0);
  const diff = await ws.run(['diff', '-e', 'staging']);
  expect(diff.code, `staging starts in sync with the files: ${diff.stdout}`).toBe(0);
  return ws;
}

/** Requests that change something: a create, an update, a (soft) delete. */
function writes(): string[] {
  return emu
    .requests()
    .filter((q) => q.method !== 'GET')
    .map((q) => `${q.method} ${q.path}`);
}

let synced: Workspace;

/**
 * The files and state files of `synced` in a workspace of their own, for tests that never
 * talk to PostHog (mv is offline): the emulator may have moved on since.
 */
async function offlineCopy(): Promise<Workspace> {
  const ws = await workspace(emu, { environments: ENVIRONMENTS, git: false });
  for (const folder of ['posthog', '.hogsync']) cpSync(join(synced.dir, folder), join(ws.dir, folder), { recursive: true });
  return ws;
}

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: seed() });
  synced = await twoSyncedEnvironments();
});
afterAll(async () => emu.close());

describe('mv', () => {
  it('moves an insight: its file byte for byte with its comments, both environments’ bindings; then diff is clean, push sends nothing, and a later edit is an update, not a conflict', async () => {
    const ws = await twoSyncedEnvironments();
    const FILE = 'posthog/insights/weekly-active-users.yaml';
    ws.write(
      FILE,
      ws
        .read(FILE)
        .replace('key: weekly-active-users\n', 'key: weekly-active-users   # on the team dashboard\n')
        .replace('spec:\n', '# owned by growth\nspec:\n'),
    );
    const before = ws.read(FILE);
    const ids = {
      production: ws.state('production').resources['Insight/weekly-active-users']?.id,
      staging: ws.state('staging').resources['Insight/weekly-active-users']?.id,
    };
    expect(ids.staging).not.toBe(ids.production);

    emu.clearRequests();
    const mv = await ws.run(['mv', 'insight/weekly-active-users', 'wau']);
    expect(mv.code, mv.stderr).toBe(0);
    expect(emu.requests(), 'mv works offline').toEqual([]);
    expect(mv.stdout).toContain('posthog/insights/weekly-active-users.yaml → posthog/insights/wau.yaml');
    expect(ws.exists(FILE)).toBe(false);
    expect(ws.read('posthog/insights/wau.yaml')).toBe(before.replace('key: weekly-active-users   #', 'key: wau   #'));
    for (const env of ['production', 'staging'] as const) {
      const resources = ws.state(env).resources;
      expect(resources['Insight/weekly-active-users'], env).toBeUndefined();
      expect(resources['Insight/wau']?.id, env).toBe(ids[env]);
    }
    for (const env of ['production', 'staging']) {
      const diff = await ws.run(['diff', '-e', env, '--output', 'json']);
      expect(diff.code, `${env}: ${diff.stdout}${diff.stderr}`).toBe(0);
    }

    ws.write('posthog/insights/wau.yaml', ws.read('posthog/insights/wau.yaml').replace(/name: .*/, 'name: WAU'));
    for (const env of ['production', 'staging']) {
      const diff = await ws.run(['diff', '-e', env, '--output', 'json']);
      expect(diff.code, `${env}: ${diff.stdout}${diff.stderr}`).toBe(2);
      expect(
        (JSON.parse(diff.stdout).changes as Array<{ key: string; action: string }>)
          .filter((c) => c.action !== 'unmanaged')
          .map((c) => `${c.action} ${c.key}`),
      ).toEqual(['update wau']);
    }
    emu.clearRequests();
    for (const env of ['production', 'staging']) {
      const push = await ws.run(['push', '-e', env, '--yes', '--prune'], SECRET_ENV);
      expect(push.code, push.stdout + push.stderr).toBe(0);
    }
    expect(writes(), 'one update per environment: no create, no delete').toEqual([
      `PATCH /api/projects/1/insights/${ids.production}/`,
      `PATCH /api/projects/2/insights/${ids.staging}/`,
    ]);
  });

  it('moves a dashboard: the insights that name it follow, with their recorded bases in both environments; then diff is clean and push sends nothing', async () => {
    const ws = await twoSyncedEnvironments();
    const mv = await ws.run(['mv', 'dashboard/growth', 'growth-board', '--output', 'json']);
    expect(mv.code, mv.stderr).toBe(0);
    const moved = JSON.parse(mv.stdout) as {
      references: Array<{ file: string; paths: string[] }>;
      environments: Array<{ rebased: string[] }>;
    };
    expect(moved.references.map((r) => r.file).sort()).toEqual(
      ['daily-signups-action', 'signup-funnel', 'upgrade-conversion-rate', 'weekly-retention'].map((k) => `posthog/insights/${k}.yaml`),
    );
    expect(moved.environments.map((e) => e.rebased.length)).toEqual([4, 4]);
    expect(ws.read('posthog/insights/signup-funnel.yaml')).toContain('dashboards:\n    - growth-board\n');
    emu.clearRequests();
    for (const env of ['production', 'staging']) {
      const diff = await ws.run(['diff', '-e', env]);
      expect(diff.code, `${env}: ${diff.stdout}${diff.stderr}`).toBe(0);
      expect((await ws.run(['push', '-e', env, '--yes'], SECRET_ENV)).code).toBe(0);
    }
    expect(writes()).toEqual([]);
  });

  it('refuses to move a variable: its key is its code_name, which PostHog fixed at create and SQL insights use as {variables.country}', async () => {
    const ws = await offlineCopy();
    const before = [ws.read(VARIABLE), ws.read(SQL), ws.read('.hogsync/state/production.json'), ws.read('.hogsync/state/staging.json')];
    const r = await ws.run(['mv', 'insight-variable/country', 'region']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^.*insight-variable\/country cannot move: its key is its code_name, which PostHog fixes when it is created and other resources use by name\. Change spec\.name to rename it; for another code_name, add a new file, point its users at it and remove this one\.\n$/,
    );
    expect([ws.read(VARIABLE), ws.read(SQL), ws.read('.hogsync/state/production.json'), ws.read('.hogsync/state/staging.json')]).toEqual(
      before,
    );
    expect(ws.exists('posthog/insight-variables/region.yaml')).toBe(false);
  });

  it('--dry-run changes nothing; a move of an insight then leaves diff clean, with no create and no delete', async () => {
    const ws = await twoSyncedEnvironments();
    const before = {
      file: ws.read('posthog/insights/weekly-active-users.yaml'),
      production: ws.read('.hogsync/state/production.json'),
      staging: ws.read('.hogsync/state/staging.json'),
    };
    const dry = await ws.run(['mv', 'posthog/insights/weekly-active-users.yaml', 'wau', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^Would move Insight\/weekly-active-users to wau:/);
    expect(dry.stdout).toMatch(/production \(\.hogsync\/state\/production\.json\): binding of id \d+ moved/);
    expect(ws.exists('posthog/insights/wau.yaml')).toBe(false);
    expect({
      file: ws.read('posthog/insights/weekly-active-users.yaml'),
      production: ws.read('.hogsync/state/production.json'),
      staging: ws.read('.hogsync/state/staging.json'),
    }).toEqual(before);

    const mv = await ws.run(['mv', 'insight/weekly-active-users', 'wau']);
    expect(mv.code, mv.stderr).toBe(0);
    expect(ws.read('posthog/insights/wau.yaml')).toBe(before.file.replace('key: weekly-active-users\n', 'key: wau\n'));
    expect(ws.exists('.hogsync/state/production.journal')).toBe(false);
    emu.clearRequests();
    for (const env of ['production', 'staging']) {
      const push = await ws.run(['push', '-e', env, '--yes', '--prune'], SECRET_ENV);
      expect(push.code, push.stdout + push.stderr).toBe(0);
    }
    expect(writes()).toEqual([]);
  });

  it('refuses, in one sentence and changing nothing: an unknown kind, a key without a file, a key taken by a file, a binding or a tombstone, an invalid key', async () => {
    const ws = await offlineCopy();
    // A key bound in staging only (its file was removed and pruned from production's view).
    const staging = JSON.parse(ws.read('.hogsync/state/staging.json'));
    staging.resources['Insight/staging-only'] = { id: 999001, base: `sha256:${'a'.repeat(64)}` };
    staging.tombstones = { 'Insight/buried': { id: 999002, base: `sha256:${'b'.repeat(64)}` } };
    ws.write('.hogsync/state/staging.json', `${JSON.stringify(staging, null, 2)}\n`);
    const snapshot = () => [
      ws.files('posthog/insights').join(','),
      ws.read('.hogsync/state/production.json'),
      ws.read('.hogsync/state/staging.json'),
    ];
    const before = snapshot();
    const cases: Array<[string[], RegExp]> = [
      [['mv', 'feature-flag/x', 'y'], /Unknown kind "feature-flag"/],
      [
        ['mv', 'insight/no-such-insight', 'y'],
        /insight\/no-such-insight has no file \(posthog\/insights\/no-such-insight\.yaml does not exist\)/,
      ],
      [
        ['mv', 'insight/weekly-active-users', 'signup-funnel'],
        /posthog\/insights\/signup-funnel\.yaml already exists, so "signup-funnel" is taken/,
      ],
      [
        ['mv', 'insight/weekly-active-users', 'staging-only'],
        /"staging-only" is taken: \.hogsync\/state\/staging\.json holds the binding of id 999001/,
      ],
      [
        ['mv', 'insight/weekly-active-users', 'buried'],
        /"buried" is taken: \.hogsync\/state\/staging\.json holds the tombstone of deleted id 999002/,
      ],
      [['mv', 'insight/weekly-active-users', 'Weekly Users'], /"Weekly Users" cannot be a key/],
    ];
    for (const [args, message] of cases) {
      const r = await ws.run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(snapshot()).toEqual(before);
  });

  it('waits for nobody: an environment locked by a running hogsync is refused before anything is written', async () => {
    const ws = await offlineCopy();
    // The test runner's parent is alive: its pid in the lock stands for another hogsync at work.
    ws.write('.hogsync/state/staging.lock', `${process.ppid}\n`);
    const r = await ws.run(['mv', 'insight/weekly-active-users', 'wau']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`Another hogsync \\(pid ${process.ppid}\\) is pulling or pushing environment "staging"`));
    expect(ws.exists('posthog/insights/wau.yaml')).toBe(false);
    expect(ws.exists('.hogsync/state/production.lock')).toBe(false);
  });
});

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

const ENVIRONMENTS = { production: { project: 1 }, staging: { project: 2, extra: 'refs:\n  actions:\n    "1": 1\n  integrations:\n    "4821": 4821' } };

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
  return emu.requests().filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`);
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
  it('moves a referenced variable: its file byte for byte, the insight referring to it, both environments’ bindings; then diff is clean, push sends nothing, and a later edit is an update, not a conflict', async () => {
    const ws = await twoSyncedEnvironments();
    // Comments must survive in both files.
    ws.write(VARIABLE, ws.read(VARIABLE).replace('key: country\n', 'key: country   # who filters by it\n').replace('spec:\n', '# owned by growth\nspec:\n'));
    ws.write(SQL, ws.read(SQL).replace('      variables:\n        country:\n', '      variables:\n        # the country picked on the dashboard\n        country:\n'));
    const [variable, sql] = [ws.read(VARIABLE), ws.read(SQL)];
    const ids = { production: ws.state('production').resources['InsightVariable/country']?.id, staging: ws.state('staging').resources['InsightVariable/country']?.id };
    expect(ids.production).toBeDefined();
    expect(ids.staging).toBeDefined();
    expect(ids.staging).not.toBe(ids.production);

    emu.clearRequests();
    const mv = await ws.run(['mv', 'insight-variable/country', 'region']);
    expect(mv.code, mv.stderr).toBe(0);
    expect(emu.requests(), 'mv works offline').toEqual([]);
    expect(mv.stdout).toContain('posthog/insight-variables/country.yaml → posthog/insight-variables/region.yaml');
    expect(mv.stdout).toContain(`${SQL}: /query/source/variables/country → region`);

    expect(ws.exists(VARIABLE)).toBe(false);
    expect(ws.read('posthog/insight-variables/region.yaml')).toBe(variable.replace('key: country   #', 'key: region   #'));
    expect(ws.read(SQL)).toBe(sql.replace('        country:\n', '        region:\n'));
    for (const env of ['production', 'staging'] as const) {
      const resources = ws.state(env).resources;
      expect(resources['InsightVariable/country'], env).toBeUndefined();
      expect(resources['InsightVariable/region']?.id, env).toBe(ids[env]);
    }

    for (const env of ['production', 'staging']) {
      const diff = await ws.run(['diff', '-e', env, '--output', 'json']);
      expect(diff.code, `${env}: ${diff.stdout}${diff.stderr}`).toBe(0);
      expect(JSON.parse(diff.stdout).changes).toEqual([]);
    }

    // The insight's recorded base followed its rewritten reference: an edit made now is an
    // update in each environment, not a conflict, and pushing it re-sends the same variable.
    ws.write(SQL, ws.read(SQL).replace('name: Active users by country (SQL)', 'name: Active users by region (SQL)'));
    for (const env of ['production', 'staging']) {
      const diff = await ws.run(['diff', '-e', env, '--output', 'json']);
      expect(diff.code, `${env}: ${diff.stdout}${diff.stderr}`).toBe(2);
      const changes = JSON.parse(diff.stdout).changes as Array<{ key: string; action: string }>;
      expect(changes.map((c) => `${c.action} ${c.key}`)).toEqual(['update active-users-by-country-sql']);
    }
    emu.clearRequests();
    for (const env of ['production', 'staging']) {
      const push = await ws.run(['push', '-e', env, '--yes', '--prune'], SECRET_ENV);
      expect(push.code, push.stdout + push.stderr).toBe(0);
    }
    const sqlId = (project: number) => emu.project(project)?.insights.find((i) => i.name === 'Active users by region (SQL)')?.id;
    expect(writes(), 'one update per environment: no create, no delete').toEqual([`PATCH /api/projects/1/insights/${sqlId(1)}/`, `PATCH /api/projects/2/insights/${sqlId(2)}/`]);
    for (const [project, env] of [[1, 'production'], [2, 'staging']] as const) {
      const insight = emu.project(project)?.insights.find((i) => i.name === 'Active users by region (SQL)');
      expect(Object.keys((insight?.query as { source: { variables: object } }).source.variables), env).toContain(ids[env]);
    }
  });

  it('--dry-run changes nothing; a move of an insight then leaves diff clean, with no create and no delete', async () => {
    const ws = await twoSyncedEnvironments();
    const before = { file: ws.read('posthog/insights/weekly-active-users.yaml'), production: ws.read('.hogsync/state/production.json'), staging: ws.read('.hogsync/state/staging.json') };
    const dry = await ws.run(['mv', 'posthog/insights/weekly-active-users.yaml', 'wau', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^Would move Insight\/weekly-active-users to wau:/);
    expect(dry.stdout).toMatch(/production \(\.hogsync\/state\/production\.json\): binding of id \d+ moved/);
    expect(ws.exists('posthog/insights/wau.yaml')).toBe(false);
    expect({ file: ws.read('posthog/insights/weekly-active-users.yaml'), production: ws.read('.hogsync/state/production.json'), staging: ws.read('.hogsync/state/staging.json') }).toEqual(before);

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
    const snapshot = () => [ws.files('posthog/insights').join(','), ws.read('.hogsync/state/production.json'), ws.read('.hogsync/state/staging.json')];
    const before = snapshot();
    const cases: Array<[string[], RegExp]> = [
      [['mv', 'dashboard/x', 'y'], /Unknown kind "dashboard"/],
      [['mv', 'insight/no-such-insight', 'y'], /insight\/no-such-insight has no file \(posthog\/insights\/no-such-insight\.yaml does not exist\)/],
      [['mv', 'insight/weekly-active-users', 'signup-funnel'], /posthog\/insights\/signup-funnel\.yaml already exists, so "signup-funnel" is taken/],
      [['mv', 'insight/weekly-active-users', 'staging-only'], /"staging-only" is taken: \.hogsync\/state\/staging\.json holds the binding of id 999001/],
      [['mv', 'insight/weekly-active-users', 'buried'], /"buried" is taken: \.hogsync\/state\/staging\.json holds the tombstone of deleted id 999002/],
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

  it('refuses to move a key referred to by a file edited since an environment’s last sync, naming it', async () => {
    const ws = await offlineCopy();
    ws.write(SQL, ws.read(SQL).replace('value: GB', 'value: FR'));
    const r = await ws.run(['mv', 'insight-variable/country', 'region', '--output', 'json']);
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('usage');
    expect(error.message).toContain(`${SQL} (in production) and ${SQL} (in staging) refer to insight-variable/country and changed since the last sync`);
    expect(ws.exists(VARIABLE)).toBe(true);
  });

  it('says so when a referring file’s PostHog copy was recorded apart from the file: its base cannot follow offline', async () => {
    const ws = await twoSyncedEnvironments();
    // As a push records it when PostHog answers with more than the file says: the file's hash apart from PostHog's.
    const state = JSON.parse(ws.read('.hogsync/state/production.json'));
    const binding = state.resources['Insight/active-users-by-country-sql'];
    const posthogs = `sha256:${'f'.repeat(64)}`;
    state.resources['Insight/active-users-by-country-sql'] = { ...binding, local: binding.base, base: posthogs };
    ws.write('.hogsync/state/production.json', `${JSON.stringify(state, null, 2)}\n`);

    const mv = await ws.run(['mv', 'insight-variable/country', 'region']);
    expect(mv.code, mv.stderr).toBe(0);
    expect(mv.stderr).toBe(`note: In production, PostHog's copy of ${SQL} differed from the file at the last sync, so its base cannot follow offline: if the next diff there shows it changed in PostHog, "hogsync pull -e production" settles it.\n`);
    const moved = ws.state('production').resources['Insight/active-users-by-country-sql'] as { base: string; local?: string };
    expect(moved.base).toBe(posthogs);
    expect(moved.local).toMatch(/^sha256:/);
    expect(moved.local).not.toBe(binding.base);
    // Here the file and PostHog's copy are the same once renamed, so diff finds them in sync all the same.
    for (const env of ['production', 'staging']) expect((await ws.run(['diff', '-e', env])).code, env).toBe(0);
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

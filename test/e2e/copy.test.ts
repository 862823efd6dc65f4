import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

let emu: Emulator;
let demo: SeedDoc;

/** The demo project, and Staging (empty unless a test puts something there). */
function seed(extraStaging: Partial<SeedDoc['projects'][number]> = {}): SeedDoc {
  const doc = structuredClone(demo);
  const staging = doc.projects.find((p) => p.id === 2);
  if (staging) Object.assign(staging, extraStaging);
  return doc;
}

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: seed() });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(seed()));

// Only what hogsync does not manage needs a mapping: the Slack workspace (an integration).
const MAPPED = 'refs:\n  integrations:\n    "4821": 99';
const SECRET_ENV = { HOGSYNC_SECRET_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER: 'Bearer fake-staging-token' };

function twoEnvs(refs = MAPPED): Promise<Workspace> {
  return workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2, extra: refs } } });
}

function specs(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const folder of ['insights', 'insight-variables', 'hog-functions', 'dashboards', 'alerts', 'actions', 'cohorts']) {
    const path = join(dir, 'posthog', folder);
    for (const f of readdirSync(path)) out[`${folder}/${f}`] = parse(readFileSync(join(path, f), 'utf8')).spec;
  }
  return out;
}

describe('copy', () => {
  it('copies the demo project into an empty one: same resources, variables re-pointed, order kept, secret from the environment', async () => {
    const ws = await twoEnvs();
    const r = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], SECRET_ENV);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Copied into staging: 33 created/);
    expect(ws.exists('posthog')).toBe(false);

    const staging = emu.project(2);
    const variable = staging?.insightVariables.find((v) => v.code_name === 'country');
    const sql = staging?.insights.find((i) => i.name === 'Active users by country (SQL)');
    const sqlVars = Object.keys((sql?.query as { source: { variables: object } } | undefined)?.source.variables ?? {});
    expect(sqlVars).toContain(variable?.id);
    expect(sqlVars.every((id) => staging?.insightVariables.some((v) => v.id === id))).toBe(true);
    const order = (name: string) => staging?.hogFunctions.find((h) => h.name === name)?.execution_order;
    expect([order('GeoIP'), order('Mask URL query strings'), order('IP Anonymization')]).toEqual([1, 2, 3]);
    expect(JSON.stringify(staging?.hogFunctions.find((h) => h.name === 'Notify CRM of signups'))).toContain('Bearer fake-staging-token');
    expect(JSON.stringify(staging)).not.toContain('fake-demo-token');
    // The action is staging's own, made by the copy: no refs: needed for what hogsync manages.
    const signedUp = staging?.actions.find((a) => a.name === 'Signed up');
    expect(signedUp?.id).not.toBe(1);
    const action = staging?.insights.find((i) => i.name === 'Daily signups (action)');
    expect(JSON.stringify(action?.query)).toContain(`"id":${signedUp?.id}`);

    // Both projects, pulled through hogsync's canonical specs, are the same: a pull from staging
    // writes managed resources by key and maps the rest back to production's ids through refs:.
    expect((await ws.run(['pull'])).code).toBe(0);
    const other = await twoEnvs();
    mkdirSync(join(other.dir, '.hogsync', 'state'), { recursive: true });
    other.write('.hogsync/state/staging.json', ws.read('.hogsync/state/staging.json'));
    expect((await other.run(['pull', '-e', 'staging', '--force'])).code).toBe(0);
    expect(specs(other.dir)).toEqual(specs(ws.dir));
  });

  it('running the same copy again changes nothing: all unchanged, zero writes', async () => {
    const ws = await twoEnvs();
    expect((await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], SECRET_ENV)).code).toBe(0);
    emu.clearRequests();
    const again = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes', '--output', 'json'], SECRET_ENV);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const doc = JSON.parse(again.stdout);
    expect(doc.summary).toMatchObject({ created: 0, updated: 0, adopted: 0, deleted: 0, failed: 0, unchanged: 33 });
    expect(emu.requests().filter((q) => q.method !== 'GET')).toHaveLength(0);
  });

  it('stops before any write when a secret has no value in the target, naming the variable to set', async () => {
    const ws = await twoEnvs();
    emu.clearRequests();
    const r = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /secret input "auth_header" has no value in PostHog yet; set HOGSYNC_SECRET_STAGING_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER \(or, for every environment, HOGSYNC_SECRET_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER\)/,
    );
    expect(emu.requests().filter((q) => q.method !== 'GET')).toHaveLength(0);
  });

  it('variables with the same code_name and actions with the same name are adopted; same-named insights only with --adopt, never duplicated', async () => {
    emu.reset(
      seed({
        insight_variables: [{ name: 'country', type: 'String', default_value: 'FR' }],
        insights: [{ name: 'Weekly active users', description: 'made by hand in staging' }],
        // PostHog refuses a second live action with a name: the one there is the one meant.
        actions: [{ name: 'Signed up', steps: [{ event: 'sign_up' }] }],
      }),
    );
    const ws = await twoEnvs();
    const plan = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--dry-run', '--output', 'json'], SECRET_ENV);
    const dry = JSON.parse(plan.stdout);
    expect(dry.plan).toMatchObject({ adopt: 2, create: 31 });
    const text = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--dry-run'], SECRET_ENV);
    expect(text.stdout).toMatch(
      /\+ create Insight\/weekly-active-users[^\n]*\n\s+# a remote Insight with the same name already exists \(id \d+\); pass --adopt/,
    );

    const r = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes', '--adopt'], SECRET_ENV);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const staging = emu.project(2);
    expect(staging?.insightVariables.filter((v) => v.code_name === 'country')).toHaveLength(1);
    expect(staging?.insightVariables.find((v) => v.code_name === 'country')?.default_value).toBe('GB');
    const wau = staging?.insights.filter((i) => i.name === 'Weekly active users' && !i.deleted);
    expect(wau).toHaveLength(1);
    expect(wau?.[0]?.description).not.toBe('made by hand in staging');
    const signedUp = staging?.actions.filter((a) => a.name === 'Signed up' && !a.deleted);
    expect(signedUp).toHaveLength(1);
    expect(JSON.stringify(signedUp?.[0]?.steps)).toContain('"signed_up"');
  });

  it('refuses a resource holding an id of something hogsync does not manage with no mapping, naming file, JSON path and id; the rest is copied', async () => {
    const ws = await twoEnvs('');
    const r = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], SECRET_ENV);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'refused HogFunction/slack-enterprise-upgrades (posthog/hog-functions/slack-enterprise-upgrades.yaml): integration id 4821 at /inputs/slack_workspace/value has no mapping to staging',
    );
    const staging = emu.project(2);
    expect(staging?.hogFunctions.find((h) => h.name === 'Slack: enterprise upgrades')).toBeUndefined();
    expect(staging?.hogFunctions.filter((h) => !h.deleted)).toHaveLength(4);
    expect(ws.state('staging').resources['HogFunction/slack-enterprise-upgrades']).toBeUndefined();
    const allowed = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes', '--allow-unmapped-refs'], SECRET_ENV);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/warning: HogFunction\/slack-enterprise-upgrades .* copied with ids that may not exist in staging/);
  });

  it('bad environments are named with the file to fix', async () => {
    const ws = await twoEnvs();
    const r = await ws.run(['copy', '--from', 'production', '--to', 'stagin', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Unknown environment "stagin": .*hogsync\.yaml defines production, staging/);
    const same = await ws.run(['copy', '--from', 'staging', '--to', 'staging']);
    expect(same.code).toBe(1);
  });
});

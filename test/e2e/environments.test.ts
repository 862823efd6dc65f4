import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * One set of files, many environments: files hold the home environment's ids and each other
 * environment maps them through its refs:, resolves its own secrets through its vars:, and
 * keeps its own exceptions in overrides:, which pulls never write into the shared files.
 */

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

// What hogsync does not manage differs between projects and is mapped: the Slack workspace of a destination.
const REFS = 'refs:\n  integrations:\n    "4821": 5120';
const SECRET = { HOGSYNC_SECRET_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER: 'Bearer fake-staging-token' };

async function twoEnvironments(staging: string): Promise<Workspace> {
  const ws = await workspace(emu, {
    environments: { production: { project: 1, extra: 'home: true' }, staging: { project: 2, extra: staging } },
  });
  const pull = await ws.run(['pull', '--commit']);
  expect(pull.code, pull.stderr).toBe(0);
  return ws;
}

const staged = () => emu.project(2);
const slackWorkspace = (project: number) =>
  JSON.stringify(
    emu.project(project)?.hogFunctions.find((f) => f.name === 'Slack: enterprise upgrades' && !f.deleted)?.inputs.slack_workspace,
  );

describe('every command is environment-aware', () => {
  it('-e staging push translates the files’ ids through refs:, then diff shows nothing and a pull leaves the files byte for byte', async () => {
    const ws = await twoEnvironments(REFS);
    const push = await ws.run(['-e', 'staging', 'push', '--yes'], SECRET);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(slackWorkspace(2)).toMatch(/"value":5120\b/);
    // The action is a managed resource: named by key in the files, staging's own id in staging.
    const signedUp = staged()?.actions.find((a) => a.name === 'Signed up');
    const usesAction = staged()?.insights.find((i) => i.name === 'Daily signups (action)');
    expect(JSON.stringify(usesAction?.query)).toContain(`"id":${signedUp?.id}`);
    const diff = await ws.run(['-e', 'staging', 'diff']);
    expect(diff.code, diff.stdout).toBe(0);
    const pull = await ws.run(['-e', 'staging', 'pull']);
    expect(pull.code, pull.stderr).toBe(0);
    expect(await ws.git.raw(['status', '--porcelain', '--', 'posthog'])).toBe('');
  });

  it('an id with no mapping is reported as copy reports it: file, path and the refs: line to add, before any request', async () => {
    const ws = await twoEnvironments('');
    emu.clearRequests();
    const diff = await ws.run(['-e', 'staging', 'diff']);
    expect(diff.code).toBe(1);
    expect(diff.stderr).toMatch(
      /slack-enterprise-upgrades\.yaml:\d+:\d+: integration id 4821 has no mapping for staging: add "4821": <its id in staging> under environments\.staging\.refs\.integrations in hogsync\.yaml/,
    );
    expect(emu.requests()).toEqual([]);
  });

  it('with no home environment named, an unmapped id says to name it, not to add a mapping', async () => {
    const ws = await twoEnvironments(REFS);
    ws.write(
      'hogsync.yaml',
      ws
        .read('hogsync.yaml')
        .replace('    home: true\n', '')
        .replace(/^default_environment: .*\n/m, ''),
    );
    const diff = await ws.run(['-e', 'production', 'diff']);
    expect(diff.code).toBe(1);
    expect(diff.stderr).toMatch(
      /slack-enterprise-upgrades\.yaml:\d+:\d+: integration id 4821 has no mapping for production: hogsync\.yaml names no home environment \(the one whose ids the files hold\): add home: true to it, or set default_environment/,
    );
  });

  it('a refs: table of a kind hogsync manages is named as no longer needed once no file names those by id', async () => {
    const ws = await twoEnvironments(`${REFS}\n  actions:\n    "1": 11`);
    const diff = await ws.run(['-e', 'staging', 'diff']);
    expect(diff.stderr).toContain(
      'note: environments.staging.refs.actions in hogsync.yaml is no longer needed: hogsync manages actions, and the files name them by key. Remove it.',
    );
    expect(diff.stderr).not.toContain('refs.integrations');
  });

  it('refs: values are checked: an id that is not an integer is refused at file:line:col', async () => {
    const ws = await workspace(emu, {
      environments: {
        production: { project: 1, extra: 'home: true' },
        staging: { project: 2, extra: 'refs:\n  actions:\n    "1": seventy' },
      },
    });
    const r = await ws.run(['-e', 'staging', 'diff']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hogsync\.yaml:\d+:\d+: "1" must be an integer/);
  });
});

describe('secrets and values per environment', () => {
  const TOKEN_FILE = 'posthog/hog-functions/notify-crm-of-signups.yaml';
  async function withTokenVariable(staging: string): Promise<Workspace> {
    const ws = await twoEnvironments(`${REFS}\n${staging}`);
    ws.write(
      TOKEN_FILE,
      ws.read(TOKEN_FILE).replace('    auth_header:\n      secret: true', '    auth_header:\n      value: ${CRM_TOKEN}'),
    );
    return ws;
  }
  const stagingSecret = () => JSON.stringify(staged()?.hogFunctions.find((f) => f.name === 'Notify CRM of signups')?.encrypted_inputs);

  it('copy resolves a secret for the target through its vars:, never the source’s', async () => {
    const ws = await withTokenVariable('vars:\n  CRM_TOKEN: ${STAGING_CRM_TOKEN}');
    const r = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], {
      CRM_TOKEN: 'Bearer fake-production-token',
      STAGING_CRM_TOKEN: 'Bearer fake-staging-token',
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(stagingSecret()).toContain('fake-staging-token');
    expect(stagingSecret()).not.toContain('fake-production-token');
  });

  it('with no value for the target, copy refuses and names the variable to set', async () => {
    const ws = await withTokenVariable('vars:\n  CRM_TOKEN: ${STAGING_CRM_TOKEN}');
    const r = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], { CRM_TOKEN: 'Bearer fake-production-token' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/STAGING_CRM_TOKEN is not set/);
    expect(stagingSecret()).toBeUndefined();
  });

  it('a secret both environments would read from one process variable is refused without --allow-shared-secret', async () => {
    const ws = await withTokenVariable('');
    const r = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], { CRM_TOKEN: 'Bearer fake-production-token' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /refused HogFunction\/notify-crm-of-signups .*same process variable as production \(CRM_TOKEN\).*--allow-shared-secret/,
    );
    expect(staged()?.hogFunctions.find((f) => f.name === 'Notify CRM of signups')).toBeUndefined();
    const allowed = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes', '--allow-shared-secret'], {
      CRM_TOKEN: 'Bearer fake-production-token',
    });
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
  });
});

describe('overrides', () => {
  it('a destination disabled in staging only: staging disabled, production enabled, files unchanged by pulls from either', async () => {
    const ws = await twoEnvironments(`${REFS}\noverrides:\n  hog-functions/notify-crm-of-signups:\n    enabled: false`);
    const file = ws.read('posthog/hog-functions/notify-crm-of-signups.yaml');
    expect(file).toContain('enabled: true');
    const push = await ws.run(['-e', 'staging', 'push', '--yes'], SECRET);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(staged()?.hogFunctions.find((f) => f.name === 'Notify CRM of signups')?.enabled).toBe(false);
    expect(emu.project(1)?.hogFunctions.find((f) => f.name === 'Notify CRM of signups')?.enabled).toBe(true);
    expect((await ws.run(['-e', 'staging', 'diff'])).code).toBe(0);
    expect((await ws.run(['diff'])).code).toBe(0);
    expect((await ws.run(['-e', 'staging', 'pull'])).code).toBe(0);
    expect((await ws.run(['pull'])).code).toBe(0);
    expect(ws.read('posthog/hog-functions/notify-crm-of-signups.yaml')).toBe(file);
  });

  it('copy and restore see the target as push does: its refs and its overrides, not the source’s ids and exceptions', async () => {
    const ws = await twoEnvironments(`${REFS}\noverrides:\n  hog-functions/notify-crm-of-signups:\n    enabled: false`);
    const crm = (project: number) => emu.project(project)?.hogFunctions.find((f) => f.name === 'Notify CRM of signups' && !f.deleted);
    const copy = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], SECRET);
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    expect(crm(2)?.enabled, 'the target’s override applies to a copy').toBe(false);
    expect(slackWorkspace(2)).toMatch(/"value":5120\b/);
    expect((await ws.run(['-e', 'staging', 'diff'])).code).toBe(0);

    // Back the other way: staging's exception does not travel to production.
    const back = await ws.run(['copy', '--from', 'staging', '--to', 'production', '--yes'], SECRET);
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(crm(1)?.enabled).toBe(true);

    // Restore into staging from the commit's files: ids mapped and the override kept, so nothing to do.
    const head = (await ws.git.revparse(['HEAD'])).trim();
    const restore = await ws.run(['-e', 'staging', 'restore', head, '--dry-run', '-o', 'json']);
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    expect((JSON.parse(restore.stdout) as { plan: { summary: Record<string, number> } }).plan.summary).toMatchObject({
      update: 0,
      create: 0,
      drift: 0,
      conflict: 0,
    });
  });

  it('import writes files only from the home environment, whose ids and values the files hold', async () => {
    const ws = await twoEnvironments(REFS);
    const id = String(emu.project(2)?.insights[0]?.id ?? 1);
    const r = await ws.run(['-e', 'staging', 'import', 'insight', id]);
    expect([r.code, r.stderr]).toEqual([
      1,
      'error: import writes a file as pull from the home environment writes it, and staging is not home (production is): import it there with -e production, then push or copy to staging.\n',
    ]);
  });

  it('an override of a resource that has no file, or of a field that does not exist, is refused at its place in hogsync.yaml', async () => {
    const ws = await twoEnvironments(
      `${REFS}\noverrides:\n  hog-functions/no-such-thing:\n    enabled: false\n  hog-functions/geoip:\n    enabeld: false`,
    );
    const r = await ws.run(['validate']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/hogsync\.yaml:\d+:\d+: overrides "hog-functions\/no-such-thing", which has no file/);
    expect(r.stdout).toMatch(
      /hogsync\.yaml:\d+:\d+: environment staging, override of hog-functions\/geoip: unknown field "enabeld"; did you mean "enabled"\?/,
    );
  });
});

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { project } from '../emulator/helpers.js';
import { BIN, runCli, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

let emu: Emulator;
let demo: SeedDoc;

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => {
  emu.reset(demo);
  emu.setFaults({ failRate: 0, resetAfterCommitRate: 0, errorAfterCommitRate: 0, latencyMs: 0 });
});

const writes = (e: Emulator) => e.requests().filter((r) => r.method !== 'GET');

function insightFile(key: string, name: string, extra = ''): string {
  return `apiVersion: hogsync/v1\nkind: Insight\nkey: ${key}\nspec:\n  name: ${name}\n  query:\n    kind: DataTableNode\n    source:\n      kind: EventsQuery\n      select: ["*"]\n${extra}`;
}

async function pulled(e: Emulator = emu): Promise<Workspace> {
  const ws = await workspace(e);
  const r = await ws.run(['pull']);
  expect(r.code, r.stderr).toBe(0);
  return ws;
}

describe('push', () => {
  it('applies edited, added and removed files; PostHog then matches the files and diff is empty', async () => {
    const ws = await pulled();
    ws.write(
      'posthog/insights/weekly-active-users.yaml',
      ws.read('posthog/insights/weekly-active-users.yaml').replace('name: Weekly active users', 'name: WAU (renamed)'),
    );
    ws.write(
      'posthog/insight-variables/region.yaml',
      'apiVersion: hogsync/v1\nkind: InsightVariable\nkey: region\nspec:\n  name: region\n  type: String\n  default_value: EU\n',
    );
    ws.write(
      'posthog/insights/signups-by-region.yaml',
      'apiVersion: hogsync/v1\nkind: Insight\nkey: signups-by-region\nspec:\n  name: Signups by region\n  query:\n    kind: DataVisualizationNode\n    source:\n      kind: HogQLQuery\n      query: |-\n        SELECT count() FROM events\n        WHERE properties.region = {variables.region}\n      variables:\n        region:\n          value: US\n',
    );
    rmSync(join(ws.dir, 'posthog/insights/recent-signups.yaml'));
    const r = await ws.run(['push', '--yes', '--prune']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Pushed production: 2 created, 1 updated, 0 adopted, 1 deleted, 0 skipped, 0 failed/);

    const store = emu.project(1);
    const variable = store?.insightVariables.find((v) => v.code_name === 'region');
    const sql = store?.insights.find((i) => i.name === 'Signups by region');
    expect(variable).toBeDefined();
    // The reference was written by key and resolved to this project's new variable id just before the write.
    expect(JSON.stringify(sql?.query)).toContain(variable?.id);
    expect(store?.insights.find((i) => i.name === 'WAU (renamed)')).toBeDefined();
    expect(store?.insights.find((i) => i.name === 'Recent signups')?.deleted).toBe(true);
    const diff = await ws.run(['diff']);
    expect(diff.code, diff.stdout).toBe(0);
    expect(ws.state().resources['Insight/recent-signups']).toBeUndefined();
    expect(ws.state().resources['InsightVariable/region']?.id).toBe(variable?.id);
  });

  it('keeps the stored secret when an unrelated field of a destination changes', async () => {
    const ws = await pulled();
    const file = 'posthog/hog-functions/notify-crm-of-signups.yaml';
    expect(parse(ws.read(file)).spec.inputs.auth_header).toEqual({ secret: true });
    ws.write(
      file,
      ws.read(file).replace('description: Posts every signup and upgrade to the CRM webhook.', 'description: Changed description'),
    );
    const r = await ws.run(['push', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const stored = emu.project(1)?.hogFunctions.find((h) => h.name === 'Notify CRM of signups');
    expect(stored?.description).toBe('Changed description');
    // Read from the emulator's store, not from the masked API response.
    expect(JSON.stringify(stored)).toContain('Bearer fake-demo-token');
  });

  it('sets a secret from ${VAR} at push time, and the value never reaches a file or the output', async () => {
    const ws = await pulled();
    const file = 'posthog/hog-functions/notify-crm-of-signups.yaml';
    ws.write(file, ws.read(file).replace('    auth_header:\n      secret: true', '    auth_header:\n      value: ${CRM_TOKEN}'));
    const r = await ws.run(['push', '--yes'], { CRM_TOKEN: 'Bearer fake-rotated-token' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('fake-rotated-token');
    expect(JSON.stringify(emu.project(1)?.hogFunctions.find((h) => h.name === 'Notify CRM of signups'))).toContain(
      'Bearer fake-rotated-token',
    );
    const again = await ws.run(['pull']);
    expect(again.code).toBe(0);
    expect(ws.read(file)).toContain('value: ${CRM_TOKEN}');
    // The state knows which variable set the stored secret (not its value): nothing left to push.
    expect((await ws.run(['diff'], { CRM_TOKEN: 'Bearer fake-rotated-token' })).code).toBe(0);
    expect(ws.read('.hogsync/state/production.json')).toContain('${CRM_TOKEN}');
    expect(ws.read('.hogsync/state/production.json')).not.toContain('fake-rotated-token');
    // A new value under the same variable is sent on request.
    const rotated = await ws.run(['push', '--yes', '--rotate-secrets'], { CRM_TOKEN: 'Bearer fake-second-token' });
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/~ updated HogFunction\/notify-crm-of-signups/);
    expect(JSON.stringify(emu.project(1)?.hogFunctions.find((h) => h.name === 'Notify CRM of signups'))).toContain(
      'Bearer fake-second-token',
    );
    // Another variable in the file is a change the diff shows, without the value.
    ws.write(file, ws.read(file).replace('${CRM_TOKEN}', '${CRM_TOKEN_V2}'));
    const changed = await ws.run(['diff'], { CRM_TOKEN_V2: 'Bearer fake-third-token' });
    expect(changed.code).toBe(2);
    expect(changed.stdout).toContain('${CRM_TOKEN_V2}');
    expect(changed.stdout).not.toContain('fake-third-token');
  });

  it('fails before any write, listing every unset variable and every secret without a value', async () => {
    const ws = await pulled();
    const file = 'posthog/hog-functions/notify-crm-of-signups.yaml';
    ws.write(
      file,
      ws
        .read(file)
        .replace('value: https://hooks.example.com/posthog/signups', 'value: ${CRM_URL}')
        .replace('    auth_header:\n      secret: true', '    auth_header:\n      value: ${CRM_TOKEN}'),
    );
    ws.write(
      'posthog/hog-functions/new-hook.yaml',
      'apiVersion: hogsync/v1\nkind: HogFunction\nkey: new-hook\nspec:\n  name: New hook\n  type: destination\n  hog: fetch(inputs.url, {})\n  inputs_schema:\n    - key: url\n      type: string\n    - key: token\n      type: string\n      secret: true\n  inputs:\n    url:\n      value: https://example.com\n    token:\n      secret: true\n',
    );
    ws.write('posthog/insights/new-one.yaml', insightFile('new-one', 'New one'));
    emu.clearRequests();
    const r = await ws.run(['push', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Nothing was pushed');
    expect(r.stderr).toMatch(/CRM_TOKEN is not set \(used by HogFunction\/notify-crm-of-signups/);
    expect(r.stderr).toMatch(/CRM_URL is not set/);
    expect(r.stderr).toMatch(
      /new-hook\.yaml: secret input "token" has no value in PostHog yet; set HOGSYNC_SECRET_PRODUCTION_NEW_HOOK_TOKEN \(or, for every environment, HOGSYNC_SECRET_NEW_HOOK_TOKEN\)/,
    );
    expect(writes(emu)).toHaveLength(0);
  });

  it('--dry-run prints the plan and sends no write', async () => {
    const ws = await pulled();
    ws.write('posthog/insights/new-one.yaml', insightFile('new-one', 'New one'));
    emu.clearRequests();
    const r = await ws.run(['push', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('+ create Insight/new-one');
    expect(writes(emu)).toHaveLength(0);
  });

  it('refuses to write without --yes when not on a terminal', async () => {
    const ws = await pulled();
    ws.write('posthog/insights/new-one.yaml', insightFile('new-one', 'New one'));
    emu.clearRequests();
    const r = await ws.run(['push']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/needs confirmation: run it in a terminal, or pass --yes/);
    expect(writes(emu)).toHaveLength(0);
  });

  it.skipIf(!existsSync('/usr/bin/script'))('on a terminal, shows the plan and asks before writing', async () => {
    const ws = await pulled();
    ws.write(
      'posthog/insights/weekly-active-users.yaml',
      ws.read('posthog/insights/weekly-active-users.yaml').replace('name: Weekly active users', 'name: WAU (asked)'),
    );
    // script(1) gives the CLI a pseudo-terminal, with our answer on its input.
    const onTty = (answer: string) =>
      runCli(['-c', 'script -qec "node $HOGSYNC_BIN push" /dev/null'], {
        cwd: ws.dir,
        input: `${answer}\n`,
        env: { HOGSYNC_BIN: BIN },
        shell: true,
      });
    emu.clearRequests();
    const declined = await onTty('n');
    expect(declined.stdout).toContain('~ spec.name: "Weekly active users" → "WAU (asked)"');
    expect(declined.stdout).toContain('Apply these changes to production? [y/N]');
    expect(declined.code).toBe(1);
    expect(writes(emu)).toHaveLength(0);
    const accepted = await onTty('y');
    expect(accepted.code, accepted.stdout).toBe(0);
    expect(accepted.stdout).toContain('~ updated Insight/weekly-active-users');
    expect(emu.project(1)?.insights.find((i) => i.name === 'WAU (asked)')).toBeDefined();
  });

  it('skips drift and conflicts (exit 3) unless --force', async () => {
    const ws = await pulled();
    const id = emu.project(1)?.insights.find((i) => i.name === 'Weekly active users')?.id;
    await project(emu).patch(`insights/${id}/`, { name: 'Edited in the UI' });
    ws.write('posthog/insights/new-one.yaml', insightFile('new-one', 'New one'));
    const r = await ws.run(['push', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/! skipped Insight\/weekly-active-users .*changed in PostHog since the last sync/);
    expect(emu.project(1)?.insights.find((i) => i.id === id)?.name).toBe('Edited in the UI');
    const forced = await ws.run(['push', '--yes', '--force']);
    expect(forced.code, forced.stdout).toBe(0);
    expect(emu.project(1)?.insights.find((i) => i.id === id)?.name).toBe('Weekly active users');
  });

  it('reports PostHog’s error per resource, goes on with independent ones, and skips what depends on a failure', async () => {
    const ws = await pulled();
    ws.write(
      'posthog/insight-variables/bad.yaml',
      'apiVersion: hogsync/v1\nkind: InsightVariable\nkey: bad\nspec:\n  name: bad\n  type: Colour\n',
    );
    ws.write(
      'posthog/insights/uses-bad.yaml',
      'apiVersion: hogsync/v1\nkind: Insight\nkey: uses-bad\nspec:\n  name: Uses bad\n  query:\n    kind: DataVisualizationNode\n    source:\n      kind: HogQLQuery\n      query: select {variables.bad}\n      variables:\n        bad: {}\n',
    );
    ws.write('posthog/insights/independent.yaml', insightFile('independent', 'Independent'));
    // validate's checks would refuse "Colour" before any request; --no-validate lets PostHog answer.
    const refused = await ws.run(['push', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/posthog\/insight-variables\/bad\.yaml:6:9: "type" must be one of/);
    const r = await ws.run(['push', '--yes', '--output', 'json', '--no-validate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^warning: files not checked \(--no-validate\)/);
    const doc = JSON.parse(r.stdout);
    const byKey = Object.fromEntries(doc.results.map((e: { key: string }) => [e.key, e]));
    expect(byKey.bad).toMatchObject({
      outcome: 'failed',
      file: 'posthog/insight-variables/bad.yaml',
      error: { status: 400, code: 'invalid_choice', attr: 'type' },
    });
    expect(byKey['uses-bad']).toMatchObject({ outcome: 'skipped', reason: 'depends on InsightVariable/bad, which was not applied' });
    expect(byKey.independent).toMatchObject({ outcome: 'created' });
    expect(doc.summary).toMatchObject({ created: 1, failed: 1, skipped: 1 });

    ws.write(
      'posthog/insight-variables/bad.yaml',
      'apiVersion: hogsync/v1\nkind: InsightVariable\nkey: bad\nspec:\n  name: bad\n  type: String\n',
    );
    const again = await ws.run(['push', '--yes']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/2 created/);
    expect((await ws.run(['diff'])).code).toBe(0);
  });

  it('--adopt binds a same-named remote resource instead of creating a second one', async () => {
    const ws = await workspace(emu);
    mkdirSync(join(ws.dir, 'posthog/insights'), { recursive: true });
    ws.write('posthog/insights/wau.yaml', insightFile('wau', 'Weekly active users', '  description: from git\n'));
    const plain = await ws.run(['diff', '--output', 'json']);
    const change = JSON.parse(plain.stdout).changes.find((c: { key: string }) => c.key === 'wau');
    expect(change.action).toBe('create');
    expect(change.notes.join()).toMatch(/same name already exists/);
    const before = emu.project(1)?.insights.length;
    const r = await ws.run(['push', '--yes', '--adopt']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/~ adopted Insight\/wau/);
    expect(emu.project(1)?.insights.length).toBe(before);
    expect(emu.project(1)?.insights.find((i) => i.name === 'Weekly active users')?.description).toBe('from git');
  });
});

describe('push and concurrent runs', () => {
  it('refuses to run while another hogsync holds the environment, and takes over a lock its owner left behind', async () => {
    const ws = await pulled();
    ws.write('posthog/insights/new-one.yaml', insightFile('new-one', 'New one'));
    // A live process (this test runner) holds the lock.
    ws.write('.hogsync/state/production.lock', `${process.pid}\n`);
    const blocked = await ws.spawn(['push', '--yes']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/Another hogsync \(pid \d+\) is pulling or pushing environment "production"/);
    expect(emu.project(1)?.insights.find((i) => i.name === 'New one')).toBeUndefined();
    // A lock whose process is gone is stale.
    ws.write('.hogsync/state/production.lock', '999999\n');
    const r = await ws.run(['push', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(ws.exists('.hogsync/state/production.lock')).toBe(false);
  });
});

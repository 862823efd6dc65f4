import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { project } from '../emulator/helpers.js';
import { testEmulator, TEST_KEY, workspace } from '../helpers/e2e.js';

let emu: Emulator;
let demo: SeedDoc;

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

function allYaml(dir: string): string[] {
  const out: string[] = [];
  for (const folder of ['insights', 'insight-variables', 'hog-functions', 'dashboards', 'alerts', 'actions', 'cohorts']) {
    const path = join(dir, 'posthog', folder);
    try {
      for (const f of readdirSync(path)) out.push(join(path, f));
    } catch {
      // folder absent
    }
  }
  return out.sort();
}

function fingerprint(files: string[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f, `${createHash('sha256').update(readFileSync(f)).digest('hex')}@${statSync(f).mtimeMs}`]));
}

describe('pull', () => {
  it('writes one file per remote resource; a second pull rewrites no byte and --commit makes no second commit', async () => {
    const ws = await workspace(emu);
    const first = await ws.run(['pull', '--commit']);
    expect(first.code, first.stderr).toBe(0);
    const store = emu.project(1);
    const live = <T extends { deleted?: boolean }>(rows: T[] = []) => rows.filter((r) => !r.deleted).length;
    // Every kind, but static cohorts: a list of people is not configuration.
    const remoteCount =
      live(store?.insights) +
      (store?.insightVariables.length ?? 0) +
      live(store?.hogFunctions) +
      live(store?.dashboards) +
      (store?.alerts.length ?? 0) +
      live(store?.actions) +
      live(store?.cohorts.filter((c) => !c.is_static));
    const files = allYaml(ws.dir);
    expect(files).toHaveLength(remoteCount);
    expect(first.stdout).toMatch(/Committed [0-9a-f]{12}/);
    const before = fingerprint([...files, join(ws.dir, '.hogsync/state/production.json')]);
    const commits = (await ws.git.log()).total;

    const second = await ws.run(['pull', '--commit']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('No file changed.');
    expect(fingerprint([...files, join(ws.dir, '.hogsync/state/production.json')])).toEqual(before);
    expect((await ws.git.log()).total).toBe(commits);
  });

  it('writes no server-managed field and no secret value; SQL variables are referenced by key, never by UUID', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const serverManaged = [
      'short_id',
      'created_at',
      'created_by',
      'updated_at',
      'last_modified_at',
      'last_modified_by',
      'bytecode',
      'transpiled',
      'status',
      'template',
      'result',
      'filters_hash',
      'code_name',
      'variableId',
      'is_cached',
      'last_refresh',
      'dashboard_tiles',
      'deleted',
      'saved',
      'version',
      'encrypted_inputs',
    ];
    const walk = (v: unknown, path: string, file: string) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}/${i}`, file));
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          expect(serverManaged, `${file}${path}/${k}`).not.toContain(k);
          walk(x, `${path}/${k}`, file);
        }
      }
    };
    for (const f of allYaml(ws.dir)) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toContain('fake-demo-token');
      expect(text, f).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
      const doc = parse(text) as { spec: unknown };
      walk(doc.spec, '/spec', f);
      expect(Object.keys(doc.spec as object)).not.toContain('id');
    }
    const sql = parse(ws.read('posthog/insights/active-users-by-country-sql.yaml'));
    expect(Object.keys(sql.spec.query.source.variables).sort()).toEqual(['country', 'min_events']);
    const webhook = parse(ws.read('posthog/hog-functions/notify-crm-of-signups.yaml'));
    expect(webhook.spec.inputs.auth_header).toEqual({ secret: true });
  });

  it('keeps the key across a rename in PostHog and removes the file of a soft-deleted resource; the commit says so', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const api = project(emu);
    const id = emu.project(1)?.insights.find((i) => i.name === 'Weekly active users')?.id;
    expect((await api.patch(`insights/${id}/`, { name: 'Weekly actives (renamed)' })).status).toBe(200);
    const gone = emu.project(1)?.insights.find((i) => i.name === 'User lifecycle')?.id;
    expect((await api.patch(`insights/${gone}/`, { deleted: true })).status).toBe(200);

    const r = await ws.run(['pull', '--commit']);
    expect(r.code, r.stderr).toBe(0);
    expect(parse(ws.read('posthog/insights/weekly-active-users.yaml')).spec.name).toBe('Weekly actives (renamed)');
    expect(ws.exists('posthog/insights/weekly-actives-renamed.yaml')).toBe(false);
    expect(ws.exists('posthog/insights/user-lifecycle.yaml')).toBe(false);
    const message = (await ws.git.log()).latest?.message ?? '';
    // The deleted insight's tile left its dashboard too.
    expect(message).toBe('hogsync pull production: 0 added, 2 changed, 1 removed');
    const body = (await ws.git.log()).latest?.body ?? '';
    expect(body).toContain('~ Insight/weekly-active-users');
    expect(body).toContain('~ Dashboard/product-overview');
    expect(body).toContain('- Insight/user-lifecycle');
    expect(ws.state().resources['Insight/user-lifecycle']).toBeUndefined();
  });

  it('leaves a file edited locally alone when PostHog also changed it (exit 3), and takes PostHog’s with --force', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const file = 'posthog/insights/weekly-active-users.yaml';
    const edited = ws.read(file).replace('name: Weekly active users', 'name: My local name');
    ws.write(file, edited);
    const id = emu.project(1)?.insights.find((i) => i.name === 'Weekly active users')?.id;
    await project(emu).patch(`insights/${id}/`, { name: 'Their remote name' });

    const r = await ws.run(['pull']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`! ${file}`);
    expect(r.stderr).toMatch(/1 conflict\(s\)/);
    expect(ws.read(file)).toBe(edited);

    const forced = await ws.run(['pull', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(parse(ws.read(file)).spec.name).toBe('Their remote name');
  });

  it('keeps a local edit whose remote did not change, byte for byte', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const file = 'posthog/insights/weekly-active-users.yaml';
    const edited = `${ws.read(file).replace('name: Weekly active users', 'name: Not pushed yet')}`;
    ws.write(file, edited);
    const r = await ws.run(['pull']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`= ${file}  (edited locally; push sends it)`);
    expect(ws.read(file)).toBe(edited);
  });

  it('commits only the resource folders and the state, leaving other work in the repository uncommitted', async () => {
    const ws = await workspace(emu);
    ws.write('notes.txt', 'work in progress\n');
    await ws.git.add('notes.txt');
    ws.write('hogsync.yaml', `${ws.read('hogsync.yaml')}# a local comment\n`);
    const r = await ws.run(['pull', '--commit', '-m', 'nightly backup']);
    expect(r.code, r.stderr).toBe(0);
    const show = await ws.git.show(['--name-only', '--format=%s', 'HEAD']);
    expect(show).toContain('nightly backup');
    expect(show).toContain('.hogsync/state/production.json');
    expect(show).not.toContain('notes.txt');
    expect(show).not.toContain('hogsync.yaml');
    const status = await ws.git.status();
    expect(status.staged).toContain('notes.txt');
    expect(status.modified).toContain('hogsync.yaml');
  });

  it('--kinds pulls only those kinds', async () => {
    const ws = await workspace(emu);
    const r = await ws.run(['pull', '--kinds', 'hog-function']);
    expect(r.code, r.stderr).toBe(0);
    expect(ws.files('posthog/insights')).toEqual([]);
    expect(ws.files('posthog/hog-functions').length).toBeGreaterThan(0);
    const bad = await ws.run(['pull', '--kinds', 'hogfunctions']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown kind "hogfunctions"\. Did you mean "hog-function"\?/);
  });

  it('--output json prints one summary document', async () => {
    const ws = await workspace(emu);
    const r = await ws.run(['pull', '--output', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.environment).toBe('production');
    expect(doc.summary.added).toBe(allYaml(ws.dir).length);
    expect(doc.kinds.Insight.total).toBeGreaterThan(0);
  });
});

describe('pull: bad input ends in one sentence, exit 1, and writes nothing', () => {
  it.each([
    [
      'an unreachable host',
      { host: 'http://127.0.0.1:39999' },
      /error: Could not reach PostHog at http:\/\/127\.0\.0\.1:39999\/api\/projects\/1\/.* \(ECONNREFUSED\)\. Check --host/,
    ],
    [
      'a rejected key (401)',
      { key: 'phx_not-a-valid-fake-key' },
      /error: PostHog answered 401 \(authentication_failed\).*The personal API key was rejected/,
    ],
    [
      'a key without the insight scope (403)',
      { key: 'phx_fake-readonly-vars-key' },
      /error: PostHog answered 403 \(permission_denied\).*missing required scope 'insight:read'.*Give the personal API key the missing scope/,
    ],
  ])('%s', async (_name, opts, message) => {
    const others = ['insight_variable', 'hog_function', 'dashboard', 'alert', 'action', 'cohort'].map((s) => `${s}:read`);
    const scoped = await testEmulator({
      seed: demo,
      keys: [
        { key: TEST_KEY, scopes: ['*'] },
        { key: 'phx_fake-readonly-vars-key', scopes: others },
      ],
    });
    try {
      const ws = await workspace(scoped);
      const args = ['pull', ...('host' in opts ? ['--host', opts.host] : [])];
      const r = await ws.run(args, 'key' in opts ? { POSTHOG_PERSONAL_API_KEY: opts.key } : {});
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toContain(TEST_KEY);
      expect(ws.exists('posthog')).toBe(false);
      expect(ws.exists('.hogsync/state/production.json')).toBe(false);
    } finally {
      await scoped.close();
    }
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * hogsync import: one remote resource bound to a new file, written exactly as pull writes
 * it; afterwards diff shows it in sync and push sends nothing.
 */

let emu: Emulator;
let demo: SeedDoc;
/** The whole demo project pulled: what pull writes, to compare an import with. */
let pulled: Workspace;

const SQL = 'posthog/insights/active-users-by-country-sql.yaml';

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  // No insight on a dashboard: an imported insight would name its dashboards, which need files too.
  for (const d of demo.projects[0]?.dashboards ?? []) delete d.tiles;
  emu = await testEmulator({ seed: demo });
  pulled = await workspace(emu, { git: false });
  const pull = await pulled.run(['pull']);
  expect(pull.code, pull.stderr).toBe(0);
});
afterAll(async () => emu.close());
beforeEach(() => emu.clearRequests());

/** Production (project 1, the demo) and an empty staging, nothing pulled. */
function fresh(): Promise<Workspace> {
  return workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2 } }, git: false });
}

function writes(): string[] {
  return emu
    .requests()
    .filter((q) => q.method !== 'GET')
    .map((q) => `${q.method} ${q.path}`);
}

/** diff --output json, with the changes it lists beyond the remote resources nothing manages. */
async function diffJson(ws: Workspace): Promise<{ code: number; doc: { summary: Record<string, number> }; changes: unknown[] }> {
  const r = await ws.run(['diff', '--output', 'json']);
  const doc = JSON.parse(r.stdout) as { summary: Record<string, number>; changes: Array<{ action: string }> };
  return { code: r.code, doc, changes: doc.changes.filter((c) => c.action !== 'unmanaged') };
}

describe('import', () => {
  it('imports an SQL insight by short_id as pull writes it, names its unmanaged variables; then diff shows it unchanged and push sends nothing', async () => {
    const ws = await fresh();
    const insight = emu.project(1)?.insights.find((i) => i.name === 'Active users by country (SQL)');
    const country = emu.project(1)?.insightVariables.find((v) => v.code_name === 'country');
    const r = await ws.run(['import', 'insight', insight?.short_id ?? '']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`Imported Insight ${insight?.id} from production as active-users-by-country-sql: ${SQL} written.\n`);
    expect(r.stderr).toContain(
      `note: ${SQL} refers to insight-variable "country", which hogsync does not manage yet: import it too (hogsync import insight-variable ${country?.id})`,
    );
    expect(ws.read(SQL)).toBe(pulled.read(SQL));
    expect(ws.state().resources['Insight/active-users-by-country-sql']).toMatchObject({ id: insight?.id, short_id: insight?.short_id });

    // Until the variables it names are managed too, diff warns of the reference (the file is as
    // imported: PostHog holds it), and a push that would send the file refuses it, before any write.
    const early = await ws.run(['diff']);
    expect(early.stderr).toMatch(
      /^warning: posthog\/insights\/active-users-by-country-sql\.yaml:\d+:\d+: insight variable "country" has no file under insight-variables\//m,
    );
    emu.clearRequests();
    const forced = await ws.run(['push', '--yes', '--force']);
    expect(forced.code).toBe(1);
    expect(forced.stderr).toMatch(
      /posthog\/insights\/active-users-by-country-sql\.yaml:\d+:\d+: insight variable "country" has no file under insight-variables\//,
    );
    expect(writes()).toEqual([]);

    // The variables it names, imported by id: now the insight refers to managed resources.
    const variable = await ws.run(['import', 'insight-variable', String(country?.id), '--output', 'json']);
    expect(variable.code, variable.stderr).toBe(0);
    expect(JSON.parse(variable.stdout)).toMatchObject({
      key: 'country',
      file: 'posthog/insight-variables/country.yaml',
      written: true,
      notes: [],
    });
    expect(ws.read('posthog/insight-variables/country.yaml')).toBe(pulled.read('posthog/insight-variables/country.yaml'));
    const minEvents = emu.project(1)?.insightVariables.find((v) => v.code_name === 'min_events');
    expect((await ws.run(['import', 'insight-variable', String(minEvents?.id)])).code).toBe(0);
    const diff = await diffJson(ws);
    expect(diff.code).toBe(0);
    expect(diff.doc.summary.unchanged).toBe(3);
    expect(diff.changes).toEqual([]);
    emu.clearRequests();
    const push = await ws.run(['push', '--yes', '--prune']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(writes()).toEqual([]);
    const again = await ws.run(['import', 'insight', String(insight?.id), '--output', 'json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).error.message).toBe(
      `insight ${insight?.id} is already bound to the key "active-users-by-country-sql" (${SQL}) in production: nothing to import.`,
    );
  });

  it('imports a hog function with a secret input: no secret value on disk, diff unchanged, push sends nothing', async () => {
    const ws = await fresh();
    const fn = emu.project(1)?.hogFunctions.find((h) => h.name === 'Notify CRM of signups');
    const r = await ws.run(['import', 'hog-function', String(fn?.id)]);
    expect(r.code, r.stderr).toBe(0);
    const file = 'posthog/hog-functions/notify-crm-of-signups.yaml';
    expect(ws.read(file)).toBe(pulled.read(file));
    expect(ws.read(file)).toContain('secret: true');
    expect(ws.read(file) + ws.read('.hogsync/state/production.json') + r.stdout + r.stderr).not.toContain('fake-demo-token');
    const diff = await diffJson(ws);
    expect([diff.code, diff.doc.summary.unchanged, diff.changes]).toEqual([0, 1, []]);
    const push = await ws.run(['push', '--yes', '--prune']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(writes()).toEqual([]);
  });

  it('--key names the file; a file bound to nothing that already holds the resource is bound, not written twice', async () => {
    const ws = await fresh();
    const wau = emu.project(1)?.insights.find((i) => i.name === 'Weekly active users');
    const named = await ws.run(['import', 'insight', String(wau?.id), '--key', 'wau']);
    expect(named.code, named.stderr).toBe(0);
    expect(ws.read('posthog/insights/wau.yaml')).toBe(
      pulled.read('posthog/insights/weekly-active-users.yaml').replace('key: weekly-active-users\n', 'key: wau\n'),
    );

    const funnel = emu.project(1)?.insights.find((i) => i.name === 'Signup funnel');
    mkdirSync(join(ws.dir, 'posthog', 'insights'), { recursive: true });
    const text = pulled.read('posthog/insights/signup-funnel.yaml').replace('key: signup-funnel\n', 'key: funnel\n');
    ws.write('posthog/insights/funnel.yaml', text);
    const wrong = await ws.run(['import', 'insight', String(funnel?.id), '--key', 'other']);
    expect([wrong.code, wrong.stderr]).toEqual([
      1,
      'error: posthog/insights/funnel.yaml already holds this insight and is bound to nothing yet: import it as "funnel" (--key funnel), or remove that file first.\n',
    ]);
    const twin = await ws.run(['import', 'insight', String(funnel?.id), '--output', 'json']);
    expect(twin.code, twin.stdout).toBe(0);
    expect(JSON.parse(twin.stdout)).toMatchObject({ key: 'funnel', written: false });
    expect(ws.read('posthog/insights/funnel.yaml')).toBe(text);
    const diff = await diffJson(ws);
    expect([diff.code, diff.doc.summary.unchanged, diff.doc.summary.adopt]).toEqual([0, 2, 0]);
  });

  it('refuses in one sentence, writing nothing: unknown resource, key taken by a file or another environment’s binding, invalid key', async () => {
    const ws = await fresh();
    mkdirSync(join(ws.dir, 'posthog', 'insights'), { recursive: true });
    mkdirSync(join(ws.dir, '.hogsync', 'state'), { recursive: true });
    ws.write(
      'posthog/insights/taken.yaml',
      pulled.read('posthog/insights/weekly-retention.yaml').replace('key: weekly-retention\n', 'key: taken\n'),
    );
    const staging = {
      version: 1,
      environment: 'staging',
      host: emu.url,
      project: '2',
      resources: { 'Insight/elsewhere': { id: 424242, base: `sha256:${'a'.repeat(64)}` } },
    };
    ws.write('.hogsync/state/staging.json', `${JSON.stringify(staging, null, 2)}\n`);
    const wau = String(emu.project(1)?.insights.find((i) => i.name === 'Weekly active users')?.id);
    const cases: Array<[string[], string]> = [
      [['import', 'insight', '999999'], 'No insight 999999 in production: give its id or short_id as "hogsync list insight" shows it.'],
      [['import', 'insight', 'nope1234'], 'No insight nope1234 in production: give its id or short_id as "hogsync list insight" shows it.'],
      [
        ['import', 'insight', wau, '--key', 'taken'],
        'posthog/insights/taken.yaml already exists, so "taken" is taken: choose another --key.',
      ],
      [
        ['import', 'insight', wau, '--key', 'elsewhere'],
        '"elsewhere" is taken: .hogsync/state/staging.json holds the binding of id 424242 under insight/elsewhere; choose another --key.',
      ],
      [
        ['import', 'insight', wau, '--key', 'Not A Key'],
        '"Not A Key" cannot be a key: use lower-case letters, digits, "-" and "_", starting with a letter or digit, at most 100 characters.',
      ],
      // A variable's key is its code_name (insight-variable.ts naturalOfKey).
      [
        [
          'import',
          'insight-variable',
          String(emu.project(1)?.insightVariables.find((v) => v.code_name === 'country')?.id),
          '--key',
          'region',
        ],
        '"region" cannot be this insight-variable\'s key: its key is its code_name "country", which SQL insights use; import it without --key.',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await ws.run(args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([1, `error: ${message}\n`]);
    }
    expect(ws.files('posthog/insights')).toEqual(['taken.yaml']);
    expect(ws.exists('.hogsync/state/production.json')).toBe(false);
    expect(ws.exists('.hogsync/state/production.lock')).toBe(false);
    expect(writes()).toEqual([]);
  });
});

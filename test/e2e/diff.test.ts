import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import fastJsonPatch from 'fast-json-patch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { project } from '../emulator/helpers.js';
import { ROOT, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';
import { expectGolden } from '../helpers/golden.js';
import { randomHogFunction, randomInsight, randomVariable, rng } from './random-resources.js';

let emu: Emulator;
let demo: SeedDoc;

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

/** Compares with test/golden/diff/<name>, volatile ids replaced first. */
function golden(name: string, actual: string): void {
  const normalised = actual
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\(id \d+\)/g, '(id <n>)')
    .replace(/"id": \d+/g, '"id": <n>');
  expectGolden(`diff/${name}`, normalised);
}

function diffDoc(stdout: string) {
  return JSON.parse(stdout) as {
    summary: Record<string, number>;
    changes: Array<{ kind: string; key: string | null; action: string; patch?: fastJsonPatch.Operation[]; notes?: string[] }>;
  };
}

describe('diff after pull is empty (property-style, randomised resources)', () => {
  it.each([1, 2, 3, 4, 5, 6])('seed %i: resources created through the API, pulled, then diffed: zero changes', async (seed) => {
    const r = rng(seed);
    emu.reset({ projects: [{ id: 1, name: 'Random' }] });
    const api = project(emu);
    const variables: Array<{ id: string; code_name: string }> = [];
    for (let i = 0; i < 6; i++) {
      const res = await api.post('insight_variables/', randomVariable(r, i));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      // HogQL placeholders are ASCII identifiers; a variable named "Région" cannot be used in SQL.
      if (/^[a-z_][a-z0-9_]*$/.test(res.body.code_name)) variables.push({ id: res.body.id, code_name: res.body.code_name });
    }
    for (let i = 0; i < 10; i++) {
      const res = await api.post('insights/', randomInsight(r, i, variables));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    for (let i = 0; i < 6; i++) {
      const res = await api.post('hog_functions/', randomHogFunction(r, i));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const ws = await workspace(emu);
    const pulled = await ws.run(['pull']);
    expect(pulled.code, pulled.stderr).toBe(0);
    const diff = await ws.run(['diff', '--output', 'json']);
    const doc = diffDoc(diff.stdout);
    expect(doc.changes, JSON.stringify(doc.changes, null, 2)).toEqual([]);
    expect(diff.code).toBe(0);
    expect(doc.summary.unchanged).toBe(22);
    for (const file of ws.files('posthog/hog-functions')) expect(ws.read(`posthog/hog-functions/${file}`)).not.toContain('fake-secret');
  });
});

/** The demo project pulled, then one change of every classification. */
async function scenario(): Promise<Workspace> {
  const ws = await workspace(emu);
  expect((await ws.run(['pull'])).code).toBe(0);
  const api = project(emu);
  const store = emu.project(1);
  const idOf = (name: string) => store?.insights.find((i) => i.name === name)?.id;
  // update: a rename and a code change
  ws.write(
    'posthog/insights/weekly-active-users.yaml',
    ws.read('posthog/insights/weekly-active-users.yaml').replace('name: Weekly active users', 'name: Weekly active users (v2)'),
  );
  const hogFile = 'posthog/hog-functions/ip-anonymization.yaml';
  ws.write(hogFile, ws.read(hogFile).replace('return returnEvent', 'returnEvent.properties.anonymised := true\n    return returnEvent'));
  // create
  ws.write(
    'posthog/insight-variables/region.yaml',
    'apiVersion: hogsync/v1\nkind: InsightVariable\nkey: region\nspec:\n  name: Region\n  type: String\n  default_value: EU\n',
  );
  // delete
  ws.write('posthog/insights/recent-signups.yaml', '');
  (await import('node:fs')).rmSync(join(ws.dir, 'posthog/insights/recent-signups.yaml'));
  // drift: edited in the UI only
  await api.patch(`insights/${idOf('Feature stickiness')}/`, { description: 'Edited in the UI' });
  // conflict: edited on both sides
  ws.write(
    'posthog/insights/user-lifecycle.yaml',
    ws.read('posthog/insights/user-lifecycle.yaml').replace('name: User lifecycle', 'name: Lifecycle (mine)'),
  );
  await api.patch(`insights/${idOf('User lifecycle')}/`, { name: 'Lifecycle (theirs)' });
  // unmanaged: created in the UI
  await api.post('insights/', { name: 'Made in the UI', query: { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } } });
  return ws;
}

describe('diff classification and output', () => {
  it('classifies create, update, delete, drift, conflict, unchanged and unmanaged; exit 3 while drift or conflicts exist', async () => {
    const ws = await scenario();
    const r = await ws.run(['diff', '--output', 'json']);
    expect(r.code).toBe(3);
    const doc = diffDoc(r.stdout);
    const actions = Object.fromEntries(doc.changes.filter((c) => c.key).map((c) => [`${c.kind}/${c.key}`, c.action]));
    expect(actions).toEqual({
      'HogFunction/ip-anonymization': 'update',
      'Insight/feature-stickiness': 'drift',
      'Insight/recent-signups': 'delete',
      'Insight/user-lifecycle': 'conflict',
      'Insight/weekly-active-users': 'update',
      'InsightVariable/region': 'create',
    });
    // unmanaged: the insight made in the UI, and the static cohort (people, not configuration).
    expect(doc.summary).toMatchObject({ create: 1, update: 2, delete: 1, drift: 1, conflict: 1, adopt: 0, unmanaged: 2 });
    // Soft-deleting an insight deletes its alerts (posthog-api.md §10): the plan says so.
    const deleted = doc.changes.find((c) => c.key === 'recent-signups') as { notes?: string[] } | undefined;
    expect(deleted?.notes).toContain(
      'PostHog deletes its alerts with it for good and takes it off its dashboards (a restore brings both back from their files)',
    );
    const managed = doc.changes.filter((c) => c.key !== null).map((c) => `${c.kind}/${c.key}`);
    expect(managed).toEqual([...managed].sort());
  });

  it('exit 2 when there are only changes to push, 0 when in sync', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    expect((await ws.run(['diff'])).code).toBe(0);
    ws.write(
      'posthog/insights/weekly-active-users.yaml',
      ws.read('posthog/insights/weekly-active-users.yaml').replace('name: Weekly active users', 'name: WAU'),
    );
    expect((await ws.run(['diff'])).code).toBe(2);
  });

  it('the JSON document matches schemas/diff-output.schema.json, and every patch turns the remote spec into the file’s', async () => {
    const ws = await scenario();
    const r = await ws.run(['diff', '--output', 'json']);
    const doc = JSON.parse(r.stdout);
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', 'diff-output.schema.json'), 'utf8')));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    // The remote side as pull would write it: PostHog's version in a second workspace with the same state (same keys).
    const remote = await workspace(emu);
    mkdirSync(join(remote.dir, '.hogsync', 'state'), { recursive: true });
    remote.write('.hogsync/state/production.json', ws.read('.hogsync/state/production.json'));
    expect((await remote.run(['pull', '--force'])).code).toBe(0);
    for (const c of doc.changes as Array<{ kind: string; key: string; action: string; patch?: fastJsonPatch.Operation[] }>) {
      if (!['update', 'drift', 'conflict'].includes(c.action)) continue;
      const folder = { Insight: 'insights', InsightVariable: 'insight-variables', HogFunction: 'hog-functions' }[c.kind];
      const theirs = parse(remote.read(`posthog/${folder}/${c.key}.yaml`)).spec;
      const mine = parse(ws.read(`posthog/${folder}/${c.key}.yaml`)).spec;
      const applied = fastJsonPatch.applyPatch({ spec: theirs }, c.patch ?? [], true, false).newDocument;
      expect(applied, `${c.kind}/${c.key}`).toEqual({ spec: mine });
    }
  });

  it('text output matches its golden file: markers, changed paths old → new, line diffs for code', async () => {
    const ws = await scenario();
    const r = await ws.run(['diff']);
    golden('scenario.txt', r.stdout);
    expect(r.stdout).toContain('+ create InsightVariable/region');
    expect(r.stdout).toMatch(/~ spec\.name: "Weekly active users" → "Weekly active users \(v2\)"/);
    expect(r.stdout).toContain('+returnEvent.properties.anonymised := true');
  });

  it('markdown output matches its golden file: a counts table and one collapsible section per change', async () => {
    const ws = await scenario();
    const r = await ws.run(['diff', '--output', 'markdown']);
    golden('scenario.md', r.stdout);
    expect(r.stdout.match(/<details>/g)).toHaveLength(6);
    expect(r.stdout).toContain('| create | update | adopt | delete | drift | conflict | unchanged | unmanaged |');
  });

  it('markdown stays under GitHub’s 65,536-character comment limit, with a note when it cuts', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    for (let i = 0; i < 300; i++) {
      ws.write(
        `posthog/insights/bulk-${i}.yaml`,
        `apiVersion: hogsync/v1\nkind: Insight\nkey: bulk-${i}\nspec:\n  name: Bulk ${i}\n  description: ${'long text '.repeat(30)}\n  query:\n    kind: DataTableNode\n    source:\n      kind: EventsQuery\n      select: [${Array.from({ length: 20 }, (_, c) => `"column_${c}"`).join(', ')}]\n`,
      );
    }
    const r = await ws.run(['diff', '--output', 'markdown']);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBeLessThan(65_536);
    expect(r.stdout).toMatch(/more change\(s\) are not shown: the comment would exceed GitHub's limit/);
  });

  it('secrets never appear in any output format', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const file = 'posthog/hog-functions/notify-crm-of-signups.yaml';
    ws.write(file, ws.read(file).replace('    auth_header:\n      secret: true', '    auth_header:\n      value: ${CRM_TOKEN}'));
    for (const format of ['text', 'json', 'markdown']) {
      const r = await ws.run(['diff', '--output', format], { CRM_TOKEN: 'fake-rotated-token' });
      expect(r.stdout + r.stderr).not.toContain('fake-rotated-token');
      expect(r.stdout + r.stderr).not.toContain('fake-demo-token');
    }
  });

  it('positional selectors limit the diff to files or keys', async () => {
    const ws = await scenario();
    const one = await ws.run(['diff', 'posthog/insights/weekly-active-users.yaml', '--output', 'json']);
    expect(diffDoc(one.stdout).changes.map((c) => c.key)).toEqual(['weekly-active-users']);
    expect(one.code).toBe(2);
    const byKey = await ws.run(['diff', 'insight-variable/region', 'recent-signups', '--output', 'json']);
    expect(
      diffDoc(byKey.stdout)
        .changes.map((c) => c.key)
        .sort(),
    ).toEqual(['recent-signups', 'region']);
    const kinds = await ws.run(['diff', '--kinds', 'hog-function', '--output', 'json']);
    expect(diffDoc(kinds.stdout).changes.map((c) => c.kind)).toEqual(['HogFunction']);
    const none = await ws.run(['diff', 'no-such-key']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/Nothing matches "no-such-key"/);
  });
});

/**
 * What a reviewer reads on a pull request (issue "The plan is what gets applied"): UI edits
 * shown as what happened in PostHog, old → new scalars, tags as items, code once as a line
 * diff or a block, a new SQL insight as YAML, and a variable push needs that is not set.
 */
async function reviewScenario(): Promise<Workspace> {
  const ws = await workspace(emu);
  expect((await ws.run(['pull'])).code).toBe(0);
  const api = project(emu);
  const idOf = (name: string) => emu.project(1)?.insights.find((i) => i.name === name)?.id;
  // drift: renamed and tagged in the UI, the file untouched
  expect(
    (await api.patch(`insights/${idOf('Signup funnel')}/`, { name: 'Signup funnel (UI)', tags: ['funnel', 'growth', 'q3'] })).status,
  ).toBe(200);
  // update: scalars, a tag removed and one added
  const browser = 'posthog/insights/pageviews-by-browser.yaml';
  ws.write(
    browser,
    ws.read(browser).replace('name: Pageviews by browser', 'name: Pageviews per browser').replace('    - web', '    - traffic'),
  );
  // update: HogQL changed in an existing SQL insight
  const sql = 'posthog/insights/active-users-by-country-sql.yaml';
  ws.write(sql, ws.read(sql).replace('LIMIT 20', 'LIMIT 50'));
  // update: a boolean, a Hog line and an input set from a variable that is not set here
  const crm = 'posthog/hog-functions/notify-crm-of-signups.yaml';
  ws.write(
    crm,
    ws
      .read(crm)
      .replace('  enabled: true', '  enabled: false')
      .replace('    let res := fetch(inputs.url, payload)', "    let res := fetch(inputs.url, payload)\n    print('Sent', res.status)")
      .replace('https://hooks.example.com/posthog/signups', '${CRM_WEBHOOK_URL}'),
  );
  // create: a SQL insight, its HogQL on several lines
  ws.write(
    'posthog/insights/signups-by-plan-sql.yaml',
    [
      'apiVersion: hogsync/v1',
      'kind: Insight',
      'key: signups-by-plan-sql',
      'spec:',
      '  name: Signups by plan (SQL)',
      '  tags: [sql, growth]',
      '  query:',
      '    kind: DataVisualizationNode',
      '    source:',
      '      kind: HogQLQuery',
      '      query: |-',
      '        SELECT properties.plan AS plan, count() AS signups',
      '        FROM events',
      "        WHERE event = 'signed_up'",
      '        GROUP BY plan',
      '',
    ].join('\n'),
  );
  return ws;
}

describe('diff output a reviewer can trust (issue "The plan is what gets applied")', () => {
  it('text: drift reads as what PostHog did, scalars old → new, tags as items, code once, unset variables listed', async () => {
    const ws = await reviewScenario();
    const r = await ws.run(['diff']);
    expect(r.code).toBe(3);
    golden('review.txt', r.stdout);
    const drift = r.stdout.slice(r.stdout.indexOf('! drift Insight/signup-funnel'));
    // PostHog's new values on the right of the arrow, the UI's added tag as an added item
    expect(drift).toMatch(
      /in PostHog \(last sync → now\):\n\s+~ spec\.name: "Signup funnel" → "Signup funnel \(UI\)"\n\s+~ spec\.tags:\n\s+\+ q3\n/,
    );
    expect(drift).toMatch(/→ push --force reverts PostHog to the file; pull takes PostHog's version into the file/);
    expect(r.stdout).toMatch(/~ spec\.tags:\n\s+- web\n\s+\+ traffic\n/);
    expect(r.stdout).toContain('~ spec.enabled: true → false');
    expect(r.stdout).toContain("+print('Sent', res.status)");
    expect(r.stdout).toMatch(/\n\s+-LIMIT 20\n\s+\+LIMIT 50\n/);
    // the new SQL insight as YAML, its HogQL a block, never a JSON string
    expect(r.stdout).toMatch(
      /\+ create Insight\/signups-by-plan-sql[^\n]*\n(\s+\+ [^\n]*\n)*\s+\+ {5}query: \|-\n\s+\+ {7}SELECT properties\.plan AS plan, count\(\) AS signups\n/,
    );
    expect(r.stdout).not.toMatch(/\\n/);
    expect(r.stdout).toMatch(
      /warning: push needs these variables[^\n]*\n\s+\$\{CRM_WEBHOOK_URL\}\s+used by HogFunction\/notify-crm-of-signups\n/,
    );
  });

  it('markdown: the same, each code change once, no JSON patch', async () => {
    const ws = await reviewScenario();
    const r = await ws.run(['diff', '--output', 'markdown']);
    golden('review.md', r.stdout);
    expect(r.stdout).toContain("+print('Sent', res.status)");
    expect(r.stdout.split("print('Sent', res.status)")).toHaveLength(2);
    expect(r.stdout).not.toMatch(/\\n|"op":/);
    expect(r.stdout).toMatch(
      /> \[!WARNING\]\n> Push needs these variables[^\n]*\n> - `\$\{CRM_WEBHOOK_URL\}`, used by `HogFunction\/notify-crm-of-signups`/,
    );
    expect(r.stdout).toContain('- `spec.name`: `"Signup funnel"` → `"Signup funnel (UI)"`');
  });

  it('JSON: drift carries both patches, each turning one side into the other; missingVars lists the unset variable', async () => {
    const ws = await reviewScenario();
    const r = await ws.run(['diff', '--output', 'json']);
    golden('review.json', r.stdout);
    const doc = JSON.parse(r.stdout);
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', 'diff-output.schema.json'), 'utf8')));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.missingVars).toEqual(['CRM_WEBHOOK_URL']);
    const drift = doc.changes.find((c: { key: string }) => c.key === 'signup-funnel');
    const file = parse(ws.read('posthog/insights/signup-funnel.yaml')).spec;
    const pulled = fastJsonPatch.applyPatch({ spec: file }, drift.remotePatch, true, false).newDocument;
    expect(pulled.spec).toMatchObject({ name: 'Signup funnel (UI)', tags: ['funnel', 'growth', 'q3'] });
    expect(fastJsonPatch.applyPatch(pulled, drift.patch, true, false).newDocument).toEqual({ spec: file });
    const set = await ws.run(['diff', '--output', 'json'], { CRM_WEBHOOK_URL: 'https://hooks.example.com/new' });
    expect(JSON.parse(set.stdout).missingVars).toEqual([]);
  });
});

describe('diff: bad files fail with file:line:col before any request', () => {
  it.each([
    [
      'malformed YAML',
      'posthog/insights/broken.yaml',
      'apiVersion: hogsync/v1\nkind: Insight\nkey: broken\nspec:\n  name: [unclosed\n',
      /^error: posthog\/insights\/broken\.yaml:\d+:\d+: invalid YAML/,
    ],
    [
      'a key that disagrees with the file name',
      'posthog/insights/right-name.yaml',
      'apiVersion: hogsync/v1\nkind: Insight\nkey: wrong-name\nspec:\n  name: X\n',
      /^error: posthog\/insights\/right-name\.yaml:3:6: key "wrong-name" does not match the file name "right-name"/,
    ],
    [
      'a wrong kind in a folder',
      'posthog/insights/x.yaml',
      'apiVersion: hogsync/v1\nkind: HogFunction\nkey: x\nspec: {}\n',
      /^error: posthog\/insights\/x\.yaml:2:7: kind must be "Insight"/,
    ],
  ])('%s', async (_name, file, text, message) => {
    const ws = await workspace(emu);
    mkdirSync(join(ws.dir, 'posthog', 'insights'), { recursive: true });
    ws.write(file, text);
    emu.clearRequests();
    const r = await ws.run(['diff']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(emu.requests()).toHaveLength(0);
  });
});

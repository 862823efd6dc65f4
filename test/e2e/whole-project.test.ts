import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import type { Json, JsonObject } from '../../src/json.js';
import { TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * The whole project (issue 20): dashboards with their tiles' layouts and text tiles, actions,
 * cohorts inside cohorts and alerts, next to insights, variables and hog functions. The demo
 * project has three dashboards, three actions, two dynamic cohorts (one inside the other), a static
 * one and two alerts. Emulator behaviours follow products/dashboards/backend/api/dashboard.py,
 * products/actions/backend/api/action.py, posthog/api/cohort.py and products/alerts/backend/api/alert.py.
 */

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

// The Slack workspace of a destination is not hogsync's to manage: the only id a copy maps.
const STAGING = 'refs:\n  integrations:\n    "4821": 5120';
const SECRET = { HOGSYNC_SECRET_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER: 'Bearer fake-staging-token' };

async function inTheUi(method: string, path: string, body?: unknown, project = 1): Promise<JsonObject> {
  const res = await fetch(`${emu.url}/api/projects/${project}/${path}`, {
    method,
    headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status, path).toBeLessThan(300);
  return (await res.json()) as JsonObject;
}

/** Every resource file's text, by path under posthog/. */
function allFiles(ws: Workspace): Record<string, string> {
  const out: Record<string, string> = {};
  for (const folder of readdirSync(join(ws.dir, 'posthog'))) {
    for (const f of readdirSync(join(ws.dir, 'posthog', folder)))
      out[`${folder}/${f}`] = readFileSync(join(ws.dir, 'posthog', folder, f), 'utf8');
  }
  return out;
}

const spec = (ws: Workspace, file: string) => parse(ws.read(`posthog/${file}`)).spec as JsonObject;

/** A dashboard's live tiles as `insight name or text → sm layout, colour`, read from the emulator's store. */
function tilesOf(project: number, dashboard: string): Record<string, Json> {
  const p = emu.project(project);
  const d = p?.dashboards.find((x) => x.name === dashboard && !x.deleted);
  const out: Record<string, Json> = {};
  for (const t of p?.dashboardTiles.filter((x) => x.dashboard_id === d?.id && x.deleted !== true) ?? []) {
    const insight = p?.insights.find((i) => i.id === t.insight_id);
    if (insight?.deleted) continue;
    const what = insight ? `insight ${insight.name}` : `text ${p?.dashboardTexts.find((x) => x.id === t.text_id)?.body}`;
    const sm = (t.layouts as { sm?: JsonObject } | null)?.sm ?? {};
    out[what] = { x: sm.x ?? null, y: sm.y ?? null, w: sm.w ?? null, h: sm.h ?? null, color: t.color };
  }
  return out;
}

describe('the whole project', () => {
  it('pulls dashboards with their tiles, actions, cohorts and alerts into one file each; a second pull rewrites no byte and diff is empty', async () => {
    const ws = await workspace(emu);
    const first = await ws.run(['pull', '--commit']);
    expect(first.code, first.stderr).toBe(0);
    const files = allFiles(ws);
    expect(
      Object.keys(files)
        .filter((f) => !/^(insights|insight-variables|hog-functions)\//.test(f))
        .sort(),
    ).toEqual([
      'actions/signed-up.yaml',
      'actions/upgraded-plan.yaml',
      'actions/visited-pricing.yaml',
      'alerts/signups-dropping.yaml',
      'alerts/weekly-active-users-below-500.yaml',
      'cohorts/enterprise-power-users.yaml',
      'cohorts/power-users.yaml',
      'dashboards/growth.yaml',
      'dashboards/product-overview.yaml',
      'dashboards/sql-and-hog.yaml',
    ]);

    // References by key: tiles name insights, insights their dashboards, a cohort the cohort inside it
    // and an action, an alert its insight, queries and destinations their actions and cohorts.
    const growth = spec(ws, 'dashboards/growth.yaml');
    expect((growth.tiles as JsonObject[]).map((t) => t.insight ?? 'text')).toEqual([
      'signup-funnel',
      'daily-signups-action',
      'upgrade-conversion-rate',
      'weekly-retention',
      'text',
    ]);
    // The web app's layout items carry the tile's own id (`i`), which differs in every project: left out.
    expect((growth.tiles as JsonObject[])[1]).toEqual({
      insight: 'daily-signups-action',
      layouts: { sm: { x: 6, y: 0, w: 6, h: 5, minH: 5, minW: 3 }, xs: { x: 0, y: 0, w: 1, h: 5, minH: 5, minW: 1 } },
    });
    expect(spec(ws, 'insights/signup-funnel.yaml').dashboards).toEqual(['growth']);
    expect(files['cohorts/enterprise-power-users.yaml']).toMatch(/- key: id\n\s+type: cohort\n\s+value: power-users/);
    expect(files['cohorts/power-users.yaml']).toMatch(/- key: upgraded-plan\n\s+type: behavioral\n\s+event_type: actions/);
    expect(files['cohorts/power-users.yaml']).not.toMatch(/bytecode|conditionHash|negation/);
    expect(spec(ws, 'alerts/signups-dropping.yaml')).toMatchObject({
      insight: 'daily-signups-action',
      condition: { type: 'relative_decrease' },
      subscribed_users: [1],
    });
    expect(files['insights/daily-signups-action.yaml']).toMatch(/kind: ActionsNode\n\s+name: Signed up\n\s+id: signed-up/);
    expect(files['insights/pageviews-of-power-users.yaml']).toMatch(/value: power-users/);
    expect(files['hog-functions/slack-enterprise-upgrades.yaml']).toMatch(/type: actions\n\s+id: upgraded-plan/);
    // A static cohort holds people: it gets no file.
    expect(Object.keys(files).join()).not.toContain('beta-testers');

    const second = await ws.run(['pull', '--commit']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/0 added, 0 changed, 0 removed\. No file changed\./);
    expect(allFiles(ws)).toEqual(files);
    const diff = await ws.run(['diff', '--output', 'json']);
    expect(diff.code, diff.stdout).toBe(0);
    expect(JSON.parse(diff.stdout).changes).toEqual([
      {
        kind: 'Cohort',
        key: null,
        action: 'unmanaged',
        id: 3,
        name: 'Beta testers (uploaded)',
        notes: ['a static cohort: it holds people, not configuration'],
      },
    ]);
  });

  it('copies into an empty project without refs for what it manages: dashboards with their tiles where they were, actions, cohorts re-pointed, alerts; a second copy sends no write', async () => {
    const ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2, extra: STAGING } } });
    const copy = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], SECRET);
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    const prod = emu.project(1);
    const staging = emu.project(2);
    const idIn = (p: typeof staging, list: 'actions' | 'cohorts' | 'insights', name: string) =>
      (p?.[list] as Array<{ id: number; name: string | null }> | undefined)?.find((x) => x.name === name)?.id;

    for (const name of ['Product overview', 'Growth', 'SQL and Hog']) expect(tilesOf(2, name), name).toEqual(tilesOf(1, name));
    expect(Object.keys(tilesOf(2, 'Growth'))).toContain('text Upgrades count the *Upgraded plan* action.');
    expect(staging?.actions.map((a) => [a.name, a.steps]).sort()).toEqual(prod?.actions.map((a) => [a.name, a.steps]).sort());

    const signedUp = idIn(staging, 'actions', 'Signed up');
    const upgraded = idIn(staging, 'actions', 'Upgraded plan');
    const power = idIn(staging, 'cohorts', 'Power users');
    expect([signedUp, upgraded, power].every((id) => id !== undefined)).toBe(true);
    const text = (v: unknown) => JSON.stringify(v);
    const cohortFilters = (name: string) => text(staging?.cohorts.find((c) => c.name === name)?.filters);
    expect(cohortFilters('Enterprise power users')).toContain(`"type":"cohort","key":"id","value":${power}`);
    expect(cohortFilters('Power users')).toContain(`"type":"behavioral","key":${upgraded}`);
    expect(text(staging?.insights.find((i) => i.name === 'Daily signups (action)')?.query)).toContain(`"id":${signedUp}`);
    expect(text(staging?.insights.find((i) => i.name === 'Pageviews of power users')?.query)).toContain(`"value":${power}`);
    expect(text(staging?.hogFunctions.find((f) => f.name === 'Slack: enterprise upgrades')?.filters)).toContain(`"id":${upgraded}`);
    const alerts = staging?.alerts.map((a) => [a.name, staging.insights.find((i) => i.id === a.insight_id)?.name]).sort();
    expect(alerts).toEqual([
      ['Signups dropping', 'Daily signups (action)'],
      ['Weekly active users below 500', 'Weekly active users'],
    ]);

    emu.clearRequests();
    const again = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], SECRET);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('restores a dashboard deleted in the UI with its insights (delete_insights) in place: same ids, tiles where they were, its insights and their alert', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const before = tilesOf(1, 'Growth');
    const insightIds = emu
      .project(1)
      ?.insights.filter((i) => (emu.project(1)?.dashboardTiles ?? []).some((t) => t.insight_id === i.id && t.dashboard_id === 2))
      .map((i) => i.id);
    expect(insightIds).toHaveLength(4);
    await inTheUi('PATCH', 'dashboards/2/', { deleted: true, delete_insights: true });
    const nightly = await ws.run(['pull', '--commit']);
    expect(nightly.code, nightly.stderr).toBe(0);
    expect(ws.exists('posthog/dashboards/growth.yaml')).toBe(false);

    emu.clearRequests();
    const restore = await ws.run(['restore', 'HEAD~1', '--yes']);
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/\^ restored Dashboard\/growth \(id 2\): undeleted in place/);
    // Brought back, never made again.
    expect(emu.requests().filter((r) => r.method === 'POST' && /dashboards|insights/.test(r.path))).toEqual([]);
    const project = emu.project(1);
    expect(project?.dashboards.find((d) => d.id === 2)?.deleted).toBe(false);
    expect(project?.insights.filter((i) => insightIds?.includes(i.id)).map((i) => i.deleted)).toEqual([false, false, false, false]);
    expect(tilesOf(1, 'Growth')).toEqual(before);
    expect(project?.alerts.some((a) => a.name === 'Signups dropping')).toBe(true);

    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    expect((await ws.run(['diff'])).code).toBe(0);
  });

  it('restores one dashboard by selector with the insights PostHog deleted with it, and copies dashboards alone saying which tiles wait for their insights', async () => {
    const ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2, extra: STAGING } } });
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const before = tilesOf(1, 'SQL and Hog');
    await inTheUi('PATCH', 'dashboards/3/', { deleted: true, delete_insights: true });
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const restore = await ws.run(['restore', 'HEAD~1', 'dashboard/sql-and-hog', '--yes']);
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/\^ restored Dashboard\/sql-and-hog \(id 3\)/);
    expect(restore.stdout).toMatch(/\^ restored Insight\//);
    expect(tilesOf(1, 'SQL and Hog')).toEqual(before);

    const copy = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--kinds', 'dashboard', '--yes'], SECRET);
    expect(copy.code).toBe(1);
    expect(copy.stdout + copy.stderr).toMatch(
      /Dashboard\/growth.*its tiles, variables were not written: they name Insight\/[a-z-]+(, Insight\/[a-z-]+)* and Insight\/[a-z-]+, which PostHog does not have; push or copy them too \(or with this one\), then run again/,
    );
    expect(
      emu
        .project(2)
        ?.dashboards.filter((d) => !d.deleted)
        .map((d) => d.name)
        .sort(),
    ).toEqual(['Growth', 'Product overview', 'SQL and Hog']);
  });

  it('restores a dashboard deleted in the UI before any pull without calling the unchanged files behind: an edit after the restore is an edit', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    await inTheUi('PATCH', 'dashboards/3/', { deleted: true });
    const restore = await ws.run(['restore', 'HEAD', '--yes']);
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/\^ restored Dashboard\/sql-and-hog \(id 3\)/);
    expect(restore.stderr).not.toMatch(/have no file in the work tree/);
    expect(JSON.stringify(ws.state().resources)).not.toMatch(/awaitsFile|behind/);

    const file = 'posthog/dashboards/sql-and-hog.yaml';
    ws.write(file, ws.read(file).replace(/^( {2}name: .*)$/m, '$1 (edited)'));
    const diff = await ws.run(['diff']);
    expect(diff.stdout).toMatch(/~ update Dashboard\/sql-and-hog/);
    expect((await ws.run(['pull'])).code).toBe(0);
    expect(ws.read(file)).toMatch(/ \(edited\)$/m);
  });

  it('restores an insight deleted in the UI: in place, back on its dashboard, and its alert, which PostHog deleted for good, re-created', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const wau = emu.project(1)?.insights.find((i) => i.name === 'Weekly active users');
    const before = tilesOf(1, 'Product overview');
    await inTheUi('PATCH', `insights/${wau?.id}/`, { deleted: true });
    expect(emu.project(1)?.alerts.filter((a) => a.insight_id === wau?.id)).toEqual([]);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);

    const restore = await ws.run(['restore', 'HEAD~1', '--yes']);
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/\^ restored Alert\/weekly-active-users-below-500 .*re-created/);
    const alert = emu.project(1)?.alerts.find((a) => a.insight_id === wau?.id);
    expect(alert?.name).toBe('Weekly active users below 500');
    expect(alert?.threshold?.configuration).toEqual({ type: 'absolute', bounds: { lower: 500 } });
    expect(tilesOf(1, 'Product overview')).toEqual(before);
    // The nightly pull left the dashboard's file without the tile: behind the restore, not edited.
    expect(restore.stderr).toContain('posthog/dashboards/product-overview.yaml');
    expect((await ws.run(['diff'])).stdout).toMatch(/! drift Dashboard\/product-overview .*\n\s+# restored from an earlier commit/);
    expect((await ws.run(['pull'])).code).toBe(0);
    expect((await ws.run(['diff'])).code).toBe(0);
  });

  it('names the alert an alert notification destination fires for by key: restored with a re-created alert and copied, it fires for the new alert', async () => {
    const wau = emu.project(1)?.insights.find((i) => i.name === 'Weekly active users');
    const alertId = emu.project(1)?.alerts.find((a) => a.insight_id === wau?.id)?.id;
    await inTheUi('POST', 'hog_functions/', {
      name: 'Notify on WAU alert',
      type: 'internal_destination',
      hog: 'return 1',
      enabled: true,
      filters: {
        events: [{ id: '$insight_alert_firing', type: 'events' }],
        properties: [{ key: 'alert_id', value: alertId, operator: 'exact', type: 'event' }],
      },
    });
    const ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2, extra: STAGING } } });
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    expect(ws.read('posthog/hog-functions/notify-on-wau-alert.yaml')).toContain('value: weekly-active-users-below-500');
    expect((await ws.run(['diff'])).code).toBe(0);
    const firesFor = (project: number) => {
      const fn = emu.project(project)?.hogFunctions.find((f) => f.name === 'Notify on WAU alert' && !f.deleted);
      return (fn?.filters.properties as JsonObject[] | undefined)?.[0]?.value;
    };

    // PostHog deletes the insight's alert for good, and the alert's destination with it.
    await inTheUi('PATCH', `insights/${wau?.id}/`, { deleted: true });
    expect(firesFor(1)).toBeUndefined();
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const restore = await ws.run(['restore', 'HEAD~1', '--yes']);
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    const recreated = emu.project(1)?.alerts.find((a) => a.insight_id === wau?.id)?.id;
    expect(recreated).toBeDefined();
    expect(recreated).not.toBe(alertId);
    expect(firesFor(1)).toBe(recreated);

    const copy = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], SECRET);
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    const stagingWau = emu.project(2)?.insights.find((i) => i.name === 'Weekly active users');
    expect(firesFor(2)).toBe(emu.project(2)?.alerts.find((a) => a.insight_id === stagingWau?.id)?.id);
  });

  it('creates a dashboard written as a file, with tiles on existing insights and a text tile; a tile for an insight not on it is refused at file:line:col', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    ws.write(
      'posthog/dashboards/launch.yaml',
      [
        'apiVersion: hogsync/v1',
        'kind: Dashboard',
        'key: launch',
        'spec:',
        '  name: Launch week',
        '  tiles:',
        '    - insight: weekly-active-users',
        '      layouts: {sm: {x: 0, y: 0, w: 8, h: 6}}',
        '    - insight: recent-signups',
        '      layouts: {sm: {x: 8, y: 0, w: 4, h: 6}}',
        '      color: purple',
        '    - text: "## Launch notes"',
        '      layouts: {sm: {x: 0, y: 6, w: 12, h: 2}}',
        '',
      ].join('\n'),
    );
    const refused = await ws.run(['push', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /posthog\/dashboards\/launch\.yaml:7:16: insight "weekly-active-users" is not on this dashboard: add launch to the dashboards of insights\/weekly-active-users\.yaml/,
    );

    for (const key of ['weekly-active-users', 'recent-signups']) {
      const file = `posthog/insights/${key}.yaml`;
      const doc = ws.read(file);
      ws.write(
        file,
        doc.includes('  dashboards:\n')
          ? doc.replace('  dashboards:\n', '  dashboards:\n    - launch\n')
          : doc.replace(/^( {2}query:)/m, '  dashboards:\n    - launch\n$1'),
      );
    }
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(push.stdout).toMatch(/\+ created Dashboard\/launch/);
    expect(tilesOf(1, 'Launch week')).toEqual({
      'insight Weekly active users': { x: 0, y: 0, w: 8, h: 6, color: null },
      'insight Recent signups': { x: 8, y: 0, w: 4, h: 6, color: 'purple' },
      'text ## Launch notes': { x: 0, y: 6, w: 12, h: 2, color: null },
    });
    const diff = await ws.run(['diff']);
    expect(diff.code, diff.stdout).toBe(0);
    emu.clearRequests();
    expect((await ws.run(['push', '--yes'])).code).toBe(0);
    expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('does not take a dashboard made in the UI for a new file of the same name when their tiles differ: it warns and creates another', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const made = await inTheUi('POST', 'dashboards/', { name: 'Launch week' });
    await inTheUi('PATCH', `dashboards/${String(made.id)}/`, {
      tiles: [{ text: { body: 'Written in the UI' }, layouts: { sm: { x: 0, y: 0, w: 12, h: 2 } } }],
    });
    ws.write(
      'posthog/dashboards/launch.yaml',
      'apiVersion: hogsync/v1\nkind: Dashboard\nkey: launch\nspec:\n  name: Launch week\n  tiles:\n    - text: Campaign KPIs\n      layouts: {sm: {x: 0, y: 0, w: 12, h: 2}}\n',
    );
    const diff = await ws.run(['diff']);
    expect(diff.stdout).toMatch(
      /\+ create Dashboard\/launch .*\n\s+# a remote Dashboard with the same name already exists \(id \d+\); pass --adopt/,
    );
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(push.stdout).toMatch(/\+ created Dashboard\/launch/);
    const texts = (id: unknown) =>
      emu
        .project(1)
        ?.dashboardTiles.filter((t) => t.dashboard_id === id && t.deleted !== true)
        .map((t) => emu.project(1)?.dashboardTexts.find((x) => x.id === t.text_id)?.body);
    expect(texts(made.id)).toEqual(['Written in the UI']);
  });

  it("sets a dashboard's variables by a second request (PostHog ignores them on create), and refuses to drop them, which its API cannot do", async () => {
    const variable = emu.project(1)?.insightVariables[0];
    expect(variable).toBeDefined();
    const code = String(variable?.code_name);
    await inTheUi('PATCH', 'dashboards/3/', {
      variables: { [String(variable?.id)]: { code_name: code, variableId: variable?.id, value: 'FR' } },
    });
    const ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2, extra: STAGING } } });
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    expect(spec(ws, 'dashboards/sql-and-hog.yaml').variables).toEqual({ [code]: { value: 'FR' } });

    const copy = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], SECRET);
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    const stagingVariable = emu.project(2)?.insightVariables.find((v) => v.code_name === code);
    const stagingDashboard = emu.project(2)?.dashboards.find((d) => d.name === 'SQL and Hog');
    expect(stagingDashboard?.variables).toEqual({
      [String(stagingVariable?.id)]: expect.objectContaining({ code_name: code, variableId: stagingVariable?.id, value: 'FR' }),
    });
    expect((await ws.run(['diff', '-e', 'staging'], SECRET)).code).toBe(0);

    const file = 'posthog/dashboards/sql-and-hog.yaml';
    ws.write(file, ws.read(file).replace(/\n {2}variables:\n(?: {4}.*\n)+/, '\n'));
    emu.clearRequests();
    const push = await ws.run(['push', '--yes']);
    expect(push.code).toBe(1);
    expect(push.stdout + push.stderr).toMatch(
      /Dashboard\/sql-and-hog.*variables cannot be removed through PostHog's API \(it ignores empty variables\): clear it in PostHog, or put it back in the file/,
    );
    expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);
    expect((await ws.run(['diff'])).stdout).toMatch(/~ update Dashboard\/sql-and-hog/);
  });

  it("refuses to drop an alert's threshold, which PostHog's API refuses to empty, before any request", async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const file = 'posthog/alerts/weekly-active-users-below-500.yaml';
    expect(ws.read(file)).toContain('\n  threshold:\n');
    ws.write(file, ws.read(file).replace(/\n {2}threshold:\n(?: {4}.*\n)+/, '\n'));
    emu.clearRequests();
    const push = await ws.run(['push', '--yes']);
    expect(push.code).toBe(1);
    expect(push.stdout + push.stderr).toMatch(
      /Alert\/weekly-active-users-below-500.*threshold cannot be removed through PostHog's API \(ThresholdSerializer refuses an empty threshold\)/,
    );
    expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('refuses two tiles for one insight at file:line:col: PostHog holds one tile per insight on a dashboard', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const file = 'posthog/dashboards/growth.yaml';
    const first = String((spec(ws, 'dashboards/growth.yaml').tiles as JsonObject[])[0]?.insight);
    ws.write(file, `${ws.read(file)}    - insight: ${first}\n      color: red\n`);
    const validate = await ws.run(['validate']);
    expect(validate.code).toBe(1);
    expect(validate.stdout + validate.stderr).toMatch(
      new RegExp(
        `posthog/dashboards/growth\\.yaml:\\d+:\\d+: insight "${first}" already has a tile on this dashboard \\(tiles\\[0\\]\\): PostHog holds one tile per insight, so merge the two entries`,
      ),
    );
  });

  it('settles what PostHog fills in: hand-written action, cohort and alert files, pushed, then diff is empty and a second push sends nothing', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const envelope = (kind: string, key: string, spec: string) => `apiVersion: hogsync/v1\nkind: ${kind}\nkey: ${key}\nspec:\n${spec}`;
    // Every step key but two left out (PostHog stores them all, url_matching "contains").
    ws.write(
      'posthog/actions/opened-docs.yaml',
      envelope('Action', 'opened-docs', '  name: Opened the docs\n  steps:\n    - event: $pageview\n      url: /docs\n'),
    );
    // No negation, no bytecode or conditionHash (PostHog adds them), a cohort and an action by key.
    ws.write(
      'posthog/cohorts/docs-readers.yaml',
      envelope(
        'Cohort',
        'docs-readers',
        '  name: Docs readers\n  filters:\n    properties:\n      type: AND\n      values:\n        - type: behavioral\n          key: opened-docs\n          event_type: actions\n          value: performed_event\n          time_value: 30\n          time_interval: day\n        - type: cohort\n          key: id\n          value: power-users\n',
      ),
    );
    // No state, no threshold id, no subscribers (PostHog fills the first two, requires the last).
    ws.write(
      'posthog/alerts/retention-floor.yaml',
      envelope(
        'Alert',
        'retention-floor',
        '  insight: pageviews-by-browser\n  name: Pageviews floor\n  condition:\n    type: absolute_value\n  config:\n    type: TrendsAlertConfig\n    series_index: 0\n  threshold:\n    configuration:\n      type: absolute\n      bounds:\n        lower: 10\n',
      ),
    );
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(push.stdout).toMatch(/3 created/);
    const diff = await ws.run(['diff']);
    expect(diff.code, diff.stdout).toBe(0);
    emu.clearRequests();
    expect((await ws.run(['push', '--yes'])).code).toBe(0);
    expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('keeps the meaning of insight files from before dashboards were managed: dashboard ids are in sync, and the next pull writes keys, saying so in one line', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const ids: Record<string, number> = { 'product-overview': 1, growth: 2, 'sql-and-hog': 3 };
    const keyed = ws.read('posthog/insights/signup-funnel.yaml');
    for (const f of ws.files('posthog/insights')) {
      const file = `posthog/insights/${f}`;
      ws.write(
        file,
        ws
          .read(file)
          .replace(
            /(\n {2}dashboards:\n)((?: {4}- .*\n)+)/,
            (_m, head: string, items: string) => head + items.replace(/- (.*)/g, (_i, key: string) => `- ${ids[key]}`),
          ),
      );
    }
    expect(ws.read('posthog/insights/signup-funnel.yaml')).toContain('dashboards:\n    - 2\n');
    const diff = await ws.run(['diff']);
    expect(diff.code, diff.stdout).toBe(0);
    emu.clearRequests();
    expect((await ws.run(['push', '--yes'])).code).toBe(0);
    expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);

    const pull = await ws.run(['pull']);
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout).toContain(
      '~ 12 file(s) now name dashboards by key instead of by id, as hogsync manages them now (--output json lists the files)',
    );
    expect(pull.stdout).not.toMatch(/^~ posthog\/insights/m);
    expect(ws.read('posthog/insights/signup-funnel.yaml')).toBe(keyed);
  });

  it('pairs files with what refs: named in another environment before hogsync managed those kinds, then says the table is no longer needed', async () => {
    const ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2, extra: STAGING } } });
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    expect((await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], SECRET)).code).toBe(0);
    // As a checkout from before: staging's dashboards and cohorts were mapped by refs:, not bound,
    // and they were renamed there, so neither their names nor their content pair them.
    const staging = emu.project(2);
    const growth = staging?.dashboards.find((d) => d.name === 'Growth')?.id;
    const power = staging?.cohorts.find((c) => c.name === 'Power users')?.id;
    await inTheUi('PATCH', `dashboards/${growth}/`, { name: 'Growth (staging)' }, 2);
    await inTheUi('PATCH', `cohorts/${power}/`, { name: 'Power users (staging)' }, 2);
    const stateFile = join(ws.dir, '.hogsync/state/staging.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { resources: Record<string, unknown> };
    for (const ref of Object.keys(state.resources)) if (/^(Dashboard|Cohort)\//.test(ref)) delete state.resources[ref];
    writeFileSync(stateFile, JSON.stringify(state));
    const prodId = (list: 'dashboards' | 'cohorts', name: string) =>
      (emu.project(1)?.[list] as Array<{ id: number; name: string | null }> | undefined)?.find((x) => x.name === name)?.id;
    const config = ws
      .read('hogsync.yaml')
      .replace(
        '"4821": 5120',
        `"4821": 5120\n      dashboards:\n        "${prodId('dashboards', 'Growth')}": ${growth}\n      cohorts:\n        "${prodId('cohorts', 'Power users')}": ${power}`,
      );
    expect(config).toContain('cohorts:');
    ws.write('hogsync.yaml', config);

    const diff = await ws.run(['diff', '-e', 'staging'], SECRET);
    expect(diff.stdout).not.toMatch(/\+ create/);
    expect(diff.stdout).toMatch(
      new RegExp(
        `~ adopt Dashboard/growth \\(id ${growth}\\).*\\n\\s+# paired with id ${growth} through environments\\.staging\\.refs\\.dashboards`,
      ),
    );
    expect(diff.stdout).toMatch(new RegExp(`~ adopt Cohort/power-users \\(id ${power}\\)`));
    expect(diff.stderr).not.toMatch(/no longer needed/);
    emu.clearRequests();
    const push = await ws.run(['push', '-e', 'staging', '--yes'], SECRET);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(emu.requests().filter((r) => r.method === 'POST')).toEqual([]);
    expect(emu.project(2)?.dashboards.find((d) => d.id === growth)?.name).toBe('Growth');
    const after = await ws.run(['diff', '-e', 'staging'], SECRET);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stderr).toMatch(/environments\.staging\.refs\.dashboards in hogsync\.yaml is no longer needed/);
    expect(after.stderr).toMatch(/environments\.staging\.refs\.cohorts in hogsync\.yaml is no longer needed/);
  });

  it('never gives a key that reads as an id: a dashboard named "2024" is dashboard-2024, and validate and mv refuse such a key', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const made = await inTheUi('POST', 'dashboards/', { name: '2024' });
    await inTheUi('PATCH', 'insights/1/', { dashboards: [1, made.id] });
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    expect(ws.files('posthog/dashboards')).toContain('dashboard-2024.yaml');
    expect(spec(ws, 'insights/weekly-active-users.yaml').dashboards).toContain('dashboard-2024');
    expect((await ws.run(['validate'])).code).toBe(0);
    emu.clearRequests();
    expect((await ws.run(['push', '--yes'])).code).toBe(0);
    expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);

    const mv = await ws.run(['mv', 'dashboard/dashboard-2024', '2025']);
    expect(mv.code).toBe(1);
    expect(mv.stderr).toMatch(
      /^error: "2025" cannot be a key of dashboards: other files would read it as an id\. Use a name with a letter in it, such as dashboard-2025\.\n$/,
    );
    ws.write('posthog/dashboards/2025.yaml', 'apiVersion: hogsync/v1\nkind: Dashboard\nkey: "2025"\nspec:\n  name: Next year\n');
    const validate = await ws.run(['validate']);
    expect(validate.code).toBe(1);
    expect(validate.stdout + validate.stderr).toMatch(
      /posthog\/dashboards\/2025\.yaml:3:6: key "2025" would read as an id where other files name it; rename it: hogsync mv dashboard\/2025 dashboard-2025/,
    );
  });

  it('refuses cohorts that name each other in a circle, in a sentence, and creates the rest in order', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const cohort = (key: string, name: string, other: string) =>
      `apiVersion: hogsync/v1\nkind: Cohort\nkey: ${key}\nspec:\n  name: ${name}\n  filters:\n    properties:\n      type: AND\n      values:\n        - type: cohort\n          key: id\n          value: ${other}\n`;
    ws.write('posthog/cohorts/ring-a.yaml', cohort('ring-a', 'Ring A', 'ring-b'));
    ws.write('posthog/cohorts/ring-b.yaml', cohort('ring-b', 'Ring B', 'ring-a'));
    ws.write('posthog/cohorts/outer.yaml', cohort('outer', 'Outer', 'inner'));
    ws.write('posthog/cohorts/inner.yaml', cohort('inner', 'Inner', 'power-users'));
    const push = await ws.run(['push', '--yes']);
    expect(push.code).toBe(1);
    expect(push.stdout).toMatch(
      /x failed Cohort\/ring-a: it names Cohort\/ring-b, which names it back: PostHog needs one of them to exist before the other/,
    );
    const made = emu.project(1)?.cohorts ?? [];
    const inner = made.find((c) => c.name === 'Inner');
    expect(JSON.stringify(made.find((c) => c.name === 'Outer')?.filters)).toContain(`"value":${inner?.id}`);
    expect(made.some((c) => c.name?.startsWith('Ring'))).toBe(false);
  });
});

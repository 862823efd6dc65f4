import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/json.js';
import { TEST_KEY, testEmulator, workspace } from '../helpers/e2e.js';

/**
 * PostHog deletes insight variables for good, and allows one per code_name: deleted in the UI and
 * made again under the same name, a variable is a new id behind the same `{variables.country}`.
 * hogsync must take it for the variable its file describes (not create one, which PostHog
 * refuses; not give it a `-2` key, which the SQL does not use), and the SQL insights that name it
 * must end up pointing at the id PostHog has now, also when only the variable is restored.
 */

let emu: Emulator;
let demo: SeedDoc;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(demo));

async function api(method: string, path: string, body?: unknown): Promise<JsonObject> {
  const res = await fetch(`${emu.url}/api/projects/1/${path}`, {
    method,
    headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return res.status === 204 ? {} : ((await res.json()) as JsonObject);
}

const countryId = () => emu.project(1)?.insightVariables.find((v) => v.code_name === 'country')?.id;
const sqlInsightId = () => emu.project(1)?.insights.find((i) => i.name === 'Active users by country (SQL)')?.id;
/** The variable ids the SQL insight that uses {variables.country} holds as stored. */
const sqlVariableIds = () => {
  const sql = emu.project(1)?.insights.find((i) => i.name === 'Active users by country (SQL)');
  const variables = ((sql?.query as JsonObject | null)?.source as JsonObject | undefined)?.variables as JsonObject | undefined;
  return Object.values(variables ?? {}).map((v) => (v as JsonObject).variableId);
};

async function deleteAndMakeAgain(): Promise<{ old: string; made: string }> {
  const old = String(countryId());
  await api('DELETE', `insight_variables/${old}/`);
  const made = await api('POST', 'insight_variables/', { name: 'Country', type: 'String', default_value: 'GB' });
  expect(made.code_name).toBe('country');
  return { old, made: String(made.id) };
}

describe('a variable deleted and made again in the UI under the same code_name', () => {
  it('is adopted by push under its key: no create PostHog would refuse, and the SQL that uses it reads the new id', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const { old, made } = await deleteAndMakeAgain();
    expect(sqlVariableIds()).toContain(old);

    const diff = await ws.run(['diff']);
    expect(diff.stdout).toMatch(new RegExp(`~ adopt InsightVariable/country \\(id ${made}\\)`));
    emu.clearRequests();
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(emu.requests().filter((r) => r.method === 'POST')).toEqual([]);
    // PostHog reads stale variable ids by code_name (map_stale_to_latest): the SQL insight serves the new one.
    expect(JSON.stringify(await api('GET', `insights/${sqlInsightId()}/`))).toContain(made);
    expect(ws.state().resources['InsightVariable/country']?.id).toBe(made);
    expect((await ws.run(['diff'])).code).toBe(0);
    expect((await ws.run(['pull'])).code).toBe(0);
    expect(ws.files('posthog/insight-variables')).not.toContain('country-2.yaml');
  });

  it('is bound by pull under its key: no country-2 file', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const { made } = await deleteAndMakeAgain();
    const pull = await ws.run(['pull']);
    expect(pull.code, pull.stdout + pull.stderr).toBe(0);
    expect(ws.files('posthog/insight-variables')).toContain('country.yaml');
    expect(ws.files('posthog/insight-variables')).not.toContain('country-2.yaml');
    expect(ws.state().resources['InsightVariable/country']?.id).toBe(made);
    expect((await ws.run(['validate'])).code).toBe(0);
  });
});

describe('an action deleted and made again in the UI under the same name', () => {
  it('is adopted under its key, and the insights still naming the old id are re-pointed to the new one', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const old = emu.project(1)?.actions.find((a) => a.name === 'Signed up' && !a.deleted);
    expect(old).toBeDefined();
    await api('PATCH', `actions/${old?.id}/`, { deleted: true });
    const made = await api('POST', 'actions/', { name: 'Signed up', steps: old?.steps });
    const usesAction = (id: unknown) =>
      JSON.stringify(emu.project(1)?.insights.find((i) => i.name === 'Daily signups (action)')?.query).includes(`"id":${String(id)}`);
    expect(usesAction(old?.id)).toBe(true);

    const diff = await ws.run(['diff']);
    expect(diff.stdout).toMatch(new RegExp(`~ adopt Action/signed-up \\(id ${String(made.id)}\\)`));
    expect(diff.stdout).toMatch(/~ update Insight\/daily-signups-action[\s\S]*re-pointed to Action\/signed-up/);
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(usesAction(made.id)).toBe(true);
    expect((await ws.run(['diff'])).code).toBe(0);
  });
});

describe('restoring only a variable PostHog deleted for good', () => {
  it('re-creates it and re-points the SQL insights that use it in the same run', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const old = String(countryId());
    await api('DELETE', `insight_variables/${old}/`);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    expect(ws.files('posthog/insight-variables')).not.toContain('country.yaml');

    const restore = await ws.run(['restore', 'HEAD~1', 'insight-variable/country', '--yes']);
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    const made = String(countryId());
    expect(made).not.toBe(old);
    expect(restore.stdout).toMatch(/Insight\/active-users-by-country-sql/);
    expect(sqlVariableIds()).toContain(made);
    expect(sqlVariableIds()).not.toContain(old);
    expect((await ws.run(['restore', 'HEAD~1', '--dry-run', '-o', 'json'])).stdout).not.toMatch(/active-users-by-country-sql/);
  });
});

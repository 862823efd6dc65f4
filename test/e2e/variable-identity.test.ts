import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * A variable's key is its code_name (DESIGN.md "Resource files"), and PostHog derives the
 * code_name from the name once, at create (posthog-api.md §3.2, InsightVariableSerializer.create
 * in products/product_analytics/backend/api/insight_variable.py). These tests hold hogsync to
 * that wherever a variable is created: a copy, a restore, a new environment.
 */

let emu: Emulator;
let demo: SeedDoc;

beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: structuredClone(demo) });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset(structuredClone(demo)));

const CONNECTION = { production: '0190aaaa-0000-7000-8000-000000000001', staging: '0190bbbb-0000-7000-8000-000000000002' };
const SECRET_ENV = { HOGSYNC_SECRET_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER: 'Bearer fake-staging-token' };
const REFS = `refs:\n  actions:\n    "1": 1\n  integrations:\n    "4821": 4821\n  connections:\n    "${CONNECTION.production}": "${CONNECTION.staging}"`;

function twoEnvs(): Promise<Workspace> {
  const doc = structuredClone(demo);
  const staging = doc.projects.find((p) => p.id === 2);
  if (staging) staging.actions = [{ id: 1, name: 'Signed up' }];
  emu.reset(doc);
  return workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2, extra: REFS } } });
}

/** Every `{variables.x}` of a project's SQL insights has a variable with code_name x, and every entry of `source.variables` names one by id and code_name. */
function placeholdersResolve(project: number): string[] {
  const p = emu.project(project);
  const problems: string[] = [];
  for (const insight of p?.insights ?? []) {
    const source = (
      insight.query as {
        source?: { kind?: string; query?: string; variables?: Record<string, { variableId: string; code_name: string }> };
      } | null
    )?.source;
    if (source?.kind !== 'HogQLQuery') continue;
    for (const m of (source.query ?? '').matchAll(/\{variables\.([a-z0-9_]+)\}/g)) {
      if (!p?.insightVariables.some((v) => v.code_name === m[1])) problems.push(`${insight.name}: {variables.${m[1]}} has no variable`);
    }
    for (const [id, entry] of Object.entries(source.variables ?? {})) {
      const v = p?.insightVariables.find((x) => x.id === id);
      if (!v || v.id !== entry.variableId || v.code_name !== entry.code_name)
        problems.push(`${insight.name}: variables entry ${id} (${entry.code_name}) names no variable of this project`);
    }
  }
  return problems;
}

describe('variables keep their identity', () => {
  it('renamed, pushed, then copied to an empty project: the copy has the original code_name and the SQL insight’s placeholders resolve', async () => {
    const ws = await twoEnvs();
    expect((await ws.run(['pull'])).code).toBe(0);
    ws.write(
      'posthog/insight-variables/country.yaml',
      ws.read('posthog/insight-variables/country.yaml').replace('name: Country', 'name: Customer country'),
    );
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    const renamed = emu.project(1)?.insightVariables.find((v) => v.name === 'Customer country');
    expect(renamed?.code_name, 'a rename keeps the code_name in place').toBe('country');

    emu.clearRequests();
    const copy = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes'], SECRET_ENV);
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    const copied = emu.project(2)?.insightVariables.find((v) => v.name === 'Customer country');
    expect(copied?.code_name).toBe('country');
    expect(emu.project(2)?.insightVariables.filter((v) => v.code_name.includes('country'))).toHaveLength(1);
    // Created under a name that derives the key, then renamed in the same run.
    const variableWrites = emu.requests().filter((q) => q.method !== 'GET' && q.path.startsWith('/api/projects/2/insight_variables/'));
    expect(variableWrites.map((q) => q.method).sort(), 'five creates, and one rename: the renamed variable').toEqual([
      'PATCH',
      'POST',
      'POST',
      'POST',
      'POST',
      'POST',
    ]);
    expect(variableWrites.find((q) => q.method === 'PATCH')?.path).toBe(`/api/projects/2/insight_variables/${copied?.id}/`);
    expect(placeholdersResolve(2)).toEqual([]);
    expect(emu.project(2)?.insights.some((i) => i.name === 'Active users by country (SQL)')).toBe(true);

    const diff = await ws.run(['diff', '-e', 'staging']);
    expect(diff.code, diff.stdout).toBe(0);
  });

  it('a multi-select List variable keeps is_multi, its list default and its values query; its connection goes through refs', async () => {
    const ws = await twoEnvs();
    expect((await ws.run(['pull'])).code).toBe(0);
    ws.write(
      'posthog/insight-variables/plans.yaml',
      [
        'apiVersion: hogsync/v1',
        'kind: InsightVariable',
        'key: plans',
        'spec:',
        '  name: Plans',
        '  type: List',
        '  default_value: [growth, enterprise]',
        '  values: [free, starter, growth, enterprise]',
        '  is_multi: true',
        '  values_query: SELECT DISTINCT properties.plan FROM events',
        `  values_query_connection_id: ${CONNECTION.production}`,
        '',
      ].join('\n'),
    );
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    const fields = (project: number) => {
      const v = emu.project(project)?.insightVariables.find((x) => x.code_name === 'plans');
      return (
        v && {
          is_multi: v.is_multi,
          default_value: v.default_value,
          values_query: v.values_query,
          values_query_connection_id: v.values_query_connection_id,
        }
      );
    };
    expect(fields(1)).toEqual({
      is_multi: true,
      default_value: ['growth', 'enterprise'],
      values_query: 'SELECT DISTINCT properties.plan FROM events',
      values_query_connection_id: CONNECTION.production,
    });
    expect((await ws.run(['diff'])).code, 'push, then diff shows nothing').toBe(0);
    const before = ws.read('posthog/insight-variables/plans.yaml');
    expect((await ws.run(['pull'])).code).toBe(0);
    expect(ws.read('posthog/insight-variables/plans.yaml'), 'pull writes the same fields back').toBe(before);

    const copy = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes', '--kinds', 'insight-variable']);
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    expect(fields(2)).toEqual({
      is_multi: true,
      default_value: ['growth', 'enterprise'],
      values_query: 'SELECT DISTINCT properties.plan FROM events',
      values_query_connection_id: CONNECTION.staging,
    });
    const diff = await ws.run(['diff', '-e', 'staging', '--kinds', 'insight-variable']);
    expect(diff.code, diff.stdout + diff.stderr).toBe(0);

    // A connection without a mapping is refused where the file says it.
    ws.write('posthog/insight-variables/plans.yaml', before.replace(CONNECTION.production, '0190cccc-0000-7000-8000-000000000003'));
    const unmapped = await ws.run(['diff', '-e', 'staging', '--kinds', 'insight-variable']);
    expect(unmapped.code).toBe(1);
    expect(unmapped.stderr).toContain(
      'posthog/insight-variables/plans.yaml:11:31: connection id 0190cccc-0000-7000-8000-000000000003 has no mapping for staging',
    );
  });

  it('a rename after the create that PostHog refuses is reported, and the next push sends it again and converges', async () => {
    const ws = await twoEnvs();
    expect((await ws.run(['pull'])).code).toBe(0);
    const file = (name: string) => `apiVersion: hogsync/v1\nkind: InsightVariable\nkey: region\nspec:\n  name: ${name}\n  type: String\n`;
    // Too long for PostHog (400 characters at most): the create under "region" succeeds, the rename is refused.
    ws.write('posthog/insight-variables/region.yaml', file(`Sales region ${'x'.repeat(400)}`));
    const first = await ws.run(['push', '--yes', '--no-validate']);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(
      /failed InsightVariable\/region: created as id [0-9a-f-]+, but setting name afterwards failed: PostHog answered 400 \(max_length, attr name\) to PATCH .*: Ensure this field has no more than 400 characters\. Run push again to send it\./,
    );
    expect(emu.project(1)?.insightVariables.find((v) => v.code_name === 'region')?.name).toBe('region');

    ws.write('posthog/insight-variables/region.yaml', file('Sales region'));
    const diff = await ws.run(['diff', '--output', 'json']);
    expect(
      (JSON.parse(diff.stdout).changes as Array<{ action: string; key: string }>)
        .filter((c) => c.action !== 'unmanaged')
        .map((c) => `${c.action} ${c.key}`),
    ).toEqual(['update region']);
    const second = await ws.run(['push', '--yes']);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(
      emu
        .project(1)
        ?.insightVariables.filter((v) => v.code_name === 'region')
        .map((v) => v.name),
    ).toEqual(['Sales region']);
    expect((await ws.run(['diff'])).code).toBe(0);
  });
});

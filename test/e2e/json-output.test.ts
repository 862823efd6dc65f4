import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator } from '../../src/emulator/index.js';
import type { Json } from '../../src/json.js';
import { checkSchema } from '../../src/store/schemas.js';
import { TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/** Every JSON document a command prints is described by a schema in schemas/, checked here on real output. */

let emu: Emulator;
let ws: Workspace;

beforeAll(async () => {
  emu = await testEmulator({ seed: await loadSeed(demoSeedPath()) });
  ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2 } } });
});
afterAll(async () => emu.close());

async function json(args: string[], schema: string, env?: Record<string, string>): Promise<Json> {
  const r = await ws.run([...args, '--output', 'json'], env);
  let doc: Json;
  try {
    doc = JSON.parse(r.stdout) as Json;
  } catch {
    throw new Error(`hogsync ${args.join(' ')} printed no JSON (exit ${r.code}): ${r.stdout}${r.stderr}`);
  }
  expect(checkSchema(schema, doc), `hogsync ${args.join(' ')}`).toEqual([]);
  return doc;
}

describe('JSON output matches its schema', () => {
  it('pull, diff, push, list, status, validate, test, copy, mv and import', async () => {
    const pull = (await json(['pull', '--commit'], 'pull-output.schema.json')) as { resources: unknown[] };
    expect(pull.resources.length).toBeGreaterThan(10);
    ws.write(
      'posthog/insights/weekly-active-users.yaml',
      ws.read('posthog/insights/weekly-active-users.yaml').replace('name: Weekly active users', 'name: WAU'),
    );
    const diff = (await json(['diff'], 'diff-output.schema.json')) as { changes: Array<{ action: string }> };
    // The edit, and the static cohort hogsync leaves alone.
    expect(diff.changes.map((c) => c.action).sort()).toEqual(['unmanaged', 'update']);
    const push = (await json(['push', '--yes'], 'push-output.schema.json')) as { results: unknown[] };
    expect(push.results).toHaveLength(1);
    const head = (await ws.git.revparse(['HEAD'])).trim();
    await json(['restore', head, '--dry-run'], 'restore-output.schema.json');
    await json(['restore', head, '--yes'], 'restore-output.schema.json');
    await json(['list', 'insight'], 'list-output.schema.json');
    await json(['list', 'hog-function'], 'list-output.schema.json');
    await json(['status'], 'status-output.schema.json');
    await json(['validate'], 'validate-output.schema.json');
    await json(['test', 'posthog/hog-functions/geoip.yaml'], 'test-output.schema.json');
    await json(['copy', '--from', 'production', '--to', 'staging', '--dry-run', '--allow-unmapped-refs'], 'copy-output.schema.json', {
      HOGSYNC_SECRET_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER: 'fake-staging-token',
    });
    const copied = (await json(
      ['copy', '--from', 'production', '--to', 'staging', '--yes', '--kinds', 'insight-variable'],
      'copy-output.schema.json',
    )) as { results: unknown[] };
    expect(copied.results.length).toBeGreaterThan(0);
    const moved = (await json(['mv', 'insight/weekly-active-users', 'wau'], 'mv-output.schema.json')) as {
      references: unknown[];
      environments: unknown[];
    };
    // The dashboard tile and the alert that name it follow it.
    expect([moved.references.length, moved.environments.length]).toEqual([2, 2]);
    // An insight made in PostHog after the pull, imported by its short_id.
    const made = await fetch(`${emu.url}/api/projects/1/insights/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Made in the UI',
        query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }] } },
      }),
    });
    const { short_id } = (await made.json()) as { short_id: string };
    const imported = (await json(['import', 'insight', short_id], 'import-output.schema.json')) as { key: string };
    expect(imported.key).toBe('made-in-the-ui');
  });

  it('an error, whatever the command, as {error: {code, message, data}}', async () => {
    const doc = (await json(['list', 'feature-flag'], 'error-output.schema.json')) as { error: { code: string } };
    expect(doc.error.code).toBe('usage');
    ws.write('posthog/insights/broken.yaml', 'apiVersion: hogsync/v1\nkind: Insight\nkey: other\nspec: {}\n');
    const broken = (await json(['diff'], 'error-output.schema.json')) as { error: { code: string; data: { problems: string[] } } };
    expect(broken.error.code).toBe('invalid_files');
    expect(broken.error.data.problems[0]).toMatch(/broken\.yaml:3:6/);
  });
});

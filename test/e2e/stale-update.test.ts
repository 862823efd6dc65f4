import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator } from '../../src/emulator/index.js';
import { PostHogClient } from '../../src/posthog/client.js';
import { runMain, testEmulator, TEST_KEY, workspace } from '../helpers/e2e.js';

/**
 * An edit made in PostHog's UI after push read a hog function and before its update arrives is
 * refused by PostHog (base_updated_at, perform_update in products/cdp/backend/api/hog_function.py;
 * posthog-api.md §10) and reported as a conflict: never an overwrite.
 */

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: await loadSeed(demoSeedPath()) });
});
afterAll(async () => emu.close());

describe('an update to a hog function edited in the UI meanwhile', () => {
  it('is refused by PostHog (409) and reported as a conflict (exit 3); the UI edit stays, and the next diff shows both sides', async () => {
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const FILE = 'posthog/hog-functions/geoip.yaml';
    ws.write(FILE, ws.read(FILE).replace('description: Enrich events with GeoIP data', 'description: From the file'));
    const geoip = emu.project(1)?.hogFunctions.find((h) => h.name === 'GeoIP');
    // The UI edit lands between push's read and its update: just before the PATCH goes out.
    const uiEdit = () =>
      fetch(`${emu.url}/api/projects/1/hog_functions/${geoip?.id}/`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ description: 'From the UI' }),
      });
    let edited = false;
    const r = await runMain(['push', '--yes', '-o', 'json'], {
      cwd: ws.dir,
      deps: {
        createClient: (target, env) =>
          new PostHogClient({
            host: target.host,
            project: target.project,
            apiKey: String(env[target.apiKeyEnv]),
            rateLimits: target.rateLimits,
            fetch: async (input, init) => {
              if (!edited && init?.method === 'PATCH' && String(input).includes(`/hog_functions/${geoip?.id}/`)) {
                edited = true;
                await new Promise((resolve) => setTimeout(resolve, 5));
                await uiEdit();
              }
              return fetch(input, init);
            },
          }),
      },
    });
    expect(edited).toBe(true);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const doc = JSON.parse(r.stdout) as { results: Array<{ key: string; outcome: string; planned: string; reason?: string }> };
    expect(doc.results.find((e) => e.key === 'geoip')).toMatchObject({ outcome: 'skipped', planned: 'conflict' });
    expect(doc.results.find((e) => e.key === 'geoip')?.reason).toMatch(
      /^conflict: changed in PostHog after this run read it \(409 stale_update\), so nothing was overwritten/,
    );
    expect(emu.project(1)?.hogFunctions.find((h) => h.id === geoip?.id)?.description).toBe('From the UI');

    const diff = await ws.run(['diff', '-o', 'json']);
    expect(diff.code).toBe(3);
    expect((JSON.parse(diff.stdout).changes as Array<{ key: string; action: string }>).find((c) => c.key === 'geoip')?.action).toBe(
      'conflict',
    );
  });
});

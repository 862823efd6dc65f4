import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, SeedDoc } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace } from '../helpers/e2e.js';

/**
 * PostHog also serves hog functions, deprecated, under /api/environments/{id}/ (they are
 * registered with register_legacy_dual_route_team_nested_viewset in posthog/api/__init__.py; their
 * templates with routers.projects only). hogsync keeps to /api/projects/{id}/, the path PostHog's
 * documentation recommends.
 */

const HOOK = (n: number) => ({
  name: `Hook ${n}`,
  type: 'destination',
  hog: `fetch('https://example.com/${n}', {})`,
  inputs_schema: [],
  inputs: {},
});

const projects: SeedDoc['projects'] = [{ id: 2, name: 'Cloud', hog_functions: [HOOK(1), HOOK(2)] }];

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: { projects } });
});
afterAll(async () => emu.close());

/** A workspace on `project`, pulled, with the description of `keys` changed in their files. */
async function edited(project: number, keys: string[]) {
  const ws = await workspace(emu, { environments: { production: { project } } });
  expect((await ws.run(['pull'])).code).toBe(0);
  for (const key of keys) {
    const file = `posthog/hog-functions/${key}.yaml`;
    ws.write(file, ws.read(file).replace('spec:\n', 'spec:\n  description: From the file\n'));
  }
  return ws;
}

describe('hog functions under /api/environments/ (deprecated; register_legacy_dual_route_team_nested_viewset)', () => {
  it('are served there as under /api/projects/, while hogsync uses only /api/projects/', async () => {
    emu.reset();
    const get = async (path: string) => {
      const res = await fetch(`${emu.url}${path}`, { headers: { Authorization: `Bearer ${TEST_KEY}` } });
      return { status: res.status, body: (await res.json()) as { results?: Array<{ id: string }>; id?: string } };
    };
    const viaEnv = await get('/api/environments/2/hog_functions/?full=true');
    expect(viaEnv.status).toBe(200);
    const viaProject = await get('/api/projects/2/hog_functions/?full=true');
    expect(viaEnv.body.results?.map((f) => f.id).sort()).toEqual(viaProject.body.results?.map((f) => f.id).sort());
    const [first] = viaProject.body.results ?? [];
    expect((await get(`/api/environments/2/hog_functions/${first?.id}/`)).body.id).toBe(first?.id);
    expect((await get('/api/environments/2/hog_function_templates/')).status).toBe(404);

    emu.clearRequests();
    const ws = await edited(2, ['hook-1']);
    expect((await ws.run(['push', '--yes'])).code).toBe(0);
    const paths = emu.requests().map((q) => q.path);
    expect(paths.some((p) => p.startsWith('/api/projects/2/hog_functions/'))).toBe(true);
    expect(paths.filter((p) => p.startsWith('/api/environments/'))).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace } from '../helpers/e2e.js';

/**
 * `base_updated_at`, the field that makes PostHog refuse (409) a hog-function update when the
 * function changed since push read it, exists only in recent PostHog (perform_update in
 * products/cdp/backend/api/hog_function.py, with drafts and revisions). An older or self-hosted
 * PostHog (hog_function.py at 97b1610) drops it like any unknown key, and its answers carry no
 * `version` or `draft`: push must tell from them, and say once that edits made in PostHog
 * meanwhile could be overwritten, instead of relying on a 409 that will not come.
 */

const HOOK = (n: number) => ({
  name: `Hook ${n}`,
  type: 'destination',
  hog: `fetch('https://example.com/${n}', {})`,
  inputs_schema: [],
  inputs: {},
});

// Project 1 is served by a PostHog from before drafts, project 2 by a current one.
const projects: SeedDoc['projects'] = [
  { id: 1, name: 'Self-hosted, older', hog_function_drafts: false, hog_functions: [HOOK(1), HOOK(2), HOOK(3)] },
  { id: 2, name: 'Cloud', hog_functions: [HOOK(1), HOOK(2)] },
];

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: { projects } });
});
afterAll(async () => emu.close());

const WARNING =
  /^warning: this PostHog ignores base_updated_at \(its hog functions come without version and draft, as an older or self-hosted PostHog's do\), so this run's updates of hog functions \((\d+)\) could overwrite edits made in PostHog between its read and its write\.$/gm;

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

describe('a PostHog that drops base_updated_at (older or self-hosted)', () => {
  it('is detected from its answers (no version, no draft): push says once, in one line, that edits made meanwhile could be overwritten', async () => {
    emu.reset();
    const ws = await edited(1, ['hook-1', 'hook-2']);
    const dry = await ws.run(['push', '--dry-run']);
    expect([...dry.stdout.matchAll(WARNING)].map((m) => m[1])).toEqual(['2']);
    const r = await ws.run(['push', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect([...r.stdout.matchAll(WARNING)].map((m) => m[1])).toEqual(['2']);
    expect(r.stderr).not.toContain('warning: this PostHog');
    // The warning is true: PostHog took the updates unguarded.
    expect(emu.project(1)?.hogFunctions.filter((f) => f.description === 'From the file')).toHaveLength(2);

    const ws2 = await edited(1, ['hook-3']);
    const json = await ws2.run(['push', '--yes', '-o', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as { warnings?: string[] };
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings?.[0]).toContain('updates of hog functions (1)');
  });

  it('says nothing where PostHog honours it, nor when no hog function is updated', async () => {
    emu.reset();
    const current = await edited(2, ['hook-1']);
    const r = await current.run(['push', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('base_updated_at');
    // The guard was sent and believed: the answer carries version and draft.
    expect(emu.requests().some((q) => q.method === 'PATCH' && q.path.startsWith('/api/projects/2/hog_functions/'))).toBe(true);

    const old = await edited(1, []);
    const none = await old.run(['push', '--yes']);
    expect(none.code).toBe(0);
    expect(none.stdout + none.stderr).not.toContain('base_updated_at');
  });
});

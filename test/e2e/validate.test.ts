import { cpSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed } from '../../src/emulator/index.js';
import { ROOT, runCli, testEmulator, workspace } from '../helpers/e2e.js';
import { expectGolden } from '../helpers/golden.js';
import { tempDir } from '../helpers/temp.js';

const GOLDEN = join(ROOT, 'test', 'golden', 'validate');

describe('validate', () => {
  it('reports every problem of a corpus of broken files as path:line:col, exactly as the golden file says (exit 1)', async () => {
    const dir = tempDir('validate');
    cpSync(join(GOLDEN, 'broken'), dir, { recursive: true });
    const r = await runCli(['validate'], { cwd: dir, env: { POSTHOG_PERSONAL_API_KEY: undefined } });
    expect(r.code).toBe(1);
    expectGolden('validate/expected.txt', r.stdout);
    // One line per kind of mistake the corpus holds.
    for (const kind of ['invalid YAML', 'unknown field', 'must be one of', 'Hog syntax error', 'HogQL syntax error', 'refers to no insight variable file', 'also posthog/insight-variables/', 'holds a literal value', 'malformed variable reference', 'does not match the file name', 'Hog template error']) {
      expect(r.stdout).toContain(kind);
    }
  });

  it('--output json lists the same problems with file, line and column', async () => {
    const dir = tempDir('validate');
    cpSync(join(GOLDEN, 'broken'), dir, { recursive: true });
    const r = await runCli(['validate', '--output', 'json'], { cwd: dir });
    const doc = JSON.parse(r.stdout);
    expect(doc.files).toBe(10);
    expect(doc.problems[0]).toEqual({ file: 'posthog/hog-functions/hog-syntax.yaml', line: 13, col: 5, message: expect.stringContaining('Hog syntax error') });
  });

  it('the demo project, pulled, validates clean without a key or a request', async () => {
    const emu = await testEmulator({ seed: await loadSeed(demoSeedPath()) });
    try {
      const ws = await workspace(emu);
      expect((await ws.run(['pull'])).code).toBe(0);
      emu.clearRequests();
      const r = await ws.run(['validate'], { POSTHOG_PERSONAL_API_KEY: undefined });
      expect(r.stdout).toBe('33 file(s) valid.\n');
      expect(r.code).toBe(0);
      expect(emu.requests()).toHaveLength(0);
    } finally {
      await emu.close();
    }
  });

  it('a ${VAR} in a templated input is checked as the value PostHog will see, not as Hog', async () => {
    const dir = tempDir('validate');
    mkdirSync(join(dir, 'posthog', 'hog-functions'), { recursive: true });
    writeFileSync(
      join(dir, 'posthog', 'hog-functions', 'hook.yaml'),
      'apiVersion: hogsync/v1\nkind: HogFunction\nkey: hook\nspec:\n  name: Hook\n  type: destination\n  hog: return 1\n  inputs_schema:\n    - key: url\n      type: string\n  inputs:\n    url:\n      value: https://${HOOK_HOST}/e/{event.event}\n',
    );
    const r = await runCli(['validate'], { cwd: dir });
    expect(r.stdout).toBe('1 file(s) valid.\n');
  });
});

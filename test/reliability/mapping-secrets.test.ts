import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Emulator } from '../../src/emulator/index.js';
import { testEmulator, workspace, type CliResult, type Workspace } from '../helpers/e2e.js';

/**
 * PostHog encrypts and masks only a hog function's top-level secret inputs: a secret input of a
 * destination's *mapping* is stored and returned in plain text (posthog-api.md §10). So every
 * answer that carries the function carries the secret. Set through `${VAR}`, it must never reach
 * a file, the state, the journal, a git object or any command's output; and a `{secret: true}`
 * marker in the mapping must keep the stored value when something else in the function changes.
 */

const TOKEN = 'fake-mapping-secret-0f3a9c';
const FILE = 'posthog/hog-functions/mapped-hook.yaml';
const hook = (token: string, description = 'Sends pageviews') =>
  [
    'apiVersion: hogsync/v1',
    'kind: HogFunction',
    'key: mapped-hook',
    'spec:',
    '  name: Mapped hook',
    `  description: ${description}`,
    '  type: destination',
    '  hog: |',
    "    fetch(inputs.url, {'headers': {'Authorization': inputs.token}})",
    '  inputs_schema:',
    '    - key: url',
    '      type: string',
    '      required: true',
    '  inputs:',
    '    url:',
    '      value: https://hooks.example.com/mapped',
    '  mappings:',
    '    - name: Pageviews',
    '      filters:',
    '        events:',
    '          - id: $pageview',
    '            type: events',
    '      inputs_schema:',
    '        - key: token',
    '          type: string',
    '          secret: true',
    '      inputs:',
    '        token:',
    `          ${token}`,
    '',
  ].join('\n');

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => emu.close());

/** The stored mapping token, read from the emulator's store (the API would show the same, in clear). */
function storedToken(): unknown {
  const fn = emu.project(1)?.hogFunctions.find((f) => f.name === 'Mapped hook' && !f.deleted);
  return (fn?.mappings?.[0]?.inputs as { token?: { value?: unknown } } | undefined)?.token?.value;
}

/** Every file under the repository, .git excluded (the journal, locks and rate memory included). */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => !f.startsWith('.git/') && f !== '.git')
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

function expectNowhere(ws: Workspace, runs: Array<[string, CliResult]>): void {
  for (const [what, r] of runs) expect(`${r.stdout}${r.stderr}`, what).not.toContain(TOKEN);
  for (const f of allFiles(ws.dir)) expect(readFileSync(f, 'utf8'), f).not.toContain(TOKEN);
  // Every git object, loose or packed, reachable or not.
  const objects = execFileSync('git', ['cat-file', '--batch-all-objects', '--batch'], {
    cwd: ws.dir,
    maxBuffer: 256 * 1024 * 1024,
  }).toString('latin1');
  expect(objects.length).toBeGreaterThan(0);
  expect(objects).not.toContain(TOKEN);
}

describe('a secret input in a destination mapping', () => {
  it('set through ${VAR} and pulled back appears in no file, state, journal, git object or output', async () => {
    emu.reset({
      projects: [
        { id: 1, name: 'Production' },
        { id: 2, name: 'Staging' },
      ],
    });
    const ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2 } } });
    ws.write('.gitignore', '.hogsync/rate/\n');
    execFileSync('mkdir', ['-p', join(ws.dir, 'posthog/hog-functions')]);
    ws.write(FILE, hook('value: ${MAPPING_TOKEN}'));
    const env = { MAPPING_TOKEN: TOKEN };
    const runs: Array<[string, CliResult]> = [];
    const run = async (args: string[], expected = 0) => {
      const r = await ws.run(args, env);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(expected);
      runs.push([args.join(' '), r]);
      return r;
    };
    await run(['diff', '--output', 'markdown'], 2);
    await run(['push', '--yes', '--verbose']);
    expect(storedToken()).toBe(TOKEN);

    // Pulled back (the API answers with the token in clear) and committed, with every output format.
    await run(['pull', '--commit', '--verbose']);
    expect(parse(ws.read(FILE)).spec.mappings[0].inputs.token).toEqual({ value: '${MAPPING_TOKEN}' });
    for (const format of ['text', 'json', 'markdown']) await run(['diff', '--output', format]);
    await run(['push', '--yes', '-o', 'json']);
    for (const format of ['table', 'json', 'csv']) await run(['list', 'hog-function', '--output', format]);
    await run(['test', FILE, '-o', 'json']);
    await run(['test', FILE]);
    // Both environments read MAPPING_TOKEN here: the copy is told that is meant.
    await run(['copy', '--from', 'production', '--to', 'staging', '--yes', '--verbose', '--allow-shared-secret']);
    await run(['pull', '-e', 'staging']);

    // A second clone pulls it with no state: nothing tells it the variable, so a marker, never the value.
    const other = await workspace(emu);
    const fresh = await other.run(['pull', '--commit']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(parse(other.read(FILE)).spec.mappings[0].inputs.token).toEqual({ secret: true });
    expectNowhere(other, [['pull (fresh)', fresh]]);

    expectNowhere(ws, runs);
  });

  // src/engine/list.ts getRemote goes through remoteSpec, as pull does: the `${VAR}` the state records, never the value.
  it('get prints it as pull writes it: the ${VAR}, never the value', async () => {
    emu.reset();
    const ws = await workspace(emu);
    execFileSync('mkdir', ['-p', join(ws.dir, 'posthog/hog-functions')]);
    ws.write(FILE, hook('value: ${MAPPING_TOKEN}'));
    expect((await ws.run(['push', '--yes'], { MAPPING_TOKEN: TOKEN })).code).toBe(0);
    const get = await ws.run(['get', 'hog-function', 'mapped-hook'], { MAPPING_TOKEN: TOKEN });
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toContain('mapped-hook');
    expect(get.stdout + get.stderr).not.toContain(TOKEN);
  });

  it('{secret: true} keeps the stored value across a push that changes something else', async () => {
    emu.reset();
    const ws = await workspace(emu);
    execFileSync('mkdir', ['-p', join(ws.dir, 'posthog/hog-functions')]);
    ws.write(FILE, hook('value: ${MAPPING_TOKEN}'));
    expect((await ws.run(['push', '--yes'], { MAPPING_TOKEN: TOKEN })).code).toBe(0);
    expect(storedToken()).toBe(TOKEN);

    ws.write(FILE, hook('secret: true', 'Sends pageviews, now described differently'));
    const push = await ws.run(['push', '--yes']);
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(push.stdout).toMatch(/~ updated HogFunction\/mapped-hook/);
    expect(emu.project(1)?.hogFunctions.find((f) => f.name === 'Mapped hook')?.description).toBe(
      'Sends pageviews, now described differently',
    );
    expect(storedToken()).toBe(TOKEN);
    expect(push.stdout + push.stderr).not.toContain(TOKEN);
    // And nothing is left to push.
    const diff = await ws.run(['diff']);
    expect(diff.code, diff.stdout).toBe(0);

    // The same from a clone that pulled the marker itself, with no variable set anywhere.
    const other = await workspace(emu);
    expect((await other.run(['pull'])).code).toBe(0);
    expect(parse(other.read(FILE)).spec.mappings[0].inputs.token).toEqual({ secret: true });
    other.write(FILE, other.read(FILE).replace(/description: .*/, 'description: Described from another clone'));
    const again = await other.run(['push', '--yes']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(emu.project(1)?.hogFunctions.find((f) => f.name === 'Mapped hook')?.description).toBe('Described from another clone');
    expect(storedToken()).toBe(TOKEN);
  });
});

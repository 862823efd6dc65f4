import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyFlag } from '../../src/cli/emulator.js';
import { DEV_API_KEY } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | undefined;

beforeAll(() => {
  // test/global-setup.ts builds dist/ for the whole run; build here only when it was skipped.
  if (!existsSync(join(ROOT, 'dist', 'cli', 'emulator.js'))) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
  }
});

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

function launch(args: string[]): Promise<{ firstLine: string; stderr: () => string }> {
  child = spawn(process.execPath, [join(ROOT, 'bin', 'hogsync.js'), 'emulator', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    lines.once('line', (firstLine) => resolve({ firstLine, stderr: () => stderr }));
    child?.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${stderr}`)));
  });
}

describe('hogsync emulator (the real CLI process)', () => {
  it('prints "listening on <url>" first, serves the demo project to the dev key, and stops cleanly on SIGTERM', async () => {
    const { firstLine, stderr } = await launch(['--port', '0']);
    expect(firstLine).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = firstLine.slice('listening on '.length);
    expect(url).not.toMatch(/:0$/);
    const res = await fetch(`${url}/api/projects/1/insights/`, { headers: { Authorization: `Bearer ${DEV_API_KEY}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { count: number; next: unknown; previous: unknown; results: unknown[] };
    expect(Object.keys(body)).toEqual(['count', 'next', 'previous', 'results']);
    expect(body.count).toBeGreaterThanOrEqual(12);
    expect(stderr()).toContain(DEV_API_KEY);
    const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
    child?.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('starts empty with --empty and accepts only the --key keys with their scopes', async () => {
    const { firstLine } = await launch(['--port', '0', '--empty', '--key', 'phx_fake_cli_reader:insight:read', '--no-rate-limits']);
    const url = firstLine.slice('listening on '.length);
    const get = (key: string) => fetch(`${url}/api/projects/1/insights/`, { headers: { Authorization: `Bearer ${key}` } });
    const ok = await get('phx_fake_cli_reader');
    expect(((await ok.json()) as { count: number }).count).toBe(0);
    expect((await get(DEV_API_KEY)).status).toBe(401);
  });

  it('parses --key KEY[:scope,scope], defaulting to every scope', () => {
    expect(parseKeyFlag('phx_fake_a')).toEqual({ key: 'phx_fake_a', scopes: ['*'] });
    expect(parseKeyFlag('phx_fake_a:insight:read,hog_function:write')).toEqual({
      key: 'phx_fake_a',
      scopes: ['insight:read', 'hog_function:write'],
    });
  });
});

// Plain http:// is for this machine only: elsewhere the key would travel in clear text, unless
// the user says --insecure-http (or HOGSYNC_INSECURE_HTTP=1) on purpose.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { isLoopback, resolveTarget, resolveWorkspace } from '../../src/config/target.js';
import { ConfigError } from '../../src/errors.js';
import { TEST_KEY } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('insecure');
});

const target = (host: string, flags: { insecureHttp?: boolean } = {}, env: NodeJS.ProcessEnv = {}) =>
  resolveTarget(resolveWorkspace({}, dir), { host, project: '1', ...flags }, env);

function memIo(env: NodeJS.ProcessEnv): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
    isTTY: false,
    color: false,
    env: { POSTHOG_PERSONAL_API_KEY: TEST_KEY, ...env },
    cwd: dir,
  };
  return io;
}

describe('plain http:// hosts', () => {
  it('are refused off this machine, in one sentence that says why and what to do', () => {
    expect(() => target('http://10.0.0.5:8000')).toThrow(ConfigError);
    expect(() => target('http://posthog.internal.example')).toThrow(
      'PostHog host "http://posthog.internal.example" uses plain http://, so the personal API key would travel in clear text: use https://, or pass --insecure-http (HOGSYNC_INSECURE_HTTP=1) if the network in between is trusted.',
    );
    for (const host of ['http://localhost.example.com', 'http://127.0.0.1.nip.io', 'http://[::2]', 'http://128.0.0.1'])
      expect(() => target(host), host).toThrow(/clear text/);
  });

  it('are accepted on loopback (localhost, 127.0.0.0/8, ::1) and with the flag or the variable', () => {
    for (const host of [
      'http://localhost:8000',
      'http://127.0.0.1',
      'http://127.9.8.7:1234',
      'http://[::1]:8010',
      'http://LOCALHOST',
      'http://[::ffff:127.0.0.1]',
    ]) {
      expect(target(host).host, host).toBe(new URL(host).origin);
    }
    expect(target('http://10.0.0.5', { insecureHttp: true }).host).toBe('http://10.0.0.5');
    expect(target('http://10.0.0.5', {}, { HOGSYNC_INSECURE_HTTP: '1' }).host).toBe('http://10.0.0.5');
    expect(() => target('http://10.0.0.5', {}, { HOGSYNC_INSECURE_HTTP: '0' })).toThrow(/clear text/);
    expect(target('https://10.0.0.5').host).toBe('https://10.0.0.5');
    expect(isLoopback('[::1]')).toBe(true);
  });

  it('the CLI refuses one without --insecure-http, and takes the flag before or after the command', async () => {
    const refused = memIo({});
    expect(await main(['list', 'insight', '--host', 'http://posthog.invalid', '--project', '1'], refused)).toBe(1);
    expect(refused.stderr).toMatch(
      /^error: PostHog host "http:\/\/posthog\.invalid" uses plain http:\/\/, so the personal API key would travel in clear text/,
    );
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    // With the flag the host is used: the .invalid name then fails to resolve, a network error.
    for (const argv of [
      ['--insecure-http', 'list', 'insight', '--host', 'http://posthog.invalid', '--project', '1'],
      ['list', 'insight', '--host', 'http://posthog.invalid', '--project', '1', '--insecure-http'],
    ]) {
      const io = memIo({});
      expect(await main(argv, io)).toBe(1);
      expect(io.stderr).toMatch(
        /^error: Could not reach PostHog at http:\/\/posthog\.invalid\/api\/projects\/1\/insights\/.*: the host name posthog\.invalid/,
      );
    }
    const viaEnv = memIo({ HOGSYNC_INSECURE_HTTP: '1' });
    expect(await main(['list', 'insight', '--host', 'http://posthog.invalid', '--project', '1'], viaEnv)).toBe(1);
    expect(viaEnv.stderr).not.toContain('clear text');
  });
});

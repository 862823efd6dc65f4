import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Issue 21 (7): a host given with credentials (`https://user:password@posthog.example.com`, a
 * habit from proxies and git remotes) was refused with an error that repeated the password, into
 * the CI log; `hogsync init` even wrote it into hogsync.yaml before refusing it. Wherever the host
 * comes from, the refusal shows it without its credentials, and init writes nothing.
 */

const PASSWORD = 'fake-proxy-password-5b21';
const hosts = [
  `https://ci-user:${PASSWORD}@posthog.example.com`,
  `https://:${PASSWORD}@posthog.example.com`,
  `http://ci-user:${PASSWORD}@127.0.0.1:bad-port`,
  `https://ci:pa/${PASSWORD}@posthog.example.com`,
];

describe('a PostHog host with credentials', () => {
  it.each(hosts)('%s: refused in one sentence, from --host, POSTHOG_HOST and hogsync.yaml, without the password', async (host) => {
    const dir = tempDir('host-credentials');
    const runs = [
      await runMain(['--host', host, '--project', '1', 'list', 'insight'], { cwd: dir }),
      await runMain(['--project', '1', 'diff'], { cwd: dir, env: { POSTHOG_HOST: host } }),
      await runMain(['--host', host, '--project', '1', 'diff', '-o', 'json'], { cwd: dir }),
    ];
    writeFileSync(join(dir, 'hogsync.yaml'), `version: 1\nenvironments:\n  production:\n    host: "${host}"\n    project: 1\n`);
    runs.push(await runMain(['pull'], { cwd: dir }));
    for (const r of runs) {
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
      // One sentence (on stdout as JSON with -o json), the host shown without its credentials.
      expect(r.stdout + r.stderr).toMatch(/PostHog host \\?"https?:\/\/\*\*\*@[^"\\]+\\?" (holds credentials|is not a URL)/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('makes init refuse before it writes hogsync.yaml', async () => {
    const dir = tempDir('host-credentials');
    const r = await runMain(['init', '--host', hosts[0] as string, '--project', '1'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(existsSync(join(dir, 'hogsync.yaml'))).toBe(false);
  });
});

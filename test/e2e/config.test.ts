import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpServer } from '../client/servers.js';
import { runCli } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

function dirWith(config?: string): string {
  const dir = tempDir('config');
  if (config !== undefined) writeFileSync(join(dir, 'hogsync.yaml'), config);
  return dir;
}

const VALID = 'version: 1\nenvironments:\n  production:\n    host: http://127.0.0.1:39999\n    project: 1\n';

describe('hogsync.yaml', () => {
  it('init writes a config that loads, and adds a second environment keeping the first', async () => {
    const dir = dirWith();
    const first = await runCli(['init', '--host', 'https://eu.posthog.com', '--project', '123'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /Wrote .*hogsync\.yaml with environment "production" \(https:\/\/eu\.posthog\.com, project 123, key variable POSTHOG_PERSONAL_API_KEY\)/,
    );
    const second = await runCli(
      ['init', '-e', 'staging', '--host', 'https://eu.posthog.com', '--project', '456', '--api-key-env', 'STAGING_KEY'],
      { cwd: dir },
    );
    expect(second.code, second.stderr).toBe(0);
    const text = readFileSync(join(dir, 'hogsync.yaml'), 'utf8');
    expect(text).toContain(
      '# hogsync: PostHog insight variables, insights, hog functions, dashboards, alerts, actions and cohorts in git.',
    );
    expect(text).toMatch(/production:\n\s+host: https:\/\/eu\.posthog\.com\n\s+project: 123/);
    expect(text).toMatch(/staging:\n\s+host: https:\/\/eu\.posthog\.com\n\s+project: 456\n\s+api_key_env: STAGING_KEY/);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('.hogsync/state/*.journal');
    const again = await runCli(['init', '-e', 'staging', '--project', '1'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already defines environment "staging"; pass --force/);
  });

  it.each([
    ['an unknown field', `${VALID}    projet: 2\n`, /hogsync\.yaml:6:5: unknown field "projet"/],
    [
      'a host that is not a URL',
      VALID.replace('http://127.0.0.1:39999', 'us.posthog.com'),
      /hogsync\.yaml:4:11: "host" is not valid: expected PostHog base URL, e\.g\. https:\/\/us\.posthog\.com/,
    ],
    ['a project that is not an id', VALID.replace('project: 1', 'project: my-project'), /hogsync\.yaml:5:14: "project" must be an integer/],
    ['malformed YAML', 'environments:\n  production: [\n', /hogsync\.yaml:\d+:\d+: invalid YAML/],
    [
      'a default environment that does not exist',
      `${VALID}default_environment: prod\n`,
      /hogsync\.yaml:6:22: default_environment "prod" is not one of the environments \(production\)/,
    ],
  ])('%s is reported with file:line:col and what to fix', async (_name, config, message) => {
    const dir = dirWith(config);
    const r = await runCli(['diff'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('an unknown environment names the ones that exist', async () => {
    const r = await runCli(['diff', '-e', 'prod'], { cwd: dirWith(VALID) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Unknown environment "prod": .*hogsync\.yaml defines production\. Use one of them with -e/);
  });

  it('a missing key variable names the variable and the environment', async () => {
    const r = await runCli(['diff'], {
      cwd: dirWith(VALID.replace('project: 1', 'project: 1\n    api_key_env: PROD_POSTHOG_KEY')),
      env: { POSTHOG_PERSONAL_API_KEY: undefined },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: PROD_POSTHOG_KEY is not set. Set it to a PostHog personal API key with the insight_variable, insight, hog_function, dashboard, alert, action and cohort scopes (PostHog → Settings → Personal API keys) for environment "production".\n',
    );
  });

  it('flags and POSTHOG_* variables take precedence over hogsync.yaml', async () => {
    const r = await runCli(['diff', '--host', 'http://127.0.0.1:39998'], {
      cwd: dirWith(VALID),
      env: { POSTHOG_HOST: 'http://127.0.0.1:39997' },
    });
    expect(r.stderr).toContain('http://127.0.0.1:39998');
    const env = await runCli(['diff'], { cwd: dirWith(VALID), env: { POSTHOG_HOST: 'http://127.0.0.1:39997' } });
    expect(env.stderr).toContain('http://127.0.0.1:39997');
  });

  it('a --host that is not PostHog (a web server answering HTML 404s) is named as the server, not as PostHog', async () => {
    const web = await httpServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<html><body><h1>Not Found</h1></body></html>');
    });
    try {
      const r = await runCli(['diff', '--host', web.url], { cwd: dirWith(VALID) });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^error: The server answered 404 to GET \/api\/projects\/1\/[a-z_]+\/[^ ]*: .*It is not PostHog's answer \(PostHog answers errors in JSON\), so nothing was concluded from it: check that --host is PostHog's API/,
      );
      expect(r.stderr).not.toMatch(/PostHog answered/);
    } finally {
      await web.close();
    }
  });

  it('the API key is never accepted as a flag', async () => {
    const r = await runCli(['diff', '--api-key', 'phx_fake_flag_key'], { cwd: dirWith(VALID) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown option '--api-key'/);
  });
});

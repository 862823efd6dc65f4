import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../src/kinds/index.js';
import { ROOT, runMain } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

const read = (dir: string, rel: string) => readFileSync(join(dir, rel), 'utf8');
const settings = (dir: string) => parseJsonc(read(dir, '.vscode/settings.json')) as Record<string, unknown>;
const init = (dir: string, ...args: string[]) => runMain(['init', ...args], { cwd: dir });

/** What `yaml.schemas` must hold: each kind of the registry, and hogsync.yaml, under `base`. */
function expectedSchemas(base: string, dir = 'posthog'): Record<string, string[]> {
  return {
    [`./${base}/hogsync.schema.json`]: ['hogsync.yaml'],
    ...Object.fromEntries(KINDS.map((k) => [`./${base}/${k.schema}`, [`${dir}/${k.folder}/*.yaml`]])),
  };
}

describe('init: editor support', () => {
  it('without hogsync as a dependency (global install, npx): schemas copied to .hogsync/schemas/, mapped per kind folder in .vscode/settings.json, the YAML extension recommended', async () => {
    const dir = tempDir('init');
    const r = await init(dir, '--project', '12');
    expect(r.code, r.stderr).toBe(0);
    expect(settings(dir)['yaml.schemas']).toEqual(expectedSchemas('.hogsync/schemas'));
    for (const schema of ['hogsync.schema.json', ...KINDS.map((k) => k.schema)]) {
      expect(read(dir, `.hogsync/schemas/${schema}`)).toBe(read(ROOT, `schemas/${schema}`));
    }
    expect(parseJsonc(read(dir, '.vscode/extensions.json'))).toEqual({ recommendations: ['redhat.vscode-yaml'] });
    expect(r.stdout).toContain('Wrote .hogsync/schemas/ (8 schemas), .vscode/settings.json and .vscode/extensions.json');
    // JetBrains settings only where the IDE has opened the project.
    expect(existsSync(join(dir, '.idea'))).toBe(false);
    // Files need no modeline: nothing is added to hogsync.yaml.
    expect(read(dir, 'hogsync.yaml')).not.toContain('yaml-language-server');
  });

  it('with hogsync as a dependency: node_modules/hogsync/schemas, replacing the entries of an earlier local copy; the user’s settings and comments stay', async () => {
    const dir = tempDir('init');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', devDependencies: { hogsync: '^0.1.0' } }));
    mkdirSync(join(dir, '.vscode'));
    const before = [
      '{',
      '  // tabs are two spaces here',
      '  "editor.tabSize": 2,',
      '  "yaml.schemas": {',
      '    "./.hogsync/schemas/insight.schema.json": ["posthog/insights/*.yaml"],',
      '    "https://json.schemastore.org/github-workflow.json": ".github/workflows/*",',
      '  },',
      '}',
      '',
    ].join('\n');
    writeFileSync(join(dir, '.vscode', 'settings.json'), before);
    writeFileSync(join(dir, '.vscode', 'extensions.json'), '{ "recommendations": ["dbaeumer.vscode-eslint"] }\n');

    const r = await init(dir, '--project', '12');
    expect(r.code, r.stderr).toBe(0);
    const text = read(dir, '.vscode/settings.json');
    expect(text).toContain('// tabs are two spaces here');
    const after = settings(dir);
    expect(after['editor.tabSize']).toBe(2);
    expect(after['yaml.schemas']).toEqual({
      'https://json.schemastore.org/github-workflow.json': '.github/workflows/*',
      ...expectedSchemas('node_modules/hogsync/schemas'),
    });
    expect(parseJsonc(read(dir, '.vscode/extensions.json'))).toEqual({ recommendations: ['dbaeumer.vscode-eslint', 'redhat.vscode-yaml'] });
    expect(existsSync(join(dir, '.hogsync', 'schemas'))).toBe(false);

    // Run again (after an upgrade): nothing to change, nothing rewritten.
    const again = await init(dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /is already there; add an environment with "hogsync init -e <name> --project <id>"\.\nEditor settings were up to date/,
    );
    expect(read(dir, '.vscode/settings.json')).toBe(text);
  });

  it('follows dir: of hogsync.yaml, and refreshes the settings of an existing one when run without -e/--project', async () => {
    const dir = tempDir('init');
    writeFileSync(
      join(dir, 'hogsync.yaml'),
      'version: 1\ndir: config/posthog\nenvironments:\n  production:\n    host: https://eu.posthog.com\n    project: 1\n',
    );
    mkdirSync(join(dir, 'config', 'posthog', 'insights'), { recursive: true });
    // Run from a resource folder: the hogsync.yaml above is the one set up.
    const r = await runMain(['init'], { cwd: join(dir, 'config', 'posthog', 'insights') });
    expect(r.code, r.stderr).toBe(0);
    expect(settings(dir)['yaml.schemas']).toEqual(expectedSchemas('.hogsync/schemas', 'config/posthog'));
    expect(existsSync(join(dir, 'config', 'posthog', 'insights', '.vscode'))).toBe(false);
  });

  it('JetBrains: writes .idea/jsonSchemas.xml where .idea/ exists, and leaves one holding other mappings alone', async () => {
    const dir = tempDir('init');
    mkdirSync(join(dir, '.idea'));
    expect((await init(dir, '--project', '12')).code).toBe(0);
    const xml = read(dir, '.idea/jsonSchemas.xml');
    expect(xml).toContain('<component name="JsonSchemaMappingsProjectConfiguration">');
    for (const k of KINDS) {
      expect(xml).toContain(`<option name="relativePathToSchema" value=".hogsync/schemas/${k.schema}" />`);
      expect(xml).toContain(`<option name="path" value="posthog/${k.folder}/*.yaml" />`);
    }
    expect(xml.match(/<entry key="hogsync: /g)).toHaveLength(KINDS.length + 1);

    const other = xml.replace('<map>', '<map>\n        <entry key="My schema"><value><SchemaInfo /></value></entry>');
    writeFileSync(join(dir, '.idea', 'jsonSchemas.xml'), other);
    const r = await init(dir);
    expect(r.stdout).toContain('.idea/jsonSchemas.xml has other mappings and was left as it is');
    expect(read(dir, '.idea/jsonSchemas.xml')).toBe(other);
  });

  it('a settings.json that is not JSON is reported with file:line:col and left as it is; --no-editor writes no editor file', async () => {
    const dir = tempDir('init');
    mkdirSync(join(dir, '.vscode'));
    writeFileSync(join(dir, '.vscode', 'settings.json'), '{\n  "editor.tabSize": 2\n  "files.eol": "\\n"\n}\n');
    const r = await init(dir, '--project', '12');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: .*\.vscode\/settings\.json:3:3: CommaExpected; fix the file \(or pass --no-editor\), then run "hogsync init" again\.\n$/,
    );
    expect(read(dir, '.vscode/settings.json')).toContain('"files.eol"');

    const plain = tempDir('init');
    expect((await init(plain, '--project', '12', '--no-editor')).code).toBe(0);
    expect(existsSync(join(plain, '.vscode'))).toBe(false);
    expect(existsSync(join(plain, '.hogsync', 'schemas'))).toBe(false);
  });
});

describe('init -e NAME: defaults from the existing environments', () => {
  const existing = [
    'version: 1',
    'default_environment: production',
    'environments:',
    '  eu-dev:',
    '    host: https://dev.example.com',
    '    project: 9',
    '  production:',
    '    host: https://posthog.example.com',
    '    project: 1',
    '    api_key_env: POSTHOG_PRODUCTION_KEY',
    '    rate_limits:',
    '      enabled: false',
    '',
  ].join('\n');

  it('takes host, key variable (renamed for the new environment) and rate_limits from default_environment, and says so', async () => {
    const dir = tempDir('init-env');
    writeFileSync(join(dir, 'hogsync.yaml'), existing);
    const r = await init(dir, '-e', 'staging', '--project', '2', '--no-editor');
    expect(r.code, r.stderr).toBe(0);
    expect(parse(read(dir, 'hogsync.yaml')).environments.staging).toEqual({
      host: 'https://posthog.example.com',
      project: 2,
      api_key_env: 'POSTHOG_STAGING_KEY',
      rate_limits: { enabled: false },
    });
    expect(r.stdout).toContain('(https://posthog.example.com, project 2, key variable POSTHOG_STAGING_KEY)');
    expect(r.stdout).toContain(
      'Took host, api_key_env and rate_limits from environment "production"; pass --host or --api-key-env to choose others.',
    );
    // Not the files' environment: a plain pull would read production.
    expect(r.stdout).toContain(
      'Next: export POSTHOG_STAGING_KEY=<personal API key>, then run "hogsync diff -e staging" to compare it with the files, or "hogsync copy --from production --to staging" to fill it.',
    );
  });

  it('without default_environment the first one; flags and POSTHOG_HOST still win, and rate_limits stay with their host', async () => {
    const dir = tempDir('init-env');
    writeFileSync(join(dir, 'hogsync.yaml'), existing.replace('default_environment: production\n', ''));
    const first = await init(dir, '-e', 'qa', '--project', '3', '--no-editor');
    expect(first.code, first.stderr).toBe(0);
    expect(parse(read(dir, 'hogsync.yaml')).environments.qa).toEqual({
      host: 'https://dev.example.com',
      project: 3,
      api_key_env: 'POSTHOG_PERSONAL_API_KEY',
    });
    expect(first.stdout).toContain('Took host from environment "eu-dev"');

    const flagged = await runMain(['init', '-e', 'eu-staging', '--project', '4', '--host', 'https://eu.posthog.com', '--no-editor'], {
      cwd: dir,
    });
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(parse(read(dir, 'hogsync.yaml')).environments['eu-staging'].host).toBe('https://eu.posthog.com');

    const fromEnv = await runMain(['init', '-e', 'other', '--project', '5', '--no-editor'], {
      cwd: dir,
      env: { POSTHOG_HOST: 'https://us.posthog.com' },
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(parse(read(dir, 'hogsync.yaml')).environments.other.host).toBe('https://us.posthog.com');
  });

  it('the first environment of a new hogsync.yaml defaults to PostHog US Cloud', async () => {
    const dir = tempDir('init-env');
    const r = await init(dir, '--project', '7', '--no-editor');
    expect(r.code, r.stderr).toBe(0);
    expect(parse(read(dir, 'hogsync.yaml')).environments.production.host).toBe('https://us.posthog.com');
    expect(r.stdout).not.toContain('Took ');
  });
});

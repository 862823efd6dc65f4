import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { getLanguageService, type LanguageService } from 'yaml-language-server/lib/umd/languageservice/yamlLanguageService.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator } from '../../src/emulator/index.js';
import { KINDS } from '../../src/kinds/index.js';
import { testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * What an editor does with the files once `hogsync init` has set it up: the YAML language server
 * that VS Code's YAML extension runs, configured with the yaml.schemas that init wrote (schema
 * paths resolved against the workspace folder, as the server's settings handler does), checks,
 * completes and explains the files a pull wrote, with no modeline in them.
 */
let emu: Emulator;
let ws: Workspace;
let ls: LanguageService;

let version = 0;
// A new version each time: the server caches a parsed document by URI and version, as an editor's edits bump it.
const doc = (rel: string, text = ws.read(rel)) => TextDocument.create(pathToFileURL(join(ws.dir, rel)).toString(), 'yaml', ++version, text);
const problems = async (rel: string, text?: string) => (await ls.doValidation(doc(rel, text), false)).map((d) => d.message);

beforeAll(async () => {
  emu = await testEmulator({ seed: await loadSeed(demoSeedPath()) });
  ws = await workspace(emu);
  expect((await ws.run(['pull'])).code).toBe(0);
  const init = await ws.run(['init']);
  expect(init.code, init.stderr).toBe(0);
  const mapping = JSON.parse(ws.read('.vscode/settings.json'))['yaml.schemas'] as Record<string, string[]>;
  ls = getLanguageService({
    schemaRequestService: async (uri: string) => readFileSync(new URL(uri), 'utf8'),
    workspaceContext: { resolveRelativePath: (relative: string, resource: string) => new URL(relative, resource).toString() },
  });
  ls.configure({
    validate: true,
    completion: true,
    hover: true,
    schemas: Object.entries(mapping).map(([path, fileMatch]) => ({ uri: pathToFileURL(join(ws.dir, path)).toString(), fileMatch })),
  });
});
afterAll(async () => emu.close());

describe('editor support set up by init', () => {
  it.each(KINDS.map((k) => [k.folder, k] as const))(
    'every pulled file of %s/ is valid for its schema, and a mistake is flagged as it is typed',
    async (folder, kind) => {
      const files = readdirSync(join(ws.dir, 'posthog', folder));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(await problems(`posthog/${folder}/${file}`), file).toEqual([]);
      const [first] = files;
      const text = ws.read(`posthog/${folder}/${first}`).replace('\nspec:\n', '\nspec:\n  not_a_field: 1\n');
      expect(await problems(`posthog/${folder}/${first}`, text)).toContain('Property not_a_field is not allowed.');
      expect(
        await problems(
          `posthog/${folder}/new.yaml`,
          `apiVersion: hogsync/v1\nkind: ${kind.kind === 'Insight' ? 'HogFunction' : 'Insight'}\n`,
        ),
      ).toEqual(expect.arrayContaining([expect.stringMatching(/Value must be "?/)]));
    },
  );

  it('completes the fields of a spec and explains them on hover', async () => {
    const partial = doc('posthog/hog-functions/new.yaml', 'apiVersion: hogsync/v1\nkind: HogFunction\nkey: new\nspec:\n  \n');
    const labels = (await ls.doComplete(partial, { line: 4, character: 2 }, false)).items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['name', 'type', 'enabled', 'hog', 'inputs_schema', 'inputs', 'filters']));
    const hover = await ls.doHover(
      doc('posthog/hog-functions/new.yaml', 'apiVersion: hogsync/v1\nkind: HogFunction\nkey: new\nspec:\n  type: destination\n'),
      { line: 4, character: 3 },
    );
    expect(JSON.stringify(hover?.contents)).toContain('PostHog refuses to change it later');
  });

  it('checks hogsync.yaml too, and leaves YAML files outside the mapping alone', async () => {
    expect(await problems('hogsync.yaml')).toEqual([]);
    expect(await problems('hogsync.yaml', 'version: 1\nenvironments:\n  production:\n    host: us.posthog.com\n    project: 1\n')).toEqual([
      'Use the full base URL, starting with https://, e.g. https://us.posthog.com.',
    ]);
    expect(await problems('other/insights/x.yaml', 'anything: 1\n')).toEqual([]);
  });
});

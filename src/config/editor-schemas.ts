import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KINDS } from '../kinds/index.js';
import { writeFileAtomic } from '../store/atomic.js';
import { readRegularFile } from '../store/file-guard.js';
import { CONFIG_FILE } from './load.js';
import { writeJetbrainsSchemas, type JetbrainsOutcome } from './jetbrains-schemas.js';
import { mergeVscodeSettings } from './vscode-settings.js';

/** schemas/ of this package, from src/config (tests) and dist/config (built) alike. */
const PACKAGE_SCHEMAS = fileURLToPath(new URL('../../schemas/', import.meta.url));
const PACKAGE_NAME = 'hogsync';
/** Where the schemas are copied when hogsync is not a dependency of the project (a global install, npx). */
const LOCAL_COPY = '.hogsync/schemas';

/** One schema and the files it applies to, as globs relative to the folder of hogsync.yaml. */
export interface SchemaMapping {
  /** File name in schemas/, e.g. `insight.schema.json`. */
  schema: string;
  globs: string[];
  /** What the files are, for the IDE's list of mappings. */
  title: string;
}

export interface EditorSupport {
  /** Folder the schema paths point into, relative to the root (`node_modules/hogsync/schemas`). */
  schemaDir: string;
  /** Files written or changed, relative to the root. */
  changed: string[];
  jetbrains: JetbrainsOutcome;
}

/** hogsync.yaml, and each kind's folder under `dir` (posix, relative to the root) → its schema, from the registry. */
function schemaMappings(dir: string, configFile: string): SchemaMapping[] {
  const prefix = dir === '' || dir === '.' ? '' : `${dir}/`;
  return [
    { schema: 'hogsync.schema.json', globs: [configFile], title: CONFIG_FILE },
    ...KINDS.map((k) => ({ schema: k.schema, globs: [`${prefix}${k.folder}/*.yaml`], title: `${k.kind} files` })),
  ];
}

/**
 * Maps hogsync.yaml and the resource folders to their JSON Schemas for VS Code (YAML extension)
 * and JetBrains IDEs, so files are checked and completed as they are typed, without a modeline.
 * The schemas are those of node_modules/hogsync when the project depends on hogsync (they follow
 * its upgrades); otherwise (a global install, npx) a copy in .hogsync/schemas/, refreshed by each
 * `hogsync init`, which teammates get with the repository.
 */
export function writeEditorSupport(root: string, dir: string, configFile = CONFIG_FILE): EditorSupport {
  const mappings = schemaMappings(dir, configFile);
  const changed: string[] = [];
  const schemaDir = isDependency(root) ? `node_modules/${PACKAGE_NAME}/schemas` : LOCAL_COPY;
  if (schemaDir === LOCAL_COPY) {
    for (const { schema } of mappings) {
      const text = readFileSync(join(PACKAGE_SCHEMAS, schema), 'utf8');
      const target = join(root, LOCAL_COPY, schema);
      if (existsSync(target) && readFileSync(target, 'utf8') === text) continue;
      writeFileAtomic(target, text);
      changed.push(`${LOCAL_COPY}/${schema}`);
    }
  }
  const ours = new Set(mappings.map((m) => m.schema));
  // An earlier init may have pointed at the other location: its entries are replaced, not kept beside.
  const stale = (path: string) => {
    const m = /^(?:\.\/)?(?:node_modules\/hogsync\/schemas|\.hogsync\/schemas)\/([^/]+)$/.exec(path);
    return m !== null && ours.has(m[1] ?? '');
  };
  const vscode = Object.fromEntries(mappings.map((m) => [`./${schemaDir}/${m.schema}`, m.globs]));
  changed.push(...mergeVscodeSettings(root, vscode, stale));
  const jetbrains = writeJetbrainsSchemas(root, mappings, (schema) => `${schemaDir}/${schema}`);
  if (jetbrains === 'written') changed.push('.idea/jsonSchemas.xml');
  return { schemaDir, changed, jetbrains };
}

/** The project installs hogsync (its package.json lists it, or node_modules holds it). */
function isDependency(root: string): boolean {
  if (existsSync(join(root, 'node_modules', PACKAGE_NAME, 'schemas', 'hogsync.schema.json'))) return true;
  const manifest = join(root, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    const pkg = JSON.parse(readRegularFile(manifest, manifest)) as Record<string, unknown>;
    return ['dependencies', 'devDependencies', 'optionalDependencies'].some((field) => {
      const deps = pkg[field];
      return typeof deps === 'object' && deps !== null && PACKAGE_NAME in deps;
    });
  } catch {
    // A package.json that cannot be read says nothing about hogsync: use the local copy.
    return false;
  }
}

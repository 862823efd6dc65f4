import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError, FileError } from '../errors.js';
import { readRegularFile } from '../store/file-guard.js';
import { checkSchema, locateProblems } from '../store/schemas.js';
import { parseYaml, type ParsedYaml } from '../store/yaml.js';

export const CONFIG_FILE = 'hogsync.yaml';

export interface EnvironmentConfig {
  host: string;
  project: number | string;
  api_key_env?: string;
  home?: boolean;
  vars?: Record<string, string | number | boolean>;
  refs?: Record<string, Record<string, number | string>>;
  overrides?: Record<string, Record<string, unknown>>;
  concurrency?: number;
  rate_limits?: { enabled?: boolean; scale?: number; share?: number; insights?: string[]; crud?: string[]; max_wait?: string | number };
}

interface ConfigFile {
  version?: 1;
  dir?: string;
  default_environment?: string;
  environments: Record<string, EnvironmentConfig>;
}

export interface LoadedConfig {
  path: string;
  config: ConfigFile;
  parsed: ParsedYaml;
}

/**
 * The hogsync.yaml that applies in `cwd`: the one in `cwd` or in the nearest folder above it, up
 * to the filesystem root, as git finds `.git`, so that a command works from any folder of the
 * repository (posthog/insights/ included).
 */
export function findConfig(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; ) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Reads hogsync.yaml: the file given with -C, else the nearest one from `cwd` upwards.
 * Every problem is reported as file:line:col with what to change.
 */
export function loadConfig(cwd: string, explicit?: string): LoadedConfig | undefined {
  const path = explicit ? resolve(cwd, explicit) : findConfig(cwd);
  if (path === undefined) return undefined;
  if (!existsSync(path)) throw new ConfigError(`Config file ${explicit ?? path} does not exist. Create it with "hogsync init" or fix -C.`);
  // Size, links and special files are refused as for resource files (a FIFO would block).
  const text = readRegularFile(path, path);
  // Anchors may share a block between environments (same host, same rate_limits); they are
  // bounded so that an alias bomb is refused instead of expanded.
  const parsed = parseYaml(text, path, { anchors: 'bounded' });
  if (parsed.value === null) throw new FileError(path, 'the file is empty; run "hogsync init" to write one');
  const problems = locateProblems(checkSchema('hogsync.schema.json', parsed.value), parsed);
  if (problems.length > 0) {
    throw new ConfigError(`${problems.join('\n')}\nFix ${path} (its schema is schemas/hogsync.schema.json).`);
  }
  const config = parsed.value as unknown as ConfigFile;
  const homes = Object.entries(config.environments)
    .filter(([, e]) => e.home === true)
    .map(([name]) => name);
  if (homes.length > 1) {
    throw new ConfigError(
      `${parsed.where(`/environments/${homes[1]}/home`)}: only one environment can be home (${homes.join(' and ')} both say home: true): the files hold the ids of one environment.`,
    );
  }
  const def = config.default_environment;
  if (def !== undefined && !(def in config.environments)) {
    throw new ConfigError(
      `${parsed.where('/default_environment')}: default_environment "${def}" is not one of the environments (${Object.keys(config.environments).join(', ')}).`,
    );
  }
  checkDir(config, parsed, dirname(path));
  return { path, config, parsed };
}

/**
 * `dir:` stays inside the repository (the folder of hogsync.yaml): the files there are
 * read into diffs and PR comments, and pull writes there.
 */
function checkDir(config: ConfigFile, parsed: ParsedYaml, root: string): void {
  if (config.dir === undefined) return;
  const rel = relative(root, resolve(root, config.dir));
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new ConfigError(
      `${parsed.where('/dir')}: dir "${config.dir}" is outside the repository (${root}); the resource files must live inside it. Use a folder below hogsync.yaml, e.g. dir: posthog.`,
    );
  }
}

export function configRoot(loaded: LoadedConfig | undefined, cwd: string): string {
  return loaded ? dirname(loaded.path) : cwd;
}

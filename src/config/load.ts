import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, FileError } from '../errors.js';
import { checkSchema, locateProblems } from '../store/schemas.js';
import { parseYaml, type ParsedYaml } from '../store/yaml.js';

export const CONFIG_FILE = 'hogsync.yaml';

export interface EnvironmentConfig {
  host: string;
  project: number | string;
  api_key_env?: string;
  vars?: Record<string, string | number | boolean>;
  refs?: Record<string, Record<string, number | string>>;
  concurrency?: number;
  rate_limits?: { enabled?: boolean; scale?: number; insights?: string[]; crud?: string[] };
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
 * Reads hogsync.yaml: the file given with -C, else ./hogsync.yaml when present.
 * Every problem is reported as file:line:col with what to change.
 */
export function loadConfig(cwd: string, explicit?: string): LoadedConfig | undefined {
  const path = explicit ? resolve(cwd, explicit) : resolve(cwd, CONFIG_FILE);
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError(`Config file ${explicit} does not exist. Create it with "hogsync init" or fix -C.`);
    return undefined;
  }
  const text = readFileSync(path, 'utf8');
  const parsed = parseYaml(text, path);
  if (parsed.value === null) throw new FileError(path, 'the file is empty; run "hogsync init" to write one');
  const problems = locateProblems(checkSchema('hogsync.schema.json', parsed.value), parsed);
  if (problems.length > 0) {
    throw new ConfigError(`${problems.join('\n')}\nFix ${path} (its schema is schemas/hogsync.schema.json).`);
  }
  const config = parsed.value as unknown as ConfigFile;
  const def = config.default_environment;
  if (def !== undefined && !(def in config.environments)) {
    throw new ConfigError(
      `${parsed.where('/default_environment')}: default_environment "${def}" is not one of the environments (${Object.keys(config.environments).join(', ')}).`,
    );
  }
  return { path, config, parsed };
}

export function configRoot(loaded: LoadedConfig | undefined, cwd: string): string {
  return loaded ? dirname(loaded.path) : cwd;
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isMap, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../errors.js';
import { kindLabels } from '../kinds/index.js';
import { writeFileAtomic } from '../store/atomic.js';
import { readRegularFile } from '../store/file-guard.js';
import { DEFAULT_DIR, DEFAULT_KEY_ENV } from './target.js';

/** PostHog US Cloud: the host of a first environment when nothing else says one. */
const DEFAULT_HOST = 'https://us.posthog.com';

export interface InitOptions {
  /** The hogsync.yaml to write or add to. */
  path: string;
  environment: string;
  project: string;
  /** Given with --host or POSTHOG_HOST; otherwise taken from an existing environment, else US Cloud. */
  host?: string;
  apiKeyEnv?: string;
  force: boolean;
}

export interface InitResult {
  path: string;
  created: boolean;
  host: string;
  apiKeyEnv: string;
  /** The existing environment the new one took its defaults from, and which. */
  inherited?: { from: string; fields: string[] };
}

// The rate-limit memory (store/rate-memory.ts) belongs to one checkout's recent runs; the parse
// cache (store/syntax-cache.ts) is rebuilt from the files wherever it is missing.
const IGNORED = ['.hogsync/state/*.journal', '.hogsync/state/*.lock', '.hogsync/rate/', '.hogsync/cache/'];

/**
 * Writes hogsync.yaml, or adds an environment to an existing one (comments kept), and keeps
 * the state journal, the rate-limit memory and the parse cache out of git. A new environment beside existing ones takes what was not
 * given from the default (else the first) environment: its host, its key variable (renamed
 * for the new environment when its name contains the old one's: POSTHOG_PROD_KEY → POSTHOG_STAGING_KEY
 * for prod → staging) and, on the same host, its rate_limits.
 */
export function initConfig(opts: InitOptions): InitResult {
  const root = dirname(opts.path);
  let result: InitResult;
  if (!existsSync(opts.path)) {
    const host = opts.host ?? DEFAULT_HOST;
    const apiKeyEnv = opts.apiKeyEnv ?? DEFAULT_KEY_ENV;
    const text = [
      `# hogsync: PostHog ${kindLabels()} in git.`,
      '# The personal API key is read from the variable named by api_key_env; it is never stored here.',
      'version: 1',
      `dir: ${DEFAULT_DIR}`,
      `default_environment: ${opts.environment}`,
      'environments:',
      `  ${opts.environment}:`,
      `    host: ${host}`,
      `    project: ${projectValue(opts.project)}`,
      `    api_key_env: ${apiKeyEnv}`,
      '',
    ].join('\n');
    writeFileAtomic(opts.path, text);
    result = { path: opts.path, created: true, host, apiKeyEnv };
  } else {
    result = addEnvironment(opts);
  }
  ignoreJournal(root);
  return result;
}

function addEnvironment(opts: InitOptions): InitResult {
  const doc = parseDocument(readRegularFile(opts.path, opts.path));
  if (doc.errors.length > 0) throw new ConfigError(`${opts.path} is not valid YAML; fix it before adding an environment.`);
  if (doc.hasIn(['environments', opts.environment]) && !opts.force) {
    throw new ConfigError(
      `${opts.path} already defines environment "${opts.environment}"; pass --force to replace it, or choose another name with -e.`,
    );
  }
  const base = baseEnvironment(doc, opts.environment);
  const fields: string[] = [];
  let host = opts.host ?? DEFAULT_HOST;
  if (opts.host === undefined && typeof base?.env.host === 'string') {
    host = base.env.host;
    fields.push('host');
  }
  let apiKeyEnv = opts.apiKeyEnv ?? DEFAULT_KEY_ENV;
  if (opts.apiKeyEnv === undefined && base && typeof base.env.api_key_env === 'string') {
    apiKeyEnv = renamedKeyVariable(base.env.api_key_env, base.name, opts.environment);
    fields.push('api_key_env');
  }
  const env: Record<string, unknown> = { host, project: projectValue(opts.project), api_key_env: apiKeyEnv };
  // Rate limits belong to the server: another project on the same host has the same.
  if (base && base.env.rate_limits !== undefined && base.env.host === host) {
    env.rate_limits = base.env.rate_limits;
    fields.push('rate_limits');
  }
  doc.setIn(['environments', opts.environment], doc.createNode(env));
  writeFileAtomic(opts.path, doc.toString({ lineWidth: 0 }));
  return {
    path: opts.path,
    created: false,
    host,
    apiKeyEnv,
    ...(base && fields.length > 0 ? { inherited: { from: base.name, fields } } : {}),
  };
}

/** The environment a new one resembles: default_environment, else the first (not the one being replaced). */
function baseEnvironment(doc: Document, adding: string): { name: string; env: Record<string, unknown> } | undefined {
  const envs = doc.get('environments');
  if (!isMap(envs)) return undefined;
  const plain = envs.toJSON() as Record<string, unknown>;
  const names = Object.keys(plain).filter((n) => n !== adding);
  const preferred = doc.get('default_environment');
  const name = typeof preferred === 'string' && names.includes(preferred) ? preferred : names[0];
  const env = name === undefined ? undefined : plain[name];
  return name !== undefined && typeof env === 'object' && env !== null ? { name, env: env as Record<string, unknown> } : undefined;
}

/** POSTHOG_PRODUCTION_KEY for production → POSTHOG_STAGING_KEY for staging; any other name is shared as it is. */
function renamedKeyVariable(variable: string, from: string, to: string): string {
  const token = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const old = token(from);
  const parts = variable.split('_');
  const at = parts.findIndex((_, i) => parts.slice(i, i + old.split('_').length).join('_') === old);
  if (at < 0) return variable;
  return [...parts.slice(0, at), token(to), ...parts.slice(at + old.split('_').length)].join('_');
}

function projectValue(project: string): number | string {
  return /^\d+$/.test(project) ? Number(project) : project;
}

function ignoreJournal(root: string): void {
  const path = join(root, '.gitignore');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const missing = IGNORED.filter((entry) => !text.split('\n').some((l) => l.trim() === entry));
  if (missing.length === 0) return;
  writeFileAtomic(
    path,
    `${text}${text && !text.endsWith('\n') ? '\n' : ''}# hogsync's in-flight journal and lock, its rate-limit memory and its parse cache (the state file itself is committed)\n${missing.join('\n')}\n`,
  );
}

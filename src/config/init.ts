import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { kindLabels } from '../kinds/index.js';
import { writeFileAtomic } from '../store/atomic.js';
import { readRegularFile } from '../store/file-guard.js';
import { CONFIG_FILE } from './load.js';
import { DEFAULT_DIR, DEFAULT_KEY_ENV } from './target.js';

export interface InitOptions {
  root: string;
  environment: string;
  host: string;
  project: string;
  apiKeyEnv?: string;
  force: boolean;
}

// The rate-limit memory (store/rate-memory.ts) belongs to one checkout's recent runs.
const IGNORED = ['.hogsync/state/*.journal', '.hogsync/state/*.lock', '.hogsync/rate/'];

/**
 * Writes hogsync.yaml, or adds an environment to an existing one (comments kept), and
 * keeps the state journal and the rate-limit memory out of git. Returns what it did, for the command to say.
 */
export function initConfig(opts: InitOptions): { path: string; created: boolean } {
  const path = join(opts.root, CONFIG_FILE);
  const env = { host: opts.host, project: /^\d+$/.test(opts.project) ? Number(opts.project) : opts.project, api_key_env: opts.apiKeyEnv ?? DEFAULT_KEY_ENV };
  let created = false;
  if (!existsSync(path)) {
    const text = [
      `# hogsync: PostHog ${kindLabels()} in git.`,
      '# The personal API key is read from the variable named by api_key_env; it is never stored here.',
      'version: 1',
      `dir: ${DEFAULT_DIR}`,
      `default_environment: ${opts.environment}`,
      'environments:',
      `  ${opts.environment}:`,
      `    host: ${env.host}`,
      `    project: ${env.project}`,
      `    api_key_env: ${env.api_key_env}`,
      '',
    ].join('\n');
    writeFileAtomic(path, text);
    created = true;
  } else {
    const doc = parseDocument(readRegularFile(path, path));
    if (doc.errors.length > 0) throw new ConfigError(`${path} is not valid YAML; fix it before adding an environment.`);
    if (doc.hasIn(['environments', opts.environment]) && !opts.force) {
      throw new ConfigError(`${path} already defines environment "${opts.environment}"; pass --force to replace it, or choose another name with -e.`);
    }
    doc.setIn(['environments', opts.environment], doc.createNode(env));
    writeFileAtomic(path, doc.toString({ lineWidth: 0 }));
  }
  ignoreJournal(opts.root);
  return { path, created };
}

function ignoreJournal(root: string): void {
  const path = join(root, '.gitignore');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const missing = IGNORED.filter((entry) => !text.split('\n').some((l) => l.trim() === entry));
  if (missing.length === 0) return;
  writeFileAtomic(path, `${text}${text && !text.endsWith('\n') ? '\n' : ''}# hogsync's in-flight journal and lock, and its rate-limit memory (the state file itself is committed)\n${missing.join('\n')}\n`);
}

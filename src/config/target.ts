import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseDuration } from '../duration.js';
import { ConfigError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { DEFAULT_RETRY } from '../posthog/retry.js';
import {
  parseRate,
  POSTHOG_RATE_LIMITS,
  scaleRateLimits,
  shareRateLimits,
  type RateLimitConfig,
  type RateWindow,
} from '../posthog/rate-limiter.js';
import { configRoot, loadConfig, type EnvironmentConfig, type LoadedConfig } from './load.js';

export const DEFAULT_KEY_ENV = 'POSTHOG_PERSONAL_API_KEY';
export const DEFAULT_DIR = 'posthog';
const DEFAULT_ENVIRONMENT = 'default';
const DEFAULT_CONCURRENCY = 4;

export interface GlobalFlags {
  config?: string;
  env?: string;
  host?: string;
  project?: string;
  dir?: string;
  /** Allow a plain http:// host that is not on this machine (--insecure-http). */
  insecureHttp?: boolean;
}

/** Where files and state live. */
export interface Workspace {
  root: string;
  config?: LoadedConfig;
  /** Absolute folder of the resource files. */
  dir: string;
  /** Absolute folder of the state files. */
  stateDir: string;
}

/** One PostHog project to talk to, fully resolved. The key itself is read only when a client is made. */
export interface Target {
  environment: string;
  host: string;
  project: string;
  apiKeyEnv: string;
  /** Every environment's api_key_env and the default: variables no `${VAR}` may expand to (plan/key-guard.ts). */
  keyVariables: string[];
  vars: Record<string, string>;
  /**
   * The files hold this environment's ids (of actions, cohorts, dashboards, integrations):
   * the one marked `home`, else the default environment, else the only one.
   */
  home: boolean;
  /** The home environment's name, when hogsync.yaml names one (home: true, default_environment, or one environment only). */
  homeName?: string;
  /** Home id → this environment's id, per type (`actions`, …): empty for the home environment. */
  refs: Record<string, Record<string, string>>;
  /** `<folder>/<key>` → a JSON merge patch applied to that resource's spec in this environment. */
  overrides: Record<string, JsonObject>;
  concurrency: number;
  rateLimits: RateLimitConfig;
  /** The longest a request may wait for PostHog (a Retry-After, retries): a longer wait stops the run. */
  maxWaitMs: number;
}

export function resolveWorkspace(flags: GlobalFlags, cwd: string): Workspace {
  const config = loadConfig(cwd, flags.config);
  const root = configRoot(config, cwd);
  const dir = flags.dir ? resolve(cwd, flags.dir) : resolve(root, config?.config.dir ?? DEFAULT_DIR);
  return { root, config, dir, stateDir: resolve(root, '.hogsync', 'state') };
}

/** The environment a command runs against: -e, else default_environment, else the only one. */
function environmentName(ws: Workspace, flags: GlobalFlags, explicit?: string): string {
  const envs = ws.config?.config.environments ?? {};
  const name = explicit ?? flags.env ?? ws.config?.config.default_environment;
  if (name !== undefined) {
    if (ws.config && !(name in envs)) {
      throw new ConfigError(
        `Unknown environment "${name}": ${ws.config.path} defines ${Object.keys(envs).join(', ')}. Use one of them with -e, or add it under environments:.`,
      );
    }
    if (!ws.config && name !== DEFAULT_ENVIRONMENT && explicit === undefined && flags.env !== undefined) {
      // -e without a config file only names the state file.
      return name;
    }
    return name;
  }
  const names = Object.keys(envs);
  if (names.length === 1) return names[0] as string;
  if (names.length > 1) {
    throw new ConfigError(
      `${ws.config?.path} defines several environments (${names.join(', ')}); choose one with -e or set default_environment.`,
    );
  }
  return DEFAULT_ENVIRONMENT;
}

/** Flags, then POSTHOG_HOST / POSTHOG_PROJECT_ID, then hogsync.yaml (DESIGN.md "CLI contract"). */
export function resolveTarget(ws: Workspace, flags: GlobalFlags, env: NodeJS.ProcessEnv, explicitEnv?: string): Target {
  const environment = environmentName(ws, flags, explicitEnv);
  const cfg: Partial<EnvironmentConfig> = ws.config?.config.environments[environment] ?? {};
  // Flags and POSTHOG_* variables describe the one target of a command, not both sides of a copy.
  const useOverrides = explicitEnv === undefined;
  const where = ws.config ? ` (or host/project of "${environment}" in ${ws.config.path})` : ' (or write hogsync.yaml with "hogsync init")';
  const hostRaw = (useOverrides ? (flags.host ?? nonEmpty(env.POSTHOG_HOST)) : undefined) ?? cfg.host;
  if (!hostRaw) throw new ConfigError(`No PostHog host: pass --host or set POSTHOG_HOST${where}, e.g. https://us.posthog.com.`);
  const host = checkHost(hostRaw, flags.insecureHttp === true || truthy(env.HOGSYNC_INSECURE_HTTP));
  const projectRaw = (useOverrides ? (flags.project ?? nonEmpty(env.POSTHOG_PROJECT_ID)) : undefined) ?? cfg.project;
  if (projectRaw === undefined || projectRaw === '')
    throw new ConfigError(`No PostHog project: pass --project or set POSTHOG_PROJECT_ID${where}.`);
  const project = String(projectRaw).trim();
  if (!/^(\d+|@current)$/.test(project)) {
    throw new ConfigError(`Project "${project}" is not a project id: use the number in your PostHog URL (/project/<id>).`);
  }
  return {
    environment,
    host,
    project,
    apiKeyEnv: cfg.api_key_env ?? DEFAULT_KEY_ENV,
    keyVariables: keyVariablesOf(ws.config),
    vars: Object.fromEntries(Object.entries(cfg.vars ?? {}).map(([k, v]) => [k, String(v)])),
    home: isHome(ws, environment),
    ...optionalHome(ws),
    refs: Object.fromEntries(
      Object.entries(cfg.refs ?? {}).map(([type, map]) => [type, Object.fromEntries(Object.entries(map).map(([k, v]) => [k, String(v)]))]),
    ),
    overrides: (cfg.overrides ?? {}) as Record<string, JsonObject>,
    concurrency: cfg.concurrency ?? DEFAULT_CONCURRENCY,
    rateLimits: rateLimitsOf(cfg.rate_limits, env),
    maxWaitMs: maxWaitOf(cfg.rate_limits, env),
  };
}

/**
 * The variables that hold personal API keys: the default one and every environment's
 * api_key_env, whichever environment a command runs against (a copy holds two keys, and a CI
 * job may hold them all).
 */
export function keyVariablesOf(config: LoadedConfig | undefined): string[] {
  const named = Object.values(config?.config.environments ?? {}).map((e) => e.api_key_env);
  return [...new Set([DEFAULT_KEY_ENV, ...named.filter((n): n is string => typeof n === 'string' && n !== '')])];
}

function isHome(ws: Workspace, environment: string): boolean {
  return !ws.config || homeOf(ws) === environment;
}

/** The environment whose ids the files hold: the one marked `home`, else the default one, else the only one. */
function homeOf(ws: Workspace): string | undefined {
  const config = ws.config?.config;
  if (!config) return undefined;
  const declared = Object.entries(config.environments).find(([, e]) => e.home === true)?.[0];
  if (declared) return declared;
  const names = Object.keys(config.environments);
  return config.default_environment ?? (names.length === 1 ? names[0] : undefined);
}

function optionalHome(ws: Workspace): { homeName?: string } {
  const name = homeOf(ws);
  return name === undefined ? {} : { homeName: name };
}

/**
 * The base URL of a PostHog host, checked: http(s), no query, fragment or credentials, and
 * plain http only on this machine unless allowed. Errors never repeat a password the host
 * was given with (`https://user:pass@…`): it would end up in CI logs.
 */
export function checkHost(raw: string, insecureHttp: boolean): string {
  const shown = withoutCredentials(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PostHog host "${shown}" is not a URL: use the full base URL, e.g. https://us.posthog.com.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PostHog host "${shown}" must start with https:// (or http:// for a local instance).`);
  }
  if (url.username || url.password) {
    throw new ConfigError(
      `PostHog host "${shown}" holds credentials: give the base URL alone (the personal API key authenticates), and change that password if it was shared.`,
    );
  }
  if (url.search || url.hash) {
    throw new ConfigError(`PostHog host "${shown}" must be a plain base URL without query or fragment.`);
  }
  if (url.protocol === 'http:' && !insecureHttp && !isLoopback(url.hostname)) {
    throw new ConfigError(
      `PostHog host "${shown}" uses plain http://, so the personal API key would travel in clear text: use https://, or pass --insecure-http (HOGSYNC_INSECURE_HTTP=1) if the network in between is trusted.`,
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** A host as it may be shown: whatever stands before an `@` of its authority (user, password) replaced by `***`. */
function withoutCredentials(raw: string): string {
  // Up to the last "@" before the path, as URL parsers read it; also for text that is no valid URL.
  return raw.replace(/^([^:/?#]*:\/\/)?[^?#]*@/, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

function rateLimitsOf(cfg: EnvironmentConfig['rate_limits'], env: NodeJS.ProcessEnv): RateLimitConfig {
  if (cfg?.enabled === false) return {};
  const limits: RateLimitConfig = { ...POSTHOG_RATE_LIMITS };
  for (const bucket of Object.keys(POSTHOG_RATE_LIMITS)) {
    const rates = cfg?.[bucket as keyof typeof cfg];
    if (!Array.isArray(rates)) continue;
    limits[bucket] = rates.map((r) => parseRate(String(r))).filter((w): w is RateWindow => w !== undefined);
  }
  const envScale = Number(env.HOGSYNC_RATE_LIMIT_SCALE);
  const scale = cfg?.scale ?? (Number.isFinite(envScale) && envScale > 0 ? envScale : 1);
  const scaled = scale === 1 ? limits : scaleRateLimits(limits, scale);
  // Jobs that run at the same time with one key share its budget (the schema keeps 0 < share <= 1).
  const share = cfg?.share ?? 1;
  return share === 1 ? scaled : shareRateLimits(scaled, share);
}

/**
 * HOGSYNC_MAX_WAIT, else rate_limits.max_wait (the schema has checked its form), else 3 minutes: long
 * enough for any of PostHog's per-minute windows, far shorter than its hourly ones.
 */
function maxWaitOf(cfg: EnvironmentConfig['rate_limits'], env: NodeJS.ProcessEnv): number {
  const raw = nonEmpty(env.HOGSYNC_MAX_WAIT);
  if (raw !== undefined) {
    const ms = parseDuration(raw);
    if (ms === undefined) throw new ConfigError(`HOGSYNC_MAX_WAIT="${raw}" is not a duration: write it like 3m, 90s or 1h.`);
    return ms;
  }
  return (cfg?.max_wait !== undefined ? parseDuration(cfg.max_wait) : undefined) ?? DEFAULT_RETRY.maxElapsedMs;
}

/** This machine: localhost, 127.0.0.0/8 and ::1 (also written as an IPv4-mapped address). */
export function isLoopback(hostname: string): boolean {
  const name = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name === '::1') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  // WHATWG URLs write ::ffff:127.0.0.1 as ::ffff:7f00:1.
  return isIP(name) === 6 && /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(name);
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && ['1', 'true', 'yes'].includes(v.trim().toLowerCase());
}

/** A value with its surrounding blanks trimmed, or undefined when nothing is left. */
export function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

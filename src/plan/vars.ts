import { setValueAt as setAt, valueAt as getAt, type JsonObject } from '../json.js';
import type { KindDef } from '../kinds/index.js';
import { VAR } from '../kinds/var-syntax.js';

export interface VarSources {
  /** Process environment. */
  env: Record<string, string | undefined>;
  /** hogsync.yaml `vars:` of the environment; a value may itself name a process variable (`${STAGING_TOKEN}`). */
  vars: Record<string, string>;
  /** The environment's name, for variables named after it (HOGSYNC_SECRET_<ENV>_…). */
  environment?: string;
  /**
   * Variables that hold personal API keys (every environment's api_key_env, and the default):
   * no `${VAR}` may bring their value into a request (plan/key-guard.ts).
   */
  keyVariables: readonly string[];
}

/** The variables of a command's target environment. */
export function varSourcesOf(
  target: { vars: Record<string, string>; environment: string; keyVariables: readonly string[] },
  env: Record<string, string | undefined>,
): VarSources {
  return { env, vars: target.vars, environment: target.environment, keyVariables: target.keyVariables };
}

export function varNames(text: string): string[] {
  return [...text.matchAll(VAR)].map((m) => m[1]).filter((n): n is string => n !== undefined);
}

/**
 * The value of `${name}` in an environment: its hogsync.yaml `vars:` entry first, which
 * may name a process variable in turn (`ORDER_API_KEY: ${STAGING_ORDER_API_KEY}`), then
 * the process environment. Undefined when neither has it.
 */
export function lookupVar(name: string, sources: VarSources): string | undefined {
  const configured = sources.vars[name];
  if (configured === undefined) return sources.env[name];
  if (!configured.includes('${')) return configured;
  const missing = new Set<string>();
  const value = substitute(configured, (n) => sources.env[n], missing);
  return missing.size > 0 ? undefined : value;
}

/**
 * The variable to set for `${name}` in an environment: the process variable its `vars:`
 * entry names (`STAGING_ORDER_API_KEY`), or `name` itself when `vars:` has no entry.
 */
export function varSource(name: string, sources: VarSources): string {
  const configured = sources.vars[name];
  if (configured === undefined) return name;
  return varNames(configured)[0] ?? name;
}

/** Replaces every `${NAME}` that `lookup` knows; the names it does not know are added to `missing`. */
export function substitute(text: string, lookup: (name: string) => string | undefined, missing: Set<string>): string {
  return text.replace(VAR, (match, name: string | undefined) => {
    if (name === undefined) return '${';
    const v = lookup(name);
    if (v === undefined) {
      missing.add(name);
      return match;
    }
    return v;
  });
}

/**
 * When pull rewrites a file, values the file wrote as `${VAR}` stay that way if the
 * variable still resolves to what PostHog holds: a backup must not turn references into
 * literals. (Secret references come back through withSecretRefs.)
 */
export function keepTemplates(kind: KindDef, remoteSpec: JsonObject, fileSpec: JsonObject, sources: VarSources): JsonObject {
  const paths = kind.varPaths(fileSpec).filter((p) => {
    const v = getAt(fileSpec, p);
    return typeof v === 'string' && varNames(v).length > 0;
  });
  // Nothing to keep: the remote spec is written as it is (and its prepared text can be used).
  if (paths.length === 0) return remoteSpec;
  const out = structuredClone(remoteSpec);
  for (const path of paths) {
    const old = getAt(fileSpec, path);
    if (typeof old !== 'string' || varNames(old).length === 0) continue;
    const missing = new Set<string>();
    const resolved = substitute(old, (n) => lookupVar(n, sources), missing);
    if (missing.size === 0 && getAt(out, path) === resolved) setAt(out, path, old);
  }
  return out;
}

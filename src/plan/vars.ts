import { isObject, setValueAt as setAt, valueAt as getAt, type JsonObject } from '../json.js';
import type { KindDef } from '../kinds/index.js';

/** `${NAME}` stands for a value from the environment; `$${` writes a literal `${`. */
const VAR = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const ANY_VAR = /\$\{[^}]*\}/;
export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface VarSources {
  /** Process environment: the only source for secrets. */
  env: Record<string, string | undefined>;
  /** hogsync.yaml `vars:` of the environment (not used for secrets). */
  vars: Record<string, string>;
}

export function varNames(text: string): string[] {
  return [...text.matchAll(VAR)].map((m) => m[1]).filter((n): n is string => n !== undefined);
}

export function hasVar(text: string): boolean {
  return ANY_VAR.test(text);
}

function substitute(text: string, lookup: (name: string) => string | undefined, missing: Set<string>): string {
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

export interface Resolved {
  spec: JsonObject;
  /** Variables that had no value. */
  missing: string[];
  /** Secret inputs written with a literal value (never allowed in files). */
  literalSecrets: string[];
}

/**
 * The spec a file asks for, in the form it is compared in: `${VAR}`s replaced, every
 * secret input reduced to `{secret: true}` (a secret cannot be read back from PostHog,
 * so it can only be compared as "set"), then normalised.
 */
export function desiredSpec(kind: KindDef, fileSpec: JsonObject, sources: VarSources): Resolved {
  return resolve(kind, fileSpec, sources, 'compare');
}

/**
 * The spec to send: `${VAR}`s replaced, secret inputs given the value of their variable
 * from the process environment, `{secret: true}` left for PostHog to keep what it stores.
 */
export function pushSpec(kind: KindDef, fileSpec: JsonObject, sources: VarSources): Resolved {
  return resolve(kind, fileSpec, sources, 'send');
}

function resolve(kind: KindDef, fileSpec: JsonObject, sources: VarSources, mode: 'compare' | 'send'): Resolved {
  const spec = structuredClone(fileSpec);
  const missing = new Set<string>();
  const literalSecrets: string[] = [];
  const secretPaths = new Set<string>();
  for (const slot of kind.secrets(spec)) {
    secretPaths.add(slot.path);
    const input = getAt(spec, slot.path);
    if (!isObject(input) || input.value === undefined) continue;
    const value = input.value;
    if (typeof value !== 'string' || varNames(value).length === 0) {
      literalSecrets.push(slot.name);
      if (mode === 'compare') setAt(spec, slot.path, { secret: true });
      continue;
    }
    if (mode === 'compare') setAt(spec, slot.path, { secret: true });
    else setAt(spec, slot.path, { ...input, value: substitute(value, (n) => sources.env[n], missing) });
  }
  for (const path of kind.varPaths(spec)) {
    if ([...secretPaths].some((p) => path === p || path.startsWith(`${p}/`))) continue;
    const value = getAt(spec, path);
    if (typeof value === 'string' && value.includes('$')) {
      setAt(spec, path, substitute(value, (n) => sources.env[n] ?? sources.vars[n], missing));
    }
  }
  return { spec: kind.normalize(spec), missing: [...missing].sort(), literalSecrets };
}

/**
 * When pull rewrites a file, values the file wrote as `${VAR}` stay that way if the
 * variable still resolves to what PostHog holds, and secret inputs keep their `${VAR}`:
 * a backup must not turn references into literals.
 */
export function keepTemplates(kind: KindDef, remoteSpec: JsonObject, fileSpec: JsonObject, sources: VarSources): JsonObject {
  const out = structuredClone(remoteSpec);
  for (const slot of kind.secrets(fileSpec)) {
    const old = getAt(fileSpec, slot.path);
    const now = getAt(out, slot.path);
    if (isObject(old) && typeof old.value === 'string' && isObject(now) && now.secret === true) setAt(out, slot.path, old);
  }
  for (const path of kind.varPaths(fileSpec)) {
    const old = getAt(fileSpec, path);
    if (typeof old !== 'string' || varNames(old).length === 0) continue;
    const missing = new Set<string>();
    const resolved = substitute(old, (n) => sources.env[n] ?? sources.vars[n], missing);
    if (missing.size === 0 && getAt(out, path) === resolved) setAt(out, path, old);
  }
  return out;
}

/**
 * The variable that supplies a secret input PostHog does not hold yet when the file only
 * says `{secret: true}` (a new environment, a copy): HOGSYNC_SECRET_<KEY>_<INPUT>.
 */
export function secretVarName(key: string, input: string): string {
  return `HOGSYNC_SECRET_${key}_${input}`.toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
}

import { isObject, setValueAt as setAt, valueAt as getAt, type JsonObject } from '../json.js';
import type { KindDef } from '../kinds/index.js';
import { VAR } from '../kinds/var-syntax.js';


export interface VarSources {
  /** Process environment: the only source for secrets. */
  env: Record<string, string | undefined>;
  /** hogsync.yaml `vars:` of the environment (not used for secrets). */
  vars: Record<string, string>;
}

export function varNames(text: string): string[] {
  return [...text.matchAll(VAR)].map((m) => m[1]).filter((n): n is string => n !== undefined);
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
 * The spec a file asks for, in the form it is compared in: `${VAR}`s replaced, then
 * normalised. A secret input stays as written: `{secret: true}` ("whatever PostHog
 * stores") or `{value: ${VAR}}` ("set from VAR"); the remote side is shown the same way
 * through the state's record of which variable set each stored secret (withSecretRefs).
 * A literal secret (refused by push and validate) is compared as `{secret: true}` so
 * that its value never reaches a plan.
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
  const slots = kind.secrets(fileSpec);
  const paths = kind.varPaths(fileSpec);
  // Most files have nothing to resolve: normalise them without copying first (normalize never mutates).
  if (slots.length === 0 && !paths.some((p) => String(getAt(fileSpec, p)).includes('$'))) {
    return { spec: kind.normalize(fileSpec), missing: [], literalSecrets: [] };
  }
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
    if (mode === 'send') setAt(spec, slot.path, { ...input, value: substitute(value, (n) => sources.env[n], missing) });
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
 * Which variable set each secret input, as a file writes it: input pointer → the input
 * object (`{value: "${CRM_TOKEN}"}`). Templates only, never values. Recorded in the
 * state after a write, so that a later diff knows what PostHog's `{secret: true}` holds.
 */
export function secretRefs(kind: KindDef, fileSpec: JsonObject): Record<string, JsonObject> {
  const refs: Record<string, JsonObject> = {};
  for (const slot of kind.secrets(fileSpec)) {
    const input = getAt(fileSpec, slot.path);
    if (isObject(input) && typeof input.value === 'string' && varNames(input.value).length > 0) refs[slot.path] = structuredClone(input);
  }
  return refs;
}

/** The remote spec with each stored secret shown as the reference that set it (see secretRefs). */
export function withSecretRefs(kind: KindDef, remoteSpec: JsonObject, refs: Record<string, JsonObject> | undefined): JsonObject {
  if (!refs || Object.keys(refs).length === 0) return remoteSpec;
  const out = structuredClone(remoteSpec);
  for (const slot of kind.secrets(out)) {
    const now = getAt(out, slot.path);
    const ref = refs[slot.path];
    if (ref && isObject(now) && now.secret === true) setAt(out, slot.path, structuredClone(ref));
  }
  return kind.normalize(out);
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

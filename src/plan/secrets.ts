import { isObject, setValueAt, valueAt, type Json, type JsonObject } from '../json.js';
import { toKeys, type KindDef, type Link, type RefResolver, type RemoteId, type SecretSlot } from '../kinds/index.js';
import { carriesKey, heldKeys, keyCarrier } from './key-guard.js';
import type { Redactor } from './redactor.js';
import { lookupVar, substitute, varNames, varSource, type VarSources } from './vars.js';

// Every rule about secret values lives here, for every kind and every field a kind marks
// secret (KindDef.secrets): how a file writes them, how they are compared, what is sent,
// what PostHog's answers hold, and what must never be printed.
//
// A file writes a secret input as `{secret: true}` ("whatever PostHog stores") or
// `{value: ${VAR}}` ("set from VAR"); never with a value. PostHog masks the secrets it
// keeps encrypted, but returns secrets inside a destination's mappings in plain text
// (posthog-api.md §10): those are masked here as soon as an answer is read, and held in
// memory for the run, so that a `{secret: true}` in a mapping can be sent back as the
// value PostHog holds (PostHog itself cannot keep a mapping secret by marker).

/** Secret inputs set from variables: input pointer → the `{value: "${VAR}"}` that set it. Never a value. */
export type SecretRefs = Record<string, JsonObject>;

const MARKER: JsonObject = { secret: true };

/** Plain-text secret values PostHog returned, held for one run: (kind, remote id, input pointer) → value. */
export class SecretValues {
  private readonly values = new Map<string, Json>();

  constructor(private readonly redactor?: Redactor) {}

  remember(kind: string, id: RemoteId, path: string, value: Json): void {
    this.values.set(`${kind}\u0000${id}\u0000${path}`, value);
    this.redactor?.register(value);
  }

  get(kind: string, id: RemoteId, path: string): Json | undefined {
    return this.values.get(`${kind}\u0000${id}\u0000${path}`);
  }
}

/**
 * A raw remote object as a canonical spec: converted by its kind, references written by key,
 * every secret shown as `{secret: true}` (its plain value, where PostHog sent one, kept in
 * `vault`), or as the `${VAR}` reference the state records as having set it.
 */
export function remoteSpec(kind: KindDef, raw: JsonObject, refs: RefResolver, opts: RemoteSpecOptions = {}): JsonObject {
  return convertRemote(kind, raw, refs, opts).spec;
}

interface RemoteSpecOptions {
  /** `kind.toSpec(raw)` and its links, when the caller has them already. */
  spec?: { spec: JsonObject; links: readonly Link[] };
  bound?: SecretRefs | undefined;
  vault?: SecretValues | undefined;
}

/** remoteSpec, with the references to managed resources that `refs` had no key for (yet). */
export function convertRemote(
  kind: KindDef,
  raw: JsonObject,
  refs: RefResolver,
  opts: RemoteSpecOptions = {},
): { spec: JsonObject; unresolved: Array<{ link: Link; kind: KindDef }> } {
  const keyed = opts.spec ? toKeys(kind, opts.spec.spec, refs, opts.spec.links) : toKeys(kind, kind.toSpec(raw), refs);
  return { spec: withSecretMarkers(kind, raw, kind.normalize(keyed.spec), opts), unresolved: keyed.unresolved };
}

function withSecretMarkers(kind: KindDef, raw: JsonObject, spec: JsonObject, opts: RemoteSpecOptions): JsonObject {
  const slots = kind.secrets(spec);
  if (slots.length === 0) return spec;
  const out = structuredClone(spec);
  let changed = false;
  for (const slot of slots) {
    const input = valueAt(out, slot.path);
    if (isObject(input) && input.value !== undefined) {
      opts.vault?.remember(kind.kind, kind.remoteId(raw), slot.path, input.value);
      setValueAt(out, slot.path, { ...MARKER });
      changed = true;
    }
    const ref = opts.bound?.[slot.path];
    const now = valueAt(out, slot.path);
    if (ref && isObject(now) && now.secret === true) {
      setValueAt(out, slot.path, structuredClone(ref));
      changed = true;
    }
  }
  return changed ? kind.normalize(out) : spec;
}

export interface Resolved {
  spec: JsonObject;
  /** Variables that had no value. */
  missing: string[];
  /** Secret inputs written with a literal value (never allowed in files). */
  literalSecrets: string[];
}

/**
 * The spec a file asks for, in the form it is compared in: `${VAR}`s of ordinary values
 * replaced, then normalised. A secret input stays as written, `{secret: true}` or
 * `{value: ${VAR}}`; the remote side is shown the same way (remoteSpec). A literal secret
 * (refused by push and validate) is compared as `{secret: true}` so that its value never
 * reaches a plan.
 */
export function compareSpec(kind: KindDef, fileSpec: JsonObject, sources: VarSources): Resolved {
  const slots = kind.secrets(fileSpec);
  const paths = kind.varPaths(fileSpec);
  // Most files have nothing to resolve: normalise them without copying first (normalize never mutates).
  if (slots.length === 0 && !paths.some((p) => String(valueAt(fileSpec, p)).includes('$'))) {
    return { spec: kind.normalize(fileSpec), missing: [], literalSecrets: [] };
  }
  const spec = structuredClone(fileSpec);
  const literalSecrets: string[] = [];
  const unsetSecrets = new Set<string>();
  for (const slot of slots) {
    const input = valueAt(spec, slot.path);
    if (!isObject(input) || input.value === undefined) continue;
    if (!isReference(input.value)) {
      literalSecrets.push(slot.name);
      setValueAt(spec, slot.path, { ...MARKER });
      continue;
    }
    // Compared as written (`${VAR}`), but a push will need the value.
    for (const name of varNames(input.value)) if (lookupVar(name, sources) === undefined) unsetSecrets.add(varSource(name, sources));
  }
  const missing = [...new Set([...substituteValues(kind, spec, slots, sources), ...unsetSecrets])].sort();
  return { spec: kind.normalize(spec), missing, literalSecrets };
}

export interface Sendable extends Resolved {
  /** Secret inputs that have no value anywhere, each with the variable that would give it one. */
  unresolved: Array<{ slot: SecretSlot; variable: string }>;
  /** Why the spec would carry a personal API key, one phrase per cause (plan/key-guard.ts); nothing may be sent then. */
  keyLeaks: string[];
}

/** What the spec's resource is in PostHog, when it exists there. */
export interface RemoteSide {
  id: RemoteId;
  /** Its canonical spec (secrets as markers): which secrets PostHog holds. */
  spec: JsonObject;
}

/**
 * The spec to send: `${VAR}`s replaced, secret inputs given the value of their variable.
 * A `{secret: true}` is left for PostHog to keep what it stores where it can (top-level
 * inputs); elsewhere (mapping inputs) it becomes the value PostHog returned this run. A
 * secret PostHog does not hold yet takes HOGSYNC_SECRET_<KEY>_<INPUT>, or is reported.
 */
export function sendSpec(
  kind: KindDef,
  key: string,
  fileSpec: JsonObject,
  sources: VarSources,
  remote?: RemoteSide,
  vault?: SecretValues,
  redactor?: Redactor,
): Sendable {
  const spec = structuredClone(fileSpec);
  const slots = kind.secrets(spec);
  const literalSecrets: string[] = [];
  const unresolved: Sendable['unresolved'] = [];
  const missing = new Set<string>();
  for (const slot of slots) {
    const input = valueAt(spec, slot.path);
    if (isObject(input) && input.value !== undefined) {
      if (!isReference(input.value)) {
        literalSecrets.push(slot.name);
        continue;
      }
      const value = substitute(input.value, (n) => lookupVar(n, sources), missing);
      redactor?.register(value);
      setValueAt(spec, slot.path, { ...input, value });
      continue;
    }
    const marker = isObject(input) && input.secret === true;
    if (!marker && !(input === undefined && slot.required && !remote)) continue;
    const stored = remote ? isObject(valueAt(remote.spec, slot.path)) : false;
    if (stored && slot.serverKeeps) continue;
    const held = remote && vault ? vault.get(kind.kind, remote.id, slot.path) : undefined;
    if (stored && held !== undefined) {
      setValueAt(spec, slot.path, { value: held });
      continue;
    }
    // This environment's own variable first, then the one for every environment.
    const names = [
      ...(sources.environment ? [secretVarName(`${sources.environment}_${key}`, slot.name)] : []),
      secretVarName(key, slot.name),
    ];
    const variable = names.find((n) => sources.env[n] !== undefined);
    const value = variable === undefined ? undefined : sources.env[variable];
    if (value !== undefined) {
      redactor?.register(value);
      setValueAt(spec, slot.path, { value });
    } else unresolved.push({ slot, variable: names.join(' (or, for every environment, ') + (names.length > 1 ? ')' : '') });
  }
  for (const name of substituteValues(kind, spec, slots, sources)) missing.add(name);
  const sent = kind.normalize(spec);
  const keyLeaks = keyCarriers(kind, fileSpec, sources);
  // Whatever way a key got in (a HOGSYNC_SECRET_* variable, a literal), it does not leave.
  if (keyLeaks.length === 0 && carriesKey(sent, heldKeys(sources))) keyLeaks.push('a value holds the personal API key');
  return { spec: sent, missing: [...missing].map((n) => varSource(n, sources)).sort(), literalSecrets, unresolved, keyLeaks };
}

/** The `${VAR}`s of a file, secret inputs included, that would expand to a personal API key: "<why> at <pointer>". */
function keyCarriers(kind: KindDef, fileSpec: JsonObject, sources: VarSources): string[] {
  const paths = [...kind.varPaths(fileSpec), ...kind.secrets(fileSpec).map((s) => `${s.path}/value`)];
  const out = new Set<string>();
  for (const path of paths) {
    const value = valueAt(fileSpec, path);
    if (typeof value !== 'string' || !value.includes('${')) continue;
    for (const name of varNames(value)) {
      const why = keyCarrier(name, sources);
      if (why) out.add(`${why} at ${path}`);
    }
  }
  return [...out];
}

/** Replaces `${VAR}` in every ordinary (non-secret) value; returns the names that had no value. */
function substituteValues(kind: KindDef, spec: JsonObject, slots: SecretSlot[], sources: VarSources): string[] {
  const missing = new Set<string>();
  for (const path of kind.varPaths(spec)) {
    if (slots.some((s) => path === s.path || path.startsWith(`${s.path}/`))) continue;
    const value = valueAt(spec, path);
    if (typeof value === 'string' && value.includes('$'))
      setValueAt(
        spec,
        path,
        substitute(value, (n) => lookupVar(n, sources), missing),
      );
  }
  return [...missing].map((n) => varSource(n, sources)).sort();
}

function isReference(value: Json): value is string {
  return typeof value === 'string' && varNames(value).length > 0;
}

/**
 * Which variable set each secret input, as a file writes it: input pointer → the input
 * object (`{value: "${CRM_TOKEN}"}`). Templates only, never values. Recorded in the
 * state after a write, so that a later diff knows what PostHog's `{secret: true}` holds.
 */
export function secretRefs(kind: KindDef, fileSpec: JsonObject): SecretRefs {
  const refs: SecretRefs = {};
  for (const slot of kind.secrets(fileSpec)) {
    const input = valueAt(fileSpec, slot.path);
    if (isObject(input) && input.value !== undefined && isReference(input.value)) refs[slot.path] = structuredClone(input);
  }
  return refs;
}

/**
 * The variable that supplies a secret input PostHog does not hold yet when the file only
 * says `{secret: true}` (a new environment, a copy): HOGSYNC_SECRET_<ENV>_<KEY>_<INPUT> for
 * one environment, or HOGSYNC_SECRET_<KEY>_<INPUT> for all.
 */
function secretVarName(key: string, input: string): string {
  return `HOGSYNC_SECRET_${key}_${input}`.toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
}

/**
 * Every value the files' `${VAR}`s and the HOGSYNC_SECRET_* variables can bring into this
 * run, registered before anything is read from PostHog or printed.
 */
export function hideValues(redactor: Redactor, specs: Array<{ kind: KindDef; spec: JsonObject }>, sources: VarSources): void {
  for (const [name, value] of Object.entries(sources.env)) if (name.startsWith('HOGSYNC_SECRET_')) redactor.register(value);
  const names = new Set<string>();
  for (const { kind, spec } of specs) {
    const paths = [...kind.varPaths(spec), ...kind.secrets(spec).map((s) => `${s.path}/value`)];
    for (const path of paths) {
      const v = valueAt(spec, path);
      if (typeof v === 'string' && v.includes('${')) for (const n of varNames(v)) names.add(n);
    }
  }
  for (const n of names) redactor.register(lookupVar(n, sources));
}

/**
 * A test run (`hogsync test`) sends the file's own secrets, which the output then masks
 * (the executor logs what a mocked fetch would send). A secret only PostHog holds is one
 * hogsync never sees and so could not mask: it runs as the placeholder `<secret:NAME>`.
 */
export function placeholderSecrets(kind: KindDef, spec: JsonObject): JsonObject {
  const out = structuredClone(spec);
  for (const slot of kind.secrets(out)) {
    const input = valueAt(out, slot.path);
    const value = isObject(input) ? input.value : undefined;
    if (!(typeof value === 'string' && value.length > 0)) setValueAt(out, slot.path, { value: `<secret:${slot.name}>` });
  }
  return out;
}

/**
 * A secret cannot be read from the source. For the target it comes from the variable the
 * working-tree file names (`value: ${VAR}`); otherwise it stays `{secret: true}`, which
 * keeps a secret the target already stores, and push's preflight takes it from
 * HOGSYNC_SECRET_<KEY>_<INPUT> (or names that variable) when the target has none.
 */
export function targetSecrets(kind: KindDef, spec: JsonObject, fileSpec: JsonObject | undefined): JsonObject {
  const out = structuredClone(spec);
  for (const slot of kind.secrets(out)) {
    const fromFile = fileSpec ? valueAt(fileSpec, slot.path) : undefined;
    if (isObject(fromFile) && fromFile.value !== undefined && isReference(fromFile.value)) setValueAt(out, slot.path, { ...fromFile });
  }
  return out;
}

/**
 * Secret inputs of a file (set with `value: ${NAME}`) that two environments would read from
 * the same process variable: in CI that variable holds one environment's secret, so a copy
 * would put it into the other. Each with the name in the file and the process variable.
 */
export function sharedSecrets(
  kind: KindDef,
  fileSpec: JsonObject | undefined,
  from: VarSources,
  to: VarSources,
): Array<{ input: string; name: string; variable: string }> {
  if (!fileSpec) return [];
  const out: Array<{ input: string; name: string; variable: string }> = [];
  for (const slot of kind.secrets(fileSpec)) {
    const input = valueAt(fileSpec, slot.path);
    if (!isObject(input) || typeof input.value !== 'string') continue;
    for (const name of varNames(input.value)) {
      // A value written in hogsync.yaml itself is not a process variable either side could share.
      const literal = (s: VarSources) => s.vars[name] !== undefined && varNames(s.vars[name] ?? '').length === 0;
      if (literal(from) || literal(to)) continue;
      const variable = varSource(name, to);
      if (variable === varSource(name, from)) out.push({ input: `"${slot.name}"`, name, variable });
    }
  }
  return out;
}

import { UnresolvedReferenceError } from '../errors.js';
import { hashJson, isObject, pointer, setValueAt, splitPointer, valueAt, type Json, type JsonObject } from '../json.js';
import { omit } from './normalize.js';
import { dependsOn, KINDS } from './registry.js';
import type { ForeignRef, KindDef, Link, ManagedRef, RefResolver, RemoteId } from './types.js';

// References between resources, for every kind (DESIGN.md "Resource files"): each kind declares
// where its specs point at other objects (KindDef.links); this module alone turns PostHog's ids
// into keys (pull, diff) and keys into ids (push, copy, restore), says which references hold
// keys (validate, mv, push order) and which hold ids (mapped through `refs:`).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const byRefsType = new Map(KINDS.map((k) => [k.refsType, k]));

/**
 * Whether a key of `kind` would read as an id where a file names it (only digits for a kind with
 * integer ids, a UUID for one with UUIDs): no key may look like one (validate refuses it,
 * plan/keys.ts never gives one out).
 */
export function readsAsId(kind: KindDef, key: string): boolean {
  return isId(kind.refsType, key);
}

/**
 * Whether a link's value is an id rather than a key: numbers always; strings that look like an
 * id of the kind (digits for integer ids, a UUID for UUID ids); anything for objects hogsync does
 * not manage. Keys never look like ids (readsAsId), so both can stand side by side.
 */
function isId(type: string, value: string | number): boolean {
  if (typeof value === 'number') return true;
  const kind = byRefsType.get(type);
  if (!kind) return true;
  return kind.idFormat === 'integer' ? /^\d+$/.test(value) : UUID.test(value);
}

/** Whether a link from `from` to `to` is written late: `to` is not written before `from`. */
function isLate(from: KindDef, to: KindDef): boolean {
  return !dependsOn(from, to.kind);
}

/** The links of a spec that name a managed resource by key (what validate checks, mv rewrites and push waits for). */
export function keyRefs(kind: KindDef, spec: JsonObject): ManagedRef[] {
  const refs: ManagedRef[] = [];
  for (const link of kind.links(spec)) {
    const target = byRefsType.get(link.type);
    if (target && !isId(link.type, link.value)) refs.push({ kind: target.kind, key: String(link.value), path: link.path });
  }
  return refs;
}

/** The links of a spec that hold an id: ids of one project, mapped into another through `refs:`. */
export function foreignIds(kind: KindDef, spec: JsonObject): ForeignRef[] {
  // An entry named by an id (a variable hogsync does not know) has nothing `refs:` could map it to.
  return kind
    .links(spec)
    .flatMap((l) =>
      isId(l.type, l.value) && !l.entry
        ? [{ type: l.type, id: l.value, path: l.path, ...(l.organizationWide ? { organizationWide: true } : {}) }]
        : [],
    );
}

/**
 * The managed kinds that links of a spec (`kind.links(spec)`) name by id, what `toKeys` would look
 * up: a remote resource can be written by key once those kinds have their keys, and not before.
 */
export function idTargets(links: readonly Link[]): Set<string> {
  const kinds = new Set<string>();
  for (const link of links) {
    const target = byRefsType.get(link.type);
    if (target && isId(link.type, link.value)) kinds.add(target.kind);
  }
  return kinds;
}

/** A spec translated: the links written as keys, and the ids of managed kinds that could not be. */
export interface Keyed {
  spec: JsonObject;
  written: Array<{ link: Link; kind: KindDef }>;
  unresolved: Array<{ link: Link; kind: KindDef }>;
}

/**
 * PostHog's ids → keys, wherever `refs` knows the key (files name managed resources by key).
 * An entry link is renamed, and the fields that repeat the id or name its natural key go; an id
 * with no key is found by that natural key (a variable entry's `code_name`). Ids with no key
 * stay ids: objects hogsync does not manage, or resources not (yet) known to `refs`. `links`
 * are the spec's (`kind.links(spec)`), when the caller has them already.
 */
export function toKeys(kind: KindDef, spec: JsonObject, refs: RefResolver, links: readonly Link[] = kind.links(spec)): Keyed {
  const edits: Array<{ link: Link; kind: KindDef; to: string }> = [];
  const unresolved: Keyed['unresolved'] = [];
  for (const link of links) {
    const target = byRefsType.get(link.type);
    if (!target || !isId(link.type, link.value)) continue;
    const natural = link.entry?.naturalField ? valueAt(spec, `${link.path}/${pointerEscape(link.entry.naturalField)}`) : undefined;
    const key = refs.keyOf(target.kind, link.value) ?? (typeof natural === 'string' ? refs.keyByNatural(target.kind, natural) : undefined);
    if (key === undefined) unresolved.push({ link, kind: target });
    else edits.push({ link, kind: target, to: key });
  }
  if (edits.length === 0) return { spec, written: [], unresolved };
  const out = structuredClone(spec);
  for (const { link, to } of edits)
    write(out, link, to, (entry) =>
      omit(
        entry,
        [link.entry?.idField, link.entry?.naturalField].filter((f): f is string => f !== undefined),
      ),
    );
  return { spec: out, written: edits.map(({ link, kind: target }) => ({ link, kind: target })), unresolved };
}

/**
 * Keys → this environment's ids (what PostHog is sent). An entry link gets the fields PostHog
 * wants beside the id. A key no resource is bound to is an error that names it.
 */
export function toIds(kind: KindDef, spec: JsonObject, refs: RefResolver): JsonObject {
  const edits: Array<{ link: Link; to: RemoteId; natural: string }> = [];
  for (const link of kind.links(spec)) {
    const target = byRefsType.get(link.type);
    if (!target || isId(link.type, link.value)) continue;
    const key = String(link.value);
    const id = refs.idOf(target.kind, key);
    if (id === undefined) {
      throw new UnresolvedReferenceError(
        `${kind.kind} refers to ${target.kind} "${key}" (at ${link.path}), which does not exist in this environment: add a file for it under ${target.folder}/ or fix the reference`,
      );
    }
    const raw = refs.remote(target.kind, id);
    edits.push({ link, to: id, natural: target.naturalOfKey?.(key) ?? (raw ? target.naturalKey({}, raw) : undefined) ?? key });
  }
  if (edits.length === 0) return spec;
  const out = structuredClone(spec);
  for (const { link, to, natural } of edits) {
    write(out, link, to, (entry) => ({
      ...entry,
      ...(link.entry?.idField ? { [link.entry.idField]: String(to) } : {}),
      ...(link.entry?.naturalField ? { [link.entry.naturalField]: natural } : {}),
    }));
  }
  return out;
}

/**
 * What pairs a file with what a create of it made (a create whose answer was lost): the spec's
 * hash, except that references written late (to resources written after this one, or beside it)
 * and deferred fields (sent by a second request) are left out, so that a resource made by a run
 * killed between the two requests is still recognised.
 */
export function pairingHash(kind: KindDef, spec: JsonObject, hash: string): string {
  return blankedHash(spec, hash, kind.deferred?.fields ?? [], lateLinks(kind, spec));
}

/**
 * What pairs a file with a remote resource by its whole content (a state that was lost): as
 * pairingHash, but with the deferred fields in, so that two dashboards alike in all but their
 * tiles are not taken for each other.
 */
export function wholeHash(kind: KindDef, spec: JsonObject, hash: string): string {
  return blankedHash(spec, hash, [], lateLinks(kind, spec));
}

/** pairingHash and wholeHash of one spec, its links found once. */
export function pairingHashes(kind: KindDef, spec: JsonObject, hash: string): { pairing: string; whole: string } {
  const late = lateLinks(kind, spec);
  return { pairing: blankedHash(spec, hash, kind.deferred?.fields ?? [], late), whole: blankedHash(spec, hash, [], late) };
}

function lateLinks(kind: KindDef, spec: JsonObject): Link[] {
  return kind.links(spec).filter((l) => {
    const target = byRefsType.get(l.type);
    return target !== undefined && isLate(kind, target);
  });
}

function blankedHash(spec: JsonObject, hash: string, leftOut: readonly string[], late: readonly Link[]): string {
  if (late.length === 0 && !leftOut.some((f) => spec[f] !== undefined)) return hash;
  const out = structuredClone(omit(spec, leftOut));
  for (const link of late) {
    if (valueAt(out, link.path) === undefined) continue;
    if (link.entry) removeEntry(out, link.path);
    else setValueAt(out, link.path, '?');
  }
  return hashJson(out);
}

/** Sets a link's value, or renames its mapping entry (keeping its place) and reshapes the entry. */
function write(spec: JsonObject, link: Link, to: RemoteId, reshape: (entry: JsonObject) => JsonObject): void {
  if (!link.entry) {
    setValueAt(spec, link.path, to);
    return;
  }
  const segments = splitPointer(link.path);
  const name = segments[segments.length - 1] as string;
  const parent = valueAt(spec, pointer(segments.slice(0, -1)));
  if (!isObject(parent)) return;
  const entries = Object.entries(parent).map(([k, v]): [string, Json] =>
    k === name ? [String(to), isObject(v) ? reshape(v) : v] : [k, v],
  );
  for (const k of Object.keys(parent)) delete parent[k];
  Object.assign(parent, Object.fromEntries(entries));
}

function removeEntry(spec: JsonObject, path: string): void {
  const segments = splitPointer(path);
  const parent = valueAt(spec, pointer(segments.slice(0, -1)));
  if (isObject(parent)) delete parent[segments[segments.length - 1] as string];
}

function pointerEscape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

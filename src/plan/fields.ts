import { createHash } from 'node:crypto';
import { canonicalJson, type JsonObject } from '../json.js';

// A spec field by field (DESIGN.md "Diff: classification"): the state keeps a short hash of each
// top-level field of the base, so that a file and PostHog that both changed since the last sync
// can tell whether they changed the same fields (a conflict) or different ones (a merge).

/** Field → a short hash of its value (48 bits: a comparison of two versions of one field, never a lookup). */
export type FieldHashes = Record<string, string>;

/** Stands for a field a version does not have. */
const ABSENT = '';

export function fieldHashes(spec: JsonObject): FieldHashes {
  const out: FieldHashes = {};
  for (const [field, value] of Object.entries(spec)) {
    if (value !== undefined) out[field] = createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 12);
  }
  return out;
}

/** The fields whose hashes differ between two versions, a field one of them lacks included, sorted. */
export function differingFields(a: FieldHashes, b: FieldHashes): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => (a[f] ?? ABSENT) !== (b[f] ?? ABSENT)).sort();
}

/** `local`'s hashes where they differ from `base`'s (a field `local` lacks as ABSENT): what a binding stores beside `base`. */
export function deltaFrom(base: FieldHashes, local: FieldHashes): FieldHashes | undefined {
  const delta: FieldHashes = {};
  for (const f of differingFields(base, local)) delta[f] = local[f] ?? ABSENT;
  return Object.keys(delta).length > 0 ? delta : undefined;
}

/** `base` with `delta` applied (ABSENT removes a field). */
export function withDelta(base: FieldHashes, delta: FieldHashes | undefined): FieldHashes {
  const out = { ...base };
  for (const [f, h] of Object.entries(delta ?? {})) {
    if (h === ABSENT) delete out[f];
    else out[f] = h;
  }
  return out;
}

import type { JsonObject } from '../json.js';
import type { Binding } from '../model.js';
import { NO_BASE } from './binding.js';
import { differingFields, fieldHashes, withDelta } from './fields.js';

/**
 * A resource the file and PostHog both changed since the last sync, field by field: which
 * top-level fields each side changed, and which both changed to different values. Only those
 * are a conflict; the rest merge (the file's fields are pushed, PostHog's are kept and pulled).
 */
export interface FieldMerge {
  /** Fields the file changed. */
  local: string[];
  /** Fields PostHog changed. */
  remote: string[];
  /** Fields both changed, to different values: the conflict, if any. */
  both: string[];
}

/** The merge of a changed file and a changed PostHog copy, when the binding knows its fields (undefined otherwise). */
export function fieldMerge(local: JsonObject, remote: JsonObject, binding: Binding): FieldMerge | undefined {
  if (!binding.fields || binding.base === NO_BASE) return undefined;
  const mine = fieldHashes(local);
  const theirs = fieldHashes(remote);
  const changedHere = differingFields(mine, withDelta(binding.fields, binding.localFields));
  const changedThere = differingFields(theirs, binding.fields);
  const both = changedHere.filter((f) => changedThere.includes(f) && mine[f] !== theirs[f]);
  return { local: changedHere, remote: changedThere, both };
}

import { canonicalJson, type JsonObject } from '../json.js';
import type { KindDef } from '../kinds/index.js';
import type { Binding } from '../model.js';
import { deltaFrom, fieldHashes, type FieldHashes } from './fields.js';

/**
 * The base of a pair that was matched without a version both sides once had (a pull after the
 * state was lost, where the file and PostHog's copy differ): it equals no spec's hash, so every
 * command sees a change on both sides, a conflict for a person to settle, until --force does.
 */
export const NO_BASE = 'sha256:0';

/**
 * The binding of a remote object seen in sync with `base`, with the kind's stable extras. With
 * `specs` (PostHog's spec at base, and the file's where known), it records their fields' hashes too
 * (`baseFields`: those of `specs.base`, when they are known already).
 */
export function bindingOf(
  kind: KindDef,
  raw: JsonObject,
  base: string,
  secrets?: Binding['secrets'],
  local?: string,
  specs?: { base: JsonObject; baseFields?: FieldHashes | undefined; local?: JsonObject },
): Binding {
  const extras = kind.bindingExtras?.(raw) ?? {};
  const fields = specs ? (specs.baseFields ?? fieldHashes(specs.base)) : undefined;
  const localFields =
    fields && specs?.local && local !== undefined && local !== base ? deltaFrom(fields, fieldHashes(specs.local)) : undefined;
  return {
    id: kind.remoteId(raw),
    ...(Object.keys(extras).length > 0 ? { extras } : {}),
    base,
    ...(local !== undefined && local !== base ? { local } : {}),
    ...(fields ? { fields } : {}),
    ...(localFields ? { localFields } : {}),
    ...(secrets && Object.keys(secrets).length > 0 ? { secrets } : {}),
  };
}

/** Same id, bases, extras and flags: nothing to record. */
export function sameBinding(a: Binding | undefined, b: Binding): boolean {
  return (
    a !== undefined &&
    a.id === b.id &&
    a.base === b.base &&
    (a.local ?? a.base) === (b.local ?? b.base) &&
    (a.awaitsFile ?? false) === (b.awaitsFile ?? false) &&
    a.behind === b.behind &&
    canonicalJson(a.fields ?? {}) === canonicalJson(b.fields ?? {}) &&
    canonicalJson(a.localFields ?? {}) === canonicalJson(b.localFields ?? {}) &&
    canonicalJson(a.extras ?? {}) === canonicalJson(b.extras ?? {})
  );
}

/** The hash the file had when it was last in sync (the file side's base). */
export function localBase(b: Binding): string {
  return b.local ?? b.base;
}

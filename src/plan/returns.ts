import type { Operation } from 'fast-json-patch';
import { hashJson, isObject, splitPointer, pointer, valueAt, type Json, type JsonObject } from '../json.js';
import { keyRefs, type ManagedRef } from '../kinds/index.js';
import type { Change } from './diff.js';

// What follows, for other resources, from the ones a plan brings back or makes (restore,
// create): PostHog dropped their references to what it deleted, and a plan that brings it back
// brings those references back too. Without this, they would read as edits made in PostHog.

/**
 * Resources that reference what the plan brings back. Re-created under a new id (PostHog deletes
 * its kind for good): they are updated, with the reference resolved to the new id. Left out of a
 * list in PostHog while it was deleted (a deleted insight's tile on its dashboard, a deleted
 * dashboard in its insights' `dashboards`), and otherwise as the file says: the same holds, so
 * the change is the file's to send, not a drift.
 */
export function followReturns(changes: Change[]): Change[] {
  const returning = new Set(changes.filter((c) => c.action === 'restore' || c.action === 'create').map((c) => `${c.kind.kind}/${c.key}`));
  const recreated = new Set(
    changes.filter((c) => c.action === 'restore' && c.kind.deleteStyle !== 'soft').map((c) => `${c.kind.kind}/${c.key}`),
  );
  // Bound now to its namesake made again in the UI: what still holds the old id follows it.
  const renumbered = new Map<string, { type: string; old: string }>();
  for (const c of changes) {
    const { binding, remote } = c.entry ?? {};
    if (c.action === 'adopt' && binding && remote && String(binding.id) !== String(remote.id))
      renumbered.set(`${c.kind.kind}/${c.key}`, { type: c.kind.refsType, old: String(binding.id) });
  }
  if (returning.size === 0 && recreated.size === 0 && renumbered.size === 0) return changes;
  const stale = (c: Change) => {
    const raw = c.entry?.remote?.raw;
    if (!raw || renumbered.size === 0) return new Set<string>();
    const held = new Set(c.kind.links(c.kind.toSpec(raw)).map((l) => `${l.type}:${String(l.value)}`));
    return new Set([...renumbered].filter(([, r]) => held.has(`${r.type}:${r.old}`)).map(([ref]) => ref));
  };
  return changes.map((c) => repointed(c, new Set([...recreated, ...stale(c)])) ?? relisted(c, returning) ?? c);
}

function named(refs: ManagedRef[]): string {
  return refs.map((r) => `${r.kind}/${r.key}`).join(', ');
}

function withoutDriftNote(c: Change): string[] {
  return c.notes.filter((n) => !n.startsWith('changed in PostHog'));
}

/** A reference to a re-created resource still holds the old id in PostHog. */
function repointed(c: Change, recreated: Set<string>): Change | undefined {
  const local = c.entry?.local;
  if ((c.action !== 'unchanged' && c.action !== 'drift' && c.action !== 'update') || !local || recreated.size === 0) return undefined;
  const refs = keyRefs(c.kind, local.spec).filter((r) => recreated.has(`${r.kind}/${r.key}`));
  if (refs.length === 0) return undefined;
  const follows = refs.map((r) => `${r.kind}/${r.key}`);
  // An update sends the file, references resolved to the new ids, already: it comes along with them.
  if (c.action === 'update') return { ...c, follows };
  const under = (path: string) => refs.some((r) => path === `/spec${r.path}` || path.startsWith(`/spec${r.path}/`));
  // PostHog drops a reference to a resource it no longer has when it reads: that is no UI edit.
  if (c.action === 'drift' && !(c.remotePatch ?? []).every((op) => under(op.path))) return undefined;
  const patch = refs.map((r): Operation => ({ op: 'replace', path: `/spec${r.path}`, value: valueAt(local.spec, r.path) ?? null }));
  const { remotePatch: _dropped, ...rest } = c;
  return {
    ...rest,
    action: 'update',
    patch,
    follows,
    notes: [...withoutDriftNote(c), `re-pointed to ${named(refs)}, which is re-created`],
  };
}

/**
 * A drift that is exactly the list entries naming returning resources gone from PostHog's copy:
 * the file is sent (the entries come back with them) and the plan says why.
 */
function relisted(c: Change, returning: Set<string>): Change | undefined {
  const { local, remote } = c.entry ?? {};
  if (c.action !== 'drift' || !local || !remote) return undefined;
  const refs = keyRefs(c.kind, local.spec).filter((r) => returning.has(`${r.kind}/${r.key}`));
  if (refs.length === 0) return undefined;
  const entries = refs.map((r) => listEntryOf(r.path));
  if (entries.some((e) => e === undefined)) return undefined;
  const without = removeEntries(local.spec, entries as string[]);
  if (hashJson(c.kind.normalize(without)) !== remote.hash) return undefined;
  const { remotePatch: _dropped, ...rest } = c;
  return {
    ...rest,
    action: 'update',
    notes: [...withoutDriftNote(c), `PostHog left out what names ${named(refs)} while it was deleted; it comes back with it`],
  };
}

/** The list entry a reference sits in (`/tiles/3` for `/tiles/3/insight`, `/dashboards/0` itself), if any. */
function listEntryOf(path: string): string | undefined {
  const segments = splitPointer(path);
  for (let i = segments.length - 1; i >= 0; i--) if (/^\d+$/.test(segments[i] as string)) return pointer(segments.slice(0, i + 1));
  return undefined;
}

/** A copy without the list entries at `paths` (later indexes first, so earlier ones keep their place). */
function removeEntries(spec: JsonObject, paths: string[]): JsonObject {
  const out = structuredClone(spec);
  const sorted = [...new Set(paths)].sort((a, b) => Number(splitPointer(b).at(-1)) - Number(splitPointer(a).at(-1)));
  for (const path of sorted) {
    const segments = splitPointer(path);
    const list: Json | undefined = valueAt(out, pointer(segments.slice(0, -1)));
    if (Array.isArray(list)) list.splice(Number(segments.at(-1)), 1);
    else if (isObject(list)) delete list[segments.at(-1) as string];
  }
  return out;
}

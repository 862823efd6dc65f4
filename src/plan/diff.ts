import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { splitPointer, type JsonObject } from '../json.js';
import { andList, type KindDef, type RemoteId } from '../kinds/index.js';
import type { Binding } from '../model.js';
import { classify, type Standing } from './classify.js';
import { fieldMerge, type FieldMerge } from './merge.js';
import { followReturns } from './returns.js';
import type { Entry, Snapshot } from './snapshot.js';

const ACTIONS = ['create', 'restore', 'update', 'delete', 'unchanged', 'drift', 'conflict', 'adopt', 'unmanaged'] as const;
export type Action = (typeof ACTIONS)[number];

export interface Change {
  kind: KindDef;
  key: string;
  action: Action;
  id?: RemoteId;
  /** Resource file, relative to the workspace root. */
  file?: string;
  /** Display name (for unmanaged resources, which have no key yet). */
  name?: string;
  /** RFC 6902 operations turning the remote document `{spec}` into the local one: what push would do. */
  patch?: Operation[];
  /**
   * Drift and conflicts only: RFC 6902 operations turning the local document `{spec}` into
   * the remote one. For drift the file is at the base, so this is what happened in PostHog
   * since the last sync; in both cases it is what pull would do to the file.
   */
  remotePatch?: Operation[];
  /** Why: e.g. "deleted in PostHog", or a same-named resource that was not adopted. */
  notes: string[];
  /** `Kind/key` of what this change only follows (a reference re-pointed to a resource re-created under a new id). */
  follows?: string[];
  /** A merge (both sides changed different fields): PostHog's changed fields, which the update keeps. */
  kept?: string[];
  /** A conflict: what the fields both sides changed were at the last sync, where git still holds it. */
  base?: JsonObject;
  entry?: Entry;
}

/** A variable a push of a plan needs and this run does not have: a `${NAME}` of the files, or the HOGSYNC_SECRET_* of a secret input PostHog does not hold. */
export interface Need {
  variable: string;
  secret: boolean;
  /** `Kind/key` of the resources that need it. */
  users: string[];
}

export interface Plan {
  environment: string;
  /** What a push (or a real run of a dry run) would need and this run does not have, all of it (apply/apply-plan.ts needsOf). */
  needs?: Need[];
  /** The command whose plan it is, when it is not push's (diff's): what its advice names. */
  writer?: 'push' | 'copy' | 'restore';
  changes: Change[];
  summary: Record<Action, number>;
  /**
   * `${VAR}`s that changes push would send use and that have no value in this run's
   * environment, sorted: push stops before any write until they are set.
   */
  missingVars?: string[];
  /**
   * Problems the checks found in files PostHog holds as they are, each `file:line:col: …`:
   * told, not acted on (engine/gate.ts).
   */
  warnings?: string[];
}

/** RFC 6902 patch from one spec to another, rooted at /spec. */
function specPatch(from: JsonObject | undefined, to: JsonObject | undefined): Operation[] {
  if (from === undefined && to !== undefined) return [{ op: 'add', path: '/spec', value: to }];
  if (from !== undefined && to === undefined) return [{ op: 'remove', path: '/spec' }];
  if (from === undefined || to === undefined) return [];
  return fastJsonPatch.compare({ spec: from }, { spec: to });
}

/**
 * Classifies every resource (DESIGN.md "Diff: classification"): three-way against the
 * base recorded in state when there is one, two-way otherwise. Pure.
 */
export function computePlan(snapshot: Snapshot, environment: string): Plan {
  const changes: Change[] = followReturns(snapshot.entries.map(classifyChange));
  for (const { kind, remote } of snapshot.unmanaged) {
    const name = typeof remote.spec.name === 'string' ? remote.spec.name : undefined;
    // Resources hogsync never manages (static cohorts) say why; the rest are for pull or import.
    const never = kind.unmanagedReason?.(remote.raw);
    changes.push({ kind, key: '', action: 'unmanaged', id: remote.id, ...(name ? { name } : {}), notes: never ? [never] : [] });
  }
  const summary = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
  for (const c of changes) summary[c.action]++;
  return { environment, changes, summary, missingVars: missingVarsOf(changes) };
}

/** What push sends without --force: the file's spec (a delete sends none). */
const SENT_BY_PUSH: ReadonlySet<string> = new Set(['create', 'update', 'adopt', 'restore']);

/** Unset `${VAR}`s of one change that push would need to send it. */
export function varsPushNeeds(change: Change): string[] {
  return SENT_BY_PUSH.has(change.action) ? (change.entry?.local?.missingVars ?? []) : [];
}

/** Unset `${VAR}`s of every change push would send, sorted, each once. */
export function missingVarsOf(changes: readonly Change[]): string[] {
  return [...new Set(changes.flatMap(varsPushNeeds))].sort();
}

/** What diff (and so push) calls each standing, with the note that explains it. */
const DIFF_ACTIONS: Record<Standing, { action: Action; note?: string }> = {
  'in-sync': { action: 'unchanged' },
  'new-local': { action: 'create' },
  buried: { action: 'restore' },
  'new-remote': { action: 'unmanaged' },
  matched: { action: 'adopt' },
  'local-edit': { action: 'update' },
  'remote-edit': { action: 'drift', note: 'changed in PostHog since the last sync' },
  merged: { action: 'update' },
  'both-edit': { action: 'conflict', note: 'changed both locally and in PostHog since the last sync' },
  'no-base': { action: 'update' },
  'remote-gone': { action: 'restore', note: 'deleted in PostHog since the last sync; push brings it back (pull removes the file instead)' },
  'remote-gone-local-edit': { action: 'conflict', note: 'deleted in PostHog and edited locally' },
  // Restored from a commit: the work tree catches up on the next pull; nothing to push.
  'awaits-file': { action: 'unchanged' },
  // PostHog was put back to an earlier commit; pushing the work tree's file would undo that.
  'file-behind': {
    action: 'drift',
    note: 'restored from an earlier commit, which the work tree does not have yet: pull writes the file as PostHog now holds it',
  },
  'local-gone': { action: 'delete', note: 'file removed' },
  'local-gone-remote-edit': { action: 'conflict', note: 'file removed locally and changed in PostHog' },
  'both-gone': { action: 'unchanged' },
};

function classifyChange(entry: Entry): Change {
  const { kind, key, local, remote, binding } = entry;
  const base: Change = { kind, key, action: 'unchanged', notes: [...entry.warnings], entry };
  if (local) base.file = local.file;
  if (remote) base.id = remote.id;
  else if (binding) base.id = binding.id;
  const standing = classify(entry);
  if (standing === 'in-sync') return rotated(base, entry);
  const { action, note } = DIFF_ACTIONS[standing];
  if (action === 'unchanged') return base;
  const notes = [...base.notes];
  if (note) notes.push(note);
  if (standing === 'matched' && local && remote && local.hash === remote.hash) notes.push('identical remote resource');
  const gone = standing === 'buried' ? entry.tombstone : standing === 'remote-gone' ? binding : undefined;
  if (gone) {
    base.id = gone.id;
    notes.push(restoreNote(kind, gone));
  }
  if (action === 'delete' && kind.deleteNote) notes.push(kind.deleteNote);
  if (standing === 'merged' && local && remote && binding) return merged(base, notes, local.spec, remote.spec, binding);
  const patch = specPatch(remote?.spec, local?.spec);
  // Drift and conflicts are decided by a person: they see both directions.
  if (action === 'drift' || action === 'conflict')
    return { ...base, action, notes, patch, remotePatch: specPatch(local?.spec, remote?.spec) };
  return { ...base, action, notes, patch };
}

/**
 * Both sides changed, different fields: push sends the file's fields and keeps PostHog's (pull then
 * brings them into the file). The patch holds only the file's fields; `kept` names PostHog's.
 */
function merged(base: Change, notes: string[], local: JsonObject, remote: JsonObject, binding: Binding): Change {
  const merge = fieldMerge(local, remote, binding) as FieldMerge;
  const ownField = (path: string, fields: string[]) => fields.includes(splitPointer(path)[1] ?? '');
  const patch = specPatch(remote, local).filter((op) => ownField(op.path, merge.local));
  const remotePatch = specPatch(local, remote).filter((op) => ownField(op.path, merge.remote));
  notes.push(
    `changed in both places, different fields: push sends the file's ${andList(merge.local)} and keeps PostHog's ${andList(merge.remote)}, which pull then brings into the file`,
  );
  return { ...base, action: 'update', notes, patch, remotePatch, kept: merge.remote };
}

/** How a deleted resource comes back: in place where PostHog keeps deleted ones, else as a new one. */
function restoreNote(kind: KindDef, t: Binding): string {
  const extras = Object.entries(t.extras ?? {})
    .map(([k, v]) => `, ${k} ${v}`)
    .join('');
  return kind.deleteStyle === 'soft'
    ? `deleted in PostHog; undeleted in place, so id ${t.id}${extras} and links to it keep working`
    : `deleted in PostHog for good; re-created under a new id (references to it are re-pointed)`;
}

/** push --rotate-secrets: the same spec, but the variables behind its secrets may hold new values. */
function rotated(base: Change, entry: Entry): Change {
  const refs = Object.entries(entry.local?.secretRefs ?? {});
  if (!entry.rotateSecrets || refs.length === 0) return base;
  const patch = refs.map(([path, value]): Operation => ({ op: 'replace', path: `/spec${path}`, value }));
  return { ...base, action: 'update', patch, notes: [...base.notes, 'secrets set from variables are sent again (--rotate-secrets)'] };
}

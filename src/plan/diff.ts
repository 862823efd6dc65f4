import fastJsonPatch, { type Operation } from 'fast-json-patch';
import type { JsonObject } from '../json.js';
import type { KindDef, RemoteId } from '../kinds/index.js';
import type { Entry, Snapshot } from './snapshot.js';

export const ACTIONS = ['create', 'update', 'delete', 'unchanged', 'drift', 'conflict', 'adopt', 'unmanaged'] as const;
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
  /** RFC 6902 operations turning the remote document `{spec}` into the local one. */
  patch?: Operation[];
  /** Why: e.g. "deleted in PostHog", or a same-named resource that was not adopted. */
  notes: string[];
  entry?: Entry;
}

export interface Plan {
  environment: string;
  changes: Change[];
  summary: Record<Action, number>;
}

/** RFC 6902 patch from one spec to another, rooted at /spec. */
export function specPatch(from: JsonObject | undefined, to: JsonObject | undefined): Operation[] {
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
  const changes: Change[] = snapshot.entries.map(classify);
  for (const { kind, remote } of snapshot.unmanaged) {
    const name = typeof remote.spec.name === 'string' ? remote.spec.name : undefined;
    changes.push({ kind, key: '', action: 'unmanaged', id: remote.id, ...(name ? { name } : {}), notes: [] });
  }
  const summary = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
  for (const c of changes) summary[c.action]++;
  return { environment, changes, summary };
}

function classify(entry: Entry): Change {
  const { kind, key, local, remote, binding } = entry;
  const base: Change = { kind, key, action: 'unchanged', notes: [...entry.warnings], entry };
  if (local) base.file = local.file;
  if (remote) base.id = remote.id;
  else if (binding) base.id = binding.id;
  const with_ = (action: Action, note?: string): Change => {
    const c: Change = { ...base, action, notes: note ? [...base.notes, note] : base.notes };
    if (action !== 'unchanged') c.patch = specPatch(remote?.spec, local?.spec);
    return c;
  };

  if (local && !remote) {
    if (!binding) return with_('create');
    // Bound, but gone from PostHog: deleted there since the last sync.
    return local.hash === binding.base ? with_('drift', 'deleted in PostHog since the last sync') : with_('conflict', 'deleted in PostHog and edited locally');
  }
  if (!local && remote) {
    if (!binding) return with_('unmanaged');
    return remote.hash === binding.base ? with_('delete', 'file removed') : with_('conflict', 'file removed locally and changed in PostHog');
  }
  if (!local || !remote) return { ...base, action: 'unchanged' };

  if (entry.match === 'adopt' || entry.match === 'pending') {
    return local.hash === remote.hash ? with_('adopt', 'identical remote resource') : with_('adopt');
  }
  if (local.hash === remote.hash) {
    const refs = Object.entries(local.secretRefs);
    if (!entry.rotateSecrets || refs.length === 0) return base;
    // Same spec, but the variables behind its secrets may hold new values: send them again.
    const patch = refs.map(([path, value]): Operation => ({ op: 'replace', path: `/spec${path}`, value }));
    return { ...base, action: 'update', patch, notes: [...base.notes, 'secrets set from variables are sent again (--rotate-secrets)'] };
  }
  if (!binding) return with_('update');
  if (remote.hash === binding.base) return with_('update');
  if (local.hash === binding.base) return with_('drift', 'changed in PostHog since the last sync');
  return with_('conflict', 'changed both locally and in PostHog since the last sync');
}

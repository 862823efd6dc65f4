import type { JsonObject } from '../json.js';
import type { KindDef, RemoteId } from '../kinds/index.js';
import type { Binding } from '../store/state.js';
import type { Entry, Snapshot } from './snapshot.js';
import { keepTemplates, type VarSources } from './vars.js';

export type PullAction =
  /** New remote resource: file written. */
  | 'added'
  /** Remote changed, file untouched since the base: file rewritten. */
  | 'changed'
  /** Deleted in PostHog, file untouched: file removed. */
  | 'removed'
  | 'unchanged'
  /** Local edit (or local removal) of a resource PostHog did not change: kept for push. */
  | 'kept'
  /** Both sides changed: file left alone (taken from PostHog with --force). */
  | 'conflict';

export interface PullStep {
  kind: KindDef;
  key: string;
  action: PullAction;
  /** Spec to write to the file. */
  write?: JsonObject;
  /** Its serialised `spec:` part, when prepared while fetching. */
  text?: string;
  remove?: boolean;
  /** New binding, or null to drop it. */
  bind?: Binding | null;
  note?: string;
}

/**
 * What pull does with each resource (issue "Not clobbering local work"): a file edited
 * since its base is never overwritten unless PostHog did not change, in which case it is
 * kept as it is; when both changed it is a conflict, resolved only by --force.
 */
export function planPull(snapshot: Snapshot, opts: { force: boolean; vars: VarSources }): PullStep[] {
  return snapshot.entries.map((entry) => step(entry, opts));
}

function step(entry: Entry, opts: { force: boolean; vars: VarSources }): PullStep {
  const { kind, key, local, remote, binding } = entry;
  const s = (action: PullAction, extra: Partial<PullStep> = {}): PullStep => ({ kind, key, action, ...extra });
  // Which variables set the stored secrets stays known: the remote spec already shows them that way.
  const keptSecrets = binding?.secrets && remote && binding.id === remote.id ? { secrets: binding.secrets } : {};
  const bindTo = (id: RemoteId, hash: string, raw: JsonObject): Binding => ({ id, ...kind.bindingExtras?.(raw), base: hash, ...keptSecrets });
  const take = (action: PullAction) => {
    if (!remote) return s(action);
    const write = local ? keepTemplates(kind, remote.spec, local.fileSpec, opts.vars) : remote.spec;
    const text = write === remote.spec && remote.text !== undefined ? { text: remote.text } : {};
    return s(action, { write, ...text, bind: bindTo(remote.id, remote.hash, remote.raw) });
  };

  if (remote && !local) {
    if (!binding) return take('added');
    if (remote.hash === binding.base && !opts.force) return s('kept', { note: 'file removed locally; push --prune deletes it, pull --force restores it' });
    if (opts.force) return take('added');
    return s('conflict', { note: 'file removed locally but changed in PostHog' });
  }
  if (remote && local) {
    if (local.hash === remote.hash) {
      const fresh = bindTo(remote.id, remote.hash, remote.raw);
      const same = binding && binding.id === fresh.id && binding.base === fresh.base && binding.short_id === fresh.short_id;
      return s('unchanged', same ? {} : { bind: fresh });
    }
    if (binding && local.hash === binding.base) return take('changed');
    if (binding && remote.hash === binding.base) return s('kept', { note: 'edited locally; push sends it' });
    if (opts.force) return take('changed');
    return s('conflict', { note: binding ? 'changed both locally and in PostHog' : 'file differs from PostHog and there is no base to tell which side changed' });
  }
  if (local && !remote) {
    if (!binding) return s('unchanged', { note: 'not in PostHog yet; push creates it' });
    if (local.hash === binding.base || opts.force) return s('removed', { remove: true, bind: null });
    return s('conflict', { note: 'deleted in PostHog but edited locally' });
  }
  // Only a binding is left: the resource is gone on both sides.
  return s('unchanged', { bind: null });
}

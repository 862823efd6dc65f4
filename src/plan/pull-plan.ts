import type { JsonObject } from '../json.js';
import { andList, type ForeignRef, type KindDef } from '../kinds/index.js';
import type { Binding } from '../model.js';
import { bindingOf, NO_BASE, sameBinding } from './binding.js';
import { classify } from './classify.js';
import { fieldMerge } from './merge.js';
import { withoutOverride } from './overrides.js';
import type { Translated } from './translate.js';
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
  | 'conflict'
  /** PostHog's version holds an id with no mapping back to the files' environment: file left alone. */
  | 'refused';

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
  /** The resource was deleted in PostHog: its binding is kept as a tombstone (undeleted in place if its file comes back). */
  bury?: Binding;
  note?: string;
  /** The file named resources of these kinds by id, and is rewritten to name them by key (nothing changed in PostHog). */
  rekeyed?: KindDef[];
  /** The work tree's file holds what PostHog does not (a local edit, a conflict, a file not pushed yet): a backup commit leaves it out. */
  localWork?: boolean;
}

/**
 * What pull does with each resource (issue "Not clobbering local work"): a file edited
 * since its base is never overwritten unless PostHog did not change, in which case it is
 * kept as it is; when both changed it is a conflict, resolved only by --force.
 */
export interface PullPlanOptions {
  force: boolean;
  vars: VarSources;
  /**
   * PostHog's spec in the files' terms (the home environment's ids), for a pull from another
   * environment; with the ids that have no mapping back.
   */
  toFiles?: (kind: KindDef, spec: JsonObject) => Translated;
  /** How to name the mapping an unmapped id needs, for the note. */
  missingMapping?: (ref: ForeignRef) => string;
}

export function planPull(snapshot: Snapshot, opts: PullPlanOptions): PullStep[] {
  return snapshot.entries.map((entry) => step(entry, opts));
}

function step(entry: Entry, opts: PullPlanOptions): PullStep {
  const { kind, key, local, remote, binding } = entry;
  const s = (action: PullAction, extra: Partial<PullStep> = {}): PullStep => ({ kind, key, action, ...extra });
  // Which variables set the stored secrets stays known: the remote spec already shows them that way.
  const keptSecrets = binding?.secrets && remote && binding.id === remote.id ? binding.secrets : undefined;
  const bindTo = (hash: string, raw: JsonObject, localHash?: string): Binding =>
    bindingOf(
      kind,
      raw,
      hash,
      keptSecrets,
      localHash,
      remote
        ? { base: remote.spec, baseFields: remote.fields, ...(local && localHash !== undefined ? { local: local.spec } : {}) }
        : undefined,
    );
  const take = (action: PullAction) => {
    if (!remote) return s(action);
    let write = local ? keepTemplates(kind, remote.spec, local.fileSpec, opts.vars) : remote.spec;
    // An environment's override is its own exception: the shared file keeps its value.
    if (local?.override) write = withoutOverride(write, local.override.shared, local.override.patch);
    if (opts.toFiles) {
      const back = opts.toFiles(kind, write);
      if (back.unmapped.length > 0)
        return mine('refused', {
          note: back.unmapped.map((u) => opts.missingMapping?.(u) ?? `id ${u.id} at ${u.path} has no mapping`).join('; '),
        });
      write = back.spec;
    }
    const text = write === remote.spec && remote.text !== undefined ? { text: remote.text } : {};
    return s(action, { write, ...text, bind: bindTo(remote.hash, remote.raw) });
  };
  // The file keeps work PostHog does not have: a backup commit leaves it out.
  const mine = (action: PullAction, extra: Partial<PullStep> = {}): PullStep => s(action, { ...extra, localWork: true });
  const conflict = (note: string) => (opts.force ? take('changed') : mine('conflict', { note }));

  switch (classify(entry)) {
    case 'in-sync': {
      if (!remote || !local) return s('unchanged');
      // Same resource, but the file still names managed resources by id (written before they were managed).
      if (local.byId && local.byId.length > 0) return { ...take('changed'), rekeyed: local.byId };
      const fresh = bindTo(remote.hash, remote.raw, local.hash);
      return s('unchanged', sameBinding(binding, fresh) ? {} : { bind: fresh });
    }
    case 'matched': {
      if (!remote || !local) return s('unchanged');
      if (local.hash !== remote.hash) {
        // Recorded as a pair without a base, so that diff and push see the same conflict rather than a file to create.
        if (opts.force) return take('changed');
        // No field hashes either: PostHog's fields are no more a base than its hash is.
        const { fields: _unknown, ...unbased } = bindTo(remote.hash, remote.raw);
        return mine('conflict', {
          note: 'file differs from PostHog and there is no base to tell which side changed',
          bind: { ...unbased, base: NO_BASE },
        });
      }
      return s('unchanged', { bind: bindTo(remote.hash, remote.raw) });
    }
    case 'new-local':
      return mine('unchanged', { note: 'not in PostHog yet; push creates it' });
    case 'new-remote':
      return take('added');
    case 'local-edit':
      return mine('kept', { note: 'edited locally; push sends it' });
    case 'remote-edit':
      return take('changed');
    case 'merged': {
      // PostHog's fields come in; the file's own edits stay, for push to send.
      const taken = take('changed');
      const merge = local && remote && binding ? fieldMerge(local.spec, remote.spec, binding) : undefined;
      if (!taken.write || !local || !merge) return taken;
      const write: JsonObject = { ...taken.write };
      for (const f of merge.local) {
        if (local.fileSpec[f] === undefined) delete write[f];
        else write[f] = local.fileSpec[f] as JsonObject[string];
      }
      const { text: _prepared, ...rest } = taken;
      return {
        ...rest,
        write,
        localWork: true,
        note: `took PostHog's ${andList(merge.remote)} and kept the file's own ${andList(merge.local)}, for push to send`,
      };
    }
    case 'both-edit':
      return conflict('changed both locally and in PostHog');
    case 'no-base':
      return conflict('file differs from PostHog and there is no base to tell which side changed');
    case 'buried':
      return mine('kept', { note: 'deleted in PostHog; push brings it back in place' });
    case 'remote-gone':
      return s('removed', { remove: true, ...buried(binding) });
    case 'remote-gone-local-edit':
      return opts.force
        ? s('removed', { remove: true, ...buried(binding) })
        : mine('conflict', { note: 'deleted in PostHog but edited locally' });
    case 'local-gone':
      return opts.force ? take('added') : mine('kept', { note: 'file removed locally; push --prune deletes it, pull --force restores it' });
    case 'local-gone-remote-edit':
      return opts.force ? take('added') : mine('conflict', { note: 'file removed locally but changed in PostHog' });
    case 'file-behind':
      return take('changed');
    case 'awaits-file':
      // Restored from a commit: the file comes back, bound as usual from now on.
      return take('added');
    case 'both-gone':
      return s('unchanged', buried(binding));
  }
}

function buried(binding: Binding | undefined): Partial<PullStep> {
  return binding ? { bury: binding } : { bind: null };
}

import { localBase } from './binding.js';
import { fieldMerge } from './merge.js';
import type { Entry } from './snapshot.js';

/**
 * Where one resource stands, decided once from the file (local), the live project (remote)
 * and the state's binding with its base hash. Every job (pull, diff, push, restore) reads
 * this one answer through a small table of its own, so no two jobs can disagree about which
 * side changed.
 */
export type Standing =
  /** File and PostHog hold the same spec. */
  | 'in-sync'
  /** A file with nothing behind it in PostHog and no binding: new locally. */
  | 'new-local'
  /** A file for a resource this environment saw deleted (a tombstone): bring it back. */
  | 'buried'
  /** A remote resource with no file and no binding: never managed here. */
  | 'new-remote'
  /** An unbound file matched to a remote resource by natural key or by a create of ours. */
  | 'matched'
  /** Both exist; PostHog is at the base, the file changed. */
  | 'local-edit'
  /** Both exist; the file is at the base, PostHog changed. */
  | 'remote-edit'
  /** Both exist and both changed since the base, different fields: the file's are pushed, PostHog's kept and pulled. */
  | 'merged'
  /** Both exist and both changed since the base, a field of them differently. */
  | 'both-edit'
  /** Both exist and differ, and there is no base to tell which side changed. */
  | 'no-base'
  /** Bound, file at the base, resource gone from PostHog. */
  | 'remote-gone'
  /** Bound, file edited, resource gone from PostHog. */
  | 'remote-gone-local-edit'
  /** Bound by a restore from a commit whose file the work tree lacks: the file is yet to come, not removed. */
  | 'awaits-file'
  /** Restored from a commit whose file differs from the work tree's: the work tree is behind, not edited. */
  | 'file-behind'
  /** Bound, PostHog at the base, file removed. */
  | 'local-gone'
  /** Bound, PostHog changed, file removed. */
  | 'local-gone-remote-edit'
  /** Only the binding is left: gone on both sides. */
  | 'both-gone';

/** The three-way truth table. Pure. */
export function classify(entry: Entry): Standing {
  const { local, remote, binding } = entry;
  if (local && remote) {
    if (entry.match === 'adopt' || entry.match === 'pending') return 'matched';
    if (local.hash === remote.hash) return 'in-sync';
    if (!binding) return 'no-base';
    const remoteSame = remote.hash === binding.base;
    const localSame = local.hash === localBase(binding);
    // Both as they were when last in sync: what differs is what PostHog fills in or normalises.
    if (remoteSame && localSame) return 'in-sync';
    // The file as it was before a restore, not an edit: PostHog's side is the newer one.
    const behind = binding.behind !== undefined && local.hash === binding.behind;
    if (remoteSame && behind) return 'file-behind';
    if (behind) return 'remote-edit';
    if (remoteSame) return 'local-edit';
    if (localSame) return 'remote-edit';
    const merge = fieldMerge(local.spec, remote.spec, binding);
    return merge && merge.both.length === 0 ? 'merged' : 'both-edit';
  }
  if (local) {
    if (!binding) return entry.tombstone ? 'buried' : 'new-local';
    return local.hash === localBase(binding) ? 'remote-gone' : 'remote-gone-local-edit';
  }
  if (remote) {
    if (!binding) return 'new-remote';
    if (binding.awaitsFile) return 'awaits-file';
    return remote.hash === binding.base ? 'local-gone' : 'local-gone-remote-edit';
  }
  return 'both-gone';
}

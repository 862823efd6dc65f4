import type { Change, Plan } from '../plan/diff.js';

type OpType = 'create' | 'restore' | 'update' | 'adopt' | 'delete';

/** One write push will make. */
export interface Op {
  type: OpType;
  change: Change;
}

export interface Skip {
  change: Change;
  reason: string;
}

export interface PushFlags {
  prune: boolean;
  force: boolean;
  /** The command that writes (push by default): what a skip tells to run instead. */
  command?: 'push' | 'copy' | 'restore';
}

/** What takes the file's side of a drift or conflict, and what takes PostHog's, for each writing command. */
const FORCE_HINT: Record<NonNullable<PushFlags['command']>, string> = {
  push: "push --force overwrites PostHog, pull --force takes PostHog's version",
  copy: 'copy --force overwrites the target with the source',
  restore: "restore --force overwrites PostHog with the commit's version",
};

/**
 * Which changes push acts on (DESIGN.md "Diff: classification"): create, update and
 * adopt always; delete with --prune; drift and conflict with --force (taking the
 * files' side). Everything else is reported as skipped, with what would apply it.
 */
export function selectOps(plan: Plan, flags: PushFlags): { ops: Op[]; skipped: Skip[] } {
  const ops: Op[] = [];
  const skipped: Skip[] = [];
  for (const change of plan.changes) {
    const { local, remote } = change.entry ?? {};
    switch (change.action) {
      case 'create':
      case 'restore':
      case 'update':
      case 'adopt':
        ops.push({ type: change.action, change });
        break;
      case 'delete':
        if (flags.prune) ops.push({ type: 'delete', change });
        else skipped.push({ change, reason: 'file removed; pass --prune to delete it in PostHog' });
        break;
      case 'drift':
      case 'conflict': {
        if (!flags.force) {
          const what = change.action === 'drift' ? 'changed in PostHog since the last sync' : 'changed on both sides';
          skipped.push({ change, reason: `${what}; ${FORCE_HINT[flags.command ?? 'push']}` });
          break;
        }
        if (local && remote) ops.push({ type: 'update', change });
        // Deleted in PostHog: brought back in place (the binding's id), not re-created.
        else if (local) ops.push({ type: change.entry?.binding ? 'restore' : 'create', change });
        else if (flags.prune) ops.push({ type: 'delete', change });
        else skipped.push({ change, reason: 'file removed; pass --prune with --force to delete it in PostHog' });
        break;
      }
      default:
        break;
    }
  }
  return { ops, skipped };
}

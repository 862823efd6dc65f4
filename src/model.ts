// Values every layer passes around: what an environment knows about one resource. Kept here,
// apart from the store that persists them and the plan that reads them, so neither imports the other.
import type { JsonObject } from './json.js';
import type { RemoteId } from './kinds/index.js';

/** What one environment knows about one resource. */
export interface Binding {
  id: RemoteId;
  /** Stable identifiers of the kind besides the id (an insight's `short_id`), from `KindDef.bindingExtras`. */
  extras?: Record<string, string>;
  /** Hash of PostHog's canonical spec last seen in sync: the remote side's base. */
  base: string;
  /**
   * Hash of the file's spec (in comparison form) that was in sync with `base`, when it
   * differs: the file's side's base. PostHog fills in and normalises what a file leaves to
   * it (template fields, defaults, an execution order), so a file and its pushed resource
   * may differ for good; neither has changed while both hashes are what they were.
   */
  local?: string;
  /**
   * Per top-level field of PostHog's spec at `base`, a short hash (plan/fields.ts), and where the
   * file's spec at its base differs, its own (`localFields`): what tells a file and PostHog that
   * changed different fields since the last sync (merged) from ones that changed the same (a conflict).
   */
  fields?: Record<string, string>;
  localFields?: Record<string, string>;
  /** Secret inputs set from variables: input pointer → the `{value: "${VAR}"}` that set it. Never a value. */
  secrets?: Record<string, JsonObject>;
  /**
   * Bound by `hogsync restore` from a commit whose file the work tree no longer has: the next
   * pull writes the file, and until then its absence is not a removal (push --prune keeps it).
   */
  awaitsFile?: boolean;
  /**
   * Bound by `hogsync restore` from a commit whose file the work tree has as the last sync left it
   * (older than the commit's): that file's hash (comparison form). While the file still has it,
   * the file is behind, not edited: pull writes PostHog's version and push does not undo the
   * restore. An edit after the restore is an edit like any other.
   */
  behind?: string;
}

/** A create that was sent but whose outcome was not recorded (crash, ambiguous failure). */
export interface PendingCreate {
  natural?: string;
  /** The pairing hash of what was sent (kinds/references.ts pairingHash; the spec's hash for most kinds). */
  hash: string;
  /** When the create was first sent (ISO time): how long PostHog may still commit it. */
  since?: string;
}

/**
 * How a run ended, as far as its caller should act on it. The CLI alone turns these into
 * exit codes (src/cli/exit-codes.ts).
 */
export type Outcome =
  /** Everything asked for was done; files and PostHog agree where it matters. */
  | 'done'
  /** Changes wait to be applied: diff found some, or push left planned ones (deletes without --prune). */
  | 'changes'
  /** Drift or conflicts need a decision (--force, or pull). */
  | 'undecided'
  /** Something failed: a write, a test run, a check. */
  | 'failed';

/** Outcomes of several parts of one run: the most serious wins. */
export function worst(...outcomes: Outcome[]): Outcome {
  const rank: Outcome[] = ['done', 'changes', 'undecided', 'failed'];
  return outcomes.reduce<Outcome>((a, b) => (rank.indexOf(b) > rank.indexOf(a) ? b : a), 'done');
}

/**
 * A reviewed plan saved for later (`diff --out plan.json`, applied by `push --plan plan.json`):
 * the changes it covers, each with the hashes of the three sides it was computed from, so
 * that the apply can tell whether anything moved since the review.
 */
export interface SavedPlan {
  hogsyncPlan: 1;
  environment: string;
  host: string;
  project: string;
  createdAt: string;
  changes: SavedChange[];
}

export interface SavedChange {
  kind: string;
  key: string;
  action: string;
  /** Hashes of the file's spec, PostHog's spec and the state's base (null where there is none). */
  local: string | null;
  remote: string | null;
  base: string | null;
}

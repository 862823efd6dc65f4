import { join } from 'node:path';
import type { Target, Workspace } from '../config/target.js';
import type { JsonObject } from '../json.js';
import { toKeys } from '../kinds/index.js';
import type { Plan } from '../plan/diff.js';
import { fieldHashes, withDelta } from '../plan/fields.js';
import { fieldMerge } from '../plan/merge.js';
import { compareSpec } from '../plan/secrets.js';
import type { Snapshot } from '../plan/snapshot.js';
import type { VarSources } from '../plan/vars.js';
import { parseResource } from '../store/resource-files.js';
import { environmentView } from './environment-view.js';

/** How far back a conflicting field's value at the last sync is looked for in git. */
const HISTORY = 30;

/**
 * What each field both sides changed was at the last sync, for the plan to show base, file and
 * PostHog side by side: the state keeps only a hash of each field, so the value comes from the
 * file's git history (the version whose field has that hash). Fields not found (a shallow
 * clone, a base never committed) are left without one.
 */
export async function attachConflictBases(plan: Plan, snapshot: Snapshot, ws: Workspace, target: Target, vars: VarSources): Promise<void> {
  if (!plan.changes.some((c) => c.action === 'conflict')) return;
  // git is loaded only when there is a conflict to explain (start-up of a quiet diff, see test/e2e/start-up.test.ts).
  const { fileHistory } = await import('../store/git-files.js');
  for (const c of plan.changes) {
    const { local, remote, binding } = c.entry ?? {};
    if (c.action !== 'conflict' || !local || !remote || !binding?.fields || !c.file) continue;
    const wanted = fieldMerge(local.spec, remote.spec, binding)?.both ?? [];
    if (wanted.length === 0) continue;
    const at = withDelta(binding.fields, binding.localFields);
    const base: JsonObject = {};
    for (const text of await fileHistory(ws.root, join(ws.root, c.file), HISTORY)) {
      const spec = versionSpec(text, c, snapshot, ws, target, vars);
      if (!spec) continue;
      const hashes = fieldHashes(spec);
      for (const f of wanted) if (!(f in base) && hashes[f] === at[f]) base[f] = spec[f] as JsonObject[string];
      if (wanted.every((f) => f in base)) break;
    }
    if (Object.keys(base).length > 0) c.base = base;
  }
}

/** One committed version of a change's file in comparison form, as the snapshot's local spec is made. */
function versionSpec(text: string, c: Plan['changes'][number], snapshot: Snapshot, ws: Workspace, target: Target, vars: VarSources) {
  try {
    const file = parseResource(text, join(ws.root, c.file ?? ''), c.file ?? '', c.kind);
    const [view] = environmentView([file], target);
    if (!view) return undefined;
    return c.kind.normalize(toKeys(c.kind, compareSpec(c.kind, view.spec, vars).spec, snapshot.identities).spec);
  } catch {
    // A version that no longer parses (written by an older hogsync) holds no base to show.
    return undefined;
  }
}

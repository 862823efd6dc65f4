import { existsSync } from 'node:fs';
import type { Target, Workspace } from '../config/target.js';
import type { JsonObject } from '../json.js';
import { withDependencies, type KindDef } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import type { Redactor } from '../plan/redactor.js';
import { fetchRemote } from './fetch-remote.js';
import { computePlan, type Plan } from '../plan/diff.js';
import { buildSnapshot } from '../plan/snapshot.js';
import { sharedSecrets, targetSecrets } from '../plan/secrets.js';
import { applyOverride, withoutOverride } from '../plan/overrides.js';
import { mapIds, singular } from '../plan/translate.js';
import { idMapsBetween } from './environments.js';
import { keepTemplates, varSourcesOf } from '../plan/vars.js';
import { readResourceFile, resourcePath, type ResourceFile } from '../store/resource-files.js';
import { StateStore } from '../store/state.js';
import { appliedSoFar } from '../apply/apply-plan.js';
import { stopIfInterrupted } from './interrupt.js';
import { readSnapshot, type Loaded } from './read.js';
import { applyInput, applyPlan, checkPlan, type ApplyResult, type PushEvent } from '../apply/apply-plan.js';

export interface CopyOptions {
  /** Aborted on SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Told every secret value the run meets, for the output to mask. */
  redactor?: Redactor;
  ws: Workspace;
  from: { target: Target; client: PostHogClient };
  to: { target: Target; client: PostHogClient };
  kinds: readonly KindDef[];
  env: NodeJS.ProcessEnv;
  prune: boolean;
  force: boolean;
  adopt: boolean;
  dryRun: boolean;
  allowUnmappedRefs: boolean;
  /** Copy secrets whose variable both environments read from the same process variable. */
  allowSharedSecret?: boolean;
  concurrency: number;
  confirm?: (plan: Plan) => Promise<boolean>;
  onEvent?: (event: PushEvent) => void;
}

/** A resource of the source that cannot be copied as it is. */
interface Refusal {
  kind: string;
  key: string;
  file: string;
  reason: string;
}

export interface CopyRun {
  plan: Plan;
  refused: Refusal[];
  /** Ids of unmanaged objects copied unchanged with --allow-unmapped-refs. */
  unmapped: Refusal[];
  result?: ApplyResult;
  declined?: boolean;
}

/**
 * copy: the source environment read live, mapped into the target through the target's
 * state, and applied with push's machinery. Equivalent to pulling the source into a
 * temporary tree and pushing that tree; the working tree's files are not touched, only
 * the target's state is written.
 */
export async function runCopy(opts: CopyOptions): Promise<CopyRun> {
  const { ws, kinds } = opts;
  const source = await sourceSpecs(opts);
  const refused: Refusal[] = [];
  const unmapped: Refusal[] = [];
  const local: Array<{ kind: KindDef; key: string; file: string; spec: JsonObject }> = [];
  for (const item of source) {
    const shared = opts.allowSharedSecret
      ? []
      : sharedSecrets(item.kind, item.fileSpec, varSourcesOf(opts.from.target, opts.env), varSourcesOf(opts.to.target, opts.env));
    if (shared.length > 0) {
      const { environment: to } = opts.to.target;
      const { environment: from } = opts.from.target;
      const reason = shared
        .map(
          (v) =>
            `secret ${v.input} is set from \${${v.name}}, which ${to} would read from the same process variable as ${from} (${v.variable}): give ${to} its own under environments.${to}.vars (${v.name}: \${${to.toUpperCase()}_${v.name}}), or pass --allow-shared-secret`,
        )
        .join('; ');
      refused.push({ kind: item.kind.kind, key: item.key, file: item.file, reason });
      continue;
    }
    const ref = `${item.kind.folder}/${item.key}`;
    // The source's own exceptions (its overrides) stay behind; the target's apply, as a push there would.
    const sourcePatch = opts.from.target.overrides[ref];
    const common = sourcePatch && item.fileSpec ? withoutOverride(item.spec, item.fileSpec, sourcePatch) : item.spec;
    const mapped = mapIds(item.kind, common, idMapsBetween(opts.from.target, opts.to.target));
    const targetPatch = opts.to.target.overrides[ref];
    if (targetPatch) mapped.spec = applyOverride(mapped.spec, targetPatch);
    const problems = mapped.unmapped.map(
      (u) => `${singular(u.type)} id ${u.id} at ${u.path} has no mapping to ${opts.to.target.environment}`,
    );
    const display = item.file;
    if (problems.length > 0) {
      const entry = {
        kind: item.kind.kind,
        key: item.key,
        file: display,
        reason: `${problems.join('; ')}: it will not carry over. Add it under environments.${opts.to.target.environment}.refs in hogsync.yaml, or pass --allow-unmapped-refs`,
      };
      if (!opts.allowUnmappedRefs) {
        refused.push(entry);
        continue;
      }
      unmapped.push(entry);
    }
    local.push({ kind: item.kind, key: item.key, file: display, spec: targetSecrets(item.kind, mapped.spec, item.fileSpec) });
  }

  const loaded = await readSnapshot({
    ws,
    target: opts.to.target,
    client: opts.to.client,
    kinds,
    env: opts.env,
    adopt: opts.adopt,
    assignNew: false,
    lock: !opts.dryRun,
    localOverride: local,
    ...(opts.redactor ? { redactor: opts.redactor } : {}),
  });
  try {
    return await applyCopy(opts, loaded, refused, unmapped);
  } finally {
    loaded.state.release();
  }
}

async function applyCopy(opts: CopyOptions, loaded: Loaded, refused: Refusal[], unmapped: Refusal[]): Promise<CopyRun> {
  const plan: Plan = { ...computePlan(loaded.snapshot, opts.to.target.environment), writer: 'copy' };
  const checked = checkPlan({
    plan,
    snapshot: loaded.snapshot,
    vars: loaded.vars,
    prune: opts.prune,
    force: opts.force,
    command: 'copy',
    dryRun: opts.dryRun,
    ...(opts.redactor ? { redactor: opts.redactor } : {}),
  });
  if (opts.dryRun) return { plan: checked.plan, refused, unmapped };
  if (checked.ops.length > 0 && opts.confirm && !(await opts.confirm(plan))) return { plan, refused, unmapped, declined: true };
  const result = await applyPlan(checked, applyInput(opts, loaded.state, opts.to.client));
  stopIfInterrupted(opts.signal, [opts.to.client], () => appliedSoFar(result));
  return { plan, refused, unmapped, result };
}

interface SourceItem {
  kind: KindDef;
  key: string;
  file: string;
  spec: JsonObject;
  /** The working tree's file for this key, when there is one (its ${VAR} references are kept). */
  fileSpec?: JsonObject;
}

/** The source project as specs keyed like a pull would key them (its state, read-only, keeps keys stable). */
async function sourceSpecs(opts: CopyOptions): Promise<SourceItem[]> {
  const { ws, kinds } = opts;
  const { target, client } = opts.from;
  const fetched = withDependencies(kinds);
  const state = StateStore.load(ws.stateDir, target.environment, target, ws.root);
  const remote = await fetchRemote(client, fetched);
  const sourceVars = varSourcesOf(target, opts.env);
  const snapshot = buildSnapshot({
    kinds,
    fetched,
    remote,
    local: [],
    bindings: (kind) => state.bindings(kind),
    pending: () => undefined,
    vars: sourceVars,
    adopt: false,
    assignNew: true,
  });
  const items: SourceItem[] = [];
  for (const e of snapshot.entries) {
    if (!e.remote) continue;
    const path = resourcePath(ws.dir, e.kind, e.key);
    const file = existsSync(path) ? readFile(path, e.kind, ws.root) : undefined;
    const spec = file ? keepTemplates(e.kind, e.remote.spec, file.spec, sourceVars) : e.remote.spec;
    items.push({ kind: e.kind, key: e.key, file: path.slice(ws.root.length + 1), spec, ...(file ? { fileSpec: file.spec } : {}) });
  }
  return items;
}

function readFile(path: string, kind: KindDef, root: string): ResourceFile | undefined {
  try {
    return readResourceFile(path, kind, root);
  } catch {
    // A broken working-tree file only loses its ${VAR} hints; the copy reads the source live.
    return undefined;
  }
}

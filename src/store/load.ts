import type { Target, Workspace } from '../config/target.js';
import type { JsonObject } from '../json.js';
import { withDependencies, type KindDef } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import { fetchRemote } from '../posthog/remote.js';
import { computePlan, type Plan } from '../plan/diff.js';
import { SnapshotBuilder, type PrepareHook, type Snapshot } from '../plan/snapshot.js';
import type { VarSources } from '../plan/vars.js';
import { cleanResourceDirs, readAllResources, readAllResourcesInSlices, type ResourceFile } from './resource-files.js';
import { StateStore } from './state.js';

export interface Loaded {
  snapshot: Snapshot;
  state: StateStore;
  files: ResourceFile[];
  remote: Map<string, JsonObject[]>;
  vars: VarSources;
}

export interface LoadOptions {
  ws: Workspace;
  target: Target;
  client: PostHogClient;
  kinds: readonly KindDef[];
  env: NodeJS.ProcessEnv;
  adopt: boolean;
  assignNew: boolean;
  /** Use these specs instead of the files (copy: the source environment's resources). */
  localOverride?: Array<{ kind: KindDef; key: string; file: string; spec: JsonObject }>;
  pageSize?: number;
  rotateSecrets?: boolean;
  /** Filled with phase costs in ms: `readFilesCpu`, `fetchWall`, `planCpu` (for benchmarks). */
  timings?: Record<string, number>;
  /**
   * Read and check every file before the first request (diff promises that a bad file
   * fails before anything is sent). Otherwise files are read while the first pages travel.
   */
  filesFirst?: boolean;
  /** The command writes the state: hold the environment's lock (pull, push, copy). */
  lock?: boolean;
  /** Work on each remote resource as its page arrives (pull serialises and writes ahead). */
  prepare?: PrepareHook;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/**
 * Reads the three sides of a plan: files (all problems reported before any request),
 * the environment's state, and the live project.
 */
export async function loadSnapshot(opts: LoadOptions): Promise<Loaded> {
  const { ws, target, client, kinds } = opts;
  const timings = opts.timings ?? {};
  const fetched = withDependencies(kinds);
  cleanResourceDirs(ws.dir, kinds);
  const vars: VarSources = { env: opts.env, vars: target.vars };

  let files: ResourceFile[] = [];
  let state: StateStore | undefined;
  const readLocal = async () => {
    const t = performance.now();
    if (!opts.localOverride) files = opts.filesFirst ? readAllResources(ws.dir, kinds, ws.root) : await readAllResourcesInSlices(ws.dir, kinds, ws.root);
    state = StateStore.load(ws.stateDir, target.environment, target, ws.root, { journal: !opts.assignNew });
    if (opts.lock) state.lock();
    timings.readFilesCpu = performance.now() - t;
  };
  if (opts.filesFirst) await readLocal();

  // Pages are converted as they arrive, as soon as the kinds they reference are finished,
  // so that the CPU works while the network waits. Callbacks only run once the
  // synchronous work below is done, so the builder exists by then.
  let builder: SnapshotBuilder | undefined;
  const queued = new Map<string, JsonObject[][]>();
  const listed = new Set<string>();
  let snapshotCpu = 0;
  const advance = () => {
    if (!builder) return;
    // Wall time of synchronous work is its CPU time; process.cpuUsage() per slice would cost more than it measures.
    const t = performance.now();
    for (let progress = true; progress; ) {
      progress = false;
      for (const kind of fetched) {
        if (builder.isFinished(kind) || !builder.ready(kind)) continue;
        for (const page of queued.get(kind.kind) ?? []) builder.addRemote(kind, page);
        queued.delete(kind.kind);
        if (listed.has(kind.kind)) {
          builder.finish(kind);
          progress = true;
        }
      }
    }
    snapshotCpu += performance.now() - t;
  };
  const t0 = Date.now();
  const listing = fetchRemote(client, fetched, {
    pageSize: opts.pageSize,
    onPage: (kind, items) => {
      queued.set(kind.kind, [...(queued.get(kind.kind) ?? []), items]);
      advance();
    },
    onKindDone: (kind) => {
      listed.add(kind.kind);
      advance();
    },
  });
  if (!opts.filesFirst) {
    // The files are read, a slice at a time, while the first pages are on their way.
    try {
      await readLocal();
    } catch (error) {
      listing.catch(() => undefined);
      throw error;
    }
  }
  const loadedState = state as unknown as StateStore;
  const local = opts.localOverride ?? files.map((f) => ({ kind: f.kind, key: f.key, file: f.display, spec: f.spec }));
  builder = new SnapshotBuilder({
    kinds,
    fetched,
    local,
    bindings: (kind) => loadedState.bindings(kind),
    pending: (kind, key) => loadedState.pending(kind, key),
    vars,
    adopt: opts.adopt,
    assignNew: opts.assignNew,
    rotateSecrets: opts.rotateSecrets === true,
    ...(opts.prepare ? { prepare: opts.prepare } : {}),
  });
  // Local files are put in comparison form while pages are on their way, in slices too.
  const t1 = performance.now();
  for (const kind of fetched) await builder.prepareLocals(kind);
  snapshotCpu += performance.now() - t1;
  advance();
  const remote = await listing;
  timings.fetchWall = Date.now() - t0;
  advance();
  const snapshot = builder.snapshot();
  timings.snapshotCpu = snapshotCpu;
  return { snapshot, state: loadedState, files, remote, vars };
}

/** Files + state + remote → the plan of DESIGN.md "Diff: classification". */
export async function loadPlan(opts: LoadOptions): Promise<Loaded & { plan: Plan }> {
  const loaded = await loadSnapshot(opts);
  const cpu = process.cpuUsage();
  const plan = computePlan(loaded.snapshot, opts.target.environment);
  if (opts.timings) opts.timings.planCpu = (opts.timings.snapshotCpu ?? 0) + cpuMs(cpu);
  return { ...loaded, plan };
}

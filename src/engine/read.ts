import { availableParallelism } from 'node:os';
import type { Target, Workspace } from '../config/target.js';
import type { JsonObject } from '../json.js';
import { withDependencies, type KindDef } from '../kinds/index.js';
import type { Binding } from '../model.js';
import type { PostHogClient } from '../posthog/client.js';
import { computePlan, type Plan } from '../plan/diff.js';
import type { RemoteEntry } from '../plan/identity.js';
import { localBase } from '../plan/binding.js';
import { comparisonHash, SnapshotBuilder, type LocalResource, type Snapshot } from '../plan/snapshot.js';
import { hideValues } from '../plan/secrets.js';
import type { Redactor } from '../plan/redactor.js';
import { varSourcesOf, type VarSources } from '../plan/vars.js';
import { cleanResourceDirs, readAllResources, readAllResourcesInSlices, type ResourceFile } from '../store/resource-files.js';
import { StateStore } from '../store/state.js';
import { confirmMissing } from './confirm-missing.js';
import { environmentView, refsPairings, unneededRefs } from './environment-view.js';
import { openGate, type Gate } from './gate.js';
import { fetchRemote } from './fetch-remote.js';

export interface Loaded {
  snapshot: Snapshot;
  state: StateStore;
  files: ResourceFile[];
  remote: Map<string, JsonObject[]>;
  vars: VarSources;
  /** Problems the checks found in files PostHog holds as they are (Gate.warnings). */
  warnings: string[];
  /** The same by file (Gate.held). */
  held: ReadonlyMap<string, string[]>;
}

/** What an observer of converted remote resources may know about their kind. */
export interface RemoteContext {
  /** key → binding */
  bindings: Map<string, Binding>;
  locals: LocalResource[];
}

export interface ReadOptions {
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
   * Read every file before the first request and run validate's checks on them (diff and
   * push promise that a bad file fails before anything is sent): those that need no parser
   * before the first request, Hog and HogQL syntax of the files changed since the last sync
   * in worker threads while the lists travel (engine/gate.ts). Otherwise (pull) files are
   * read while the first pages travel.
   */
  filesFirst?: boolean;
  /** With filesFirst: skip validate's checks (--no-validate); the files' envelopes are still checked. */
  skipChecks?: boolean;
  /** The command writes the state: hold the environment's lock (pull, push, copy) until release(). */
  lock?: boolean;
  /** Told every secret value the run meets (files' variables, secrets PostHog answers with). */
  redactor?: Redactor;
  /** Sees remote resources as they are converted, page by page (pull writes new files ahead). */
  onRemote?: (kind: KindDef, entries: RemoteEntry[], ctx: RemoteContext) => void;
  /** Told what is worth acting on but no error (see EnvironmentJob.note). */
  note?: (line: string) => void;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/**
 * Reads the three sides of a plan: the environment's state, the files (all problems
 * reported at once) and the live project. A bound resource missing from a list is looked
 * up before anything is concluded from its absence: lists shift while they are read.
 * With `lock`, the caller owns the state's lock and releases it (state.release()).
 */
export async function readSnapshot(opts: ReadOptions): Promise<Loaded> {
  const { ws, target, kinds } = opts;
  const timings = opts.timings ?? {};
  const fetched = withDependencies(kinds);
  cleanResourceDirs(ws.dir, kinds);
  const vars = varSourcesOf(target, opts.env);
  const state = StateStore.load(ws.stateDir, target.environment, target, ws.root, { journal: !opts.assignNew });
  if (opts.lock) state.lock();
  try {
    return await readWithState(opts, state, fetched, vars, timings);
  } catch (error) {
    state.release();
    throw error;
  }
}

async function readWithState(
  opts: ReadOptions,
  state: StateStore,
  fetched: KindDef[],
  vars: VarSources,
  timings: Record<string, number>,
): Promise<Loaded> {
  const { ws, client } = opts;
  let files: ResourceFile[] = [];
  let gate: Gate | undefined;
  // Files of the kinds referenced too, so that references resolve the same whichever kinds are selected.
  const readFiles = async () => {
    const t = performance.now();
    if (!opts.localOverride)
      files = opts.filesFirst ? readAllResources(ws.dir, fetched, ws.root) : await readAllResourcesInSlices(ws.dir, fetched, ws.root);
    if (opts.filesFirst && !opts.skipChecks)
      gate = await openGate({ files, kinds: fetched, config: ws.config, env: opts.env, root: ws.root }, (f) =>
        heldAsIs(f, opts.target, state, vars),
      );
    timings.readFilesCpu = performance.now() - t;
  };
  if (opts.filesFirst) await readFiles();
  // Pages are converted as they arrive, as soon as the kinds they reference are finished,
  // so that the CPU works while the network waits. Callbacks only run once the
  // synchronous work below is done, so the builder exists by then.
  let builder: SnapshotBuilder | undefined;
  const queued = new Map<string, JsonObject[][]>();
  const seen = new Map<string, Set<string>>();
  const listed = new Set<string>();
  let snapshotCpu = 0;
  const advance = () => {
    const b = builder;
    if (!b) return;
    // Wall time of synchronous work is its CPU time; process.cpuUsage() per slice would cost more than it measures.
    const t = performance.now();
    for (let progress = true; progress; ) {
      progress = false;
      for (const kind of fetched) {
        if (b.isFinished(kind)) continue;
        const pages = queued.get(kind.kind) ?? [];
        queued.delete(kind.kind);
        for (const added of [...pages.map((page) => b.addRemote(kind, page)), b.release(kind)]) {
          if (added.length > 0) opts.onRemote?.(kind, added, { bindings: state.bindings(kind.kind), locals: b.localsOf(kind) });
        }
        if (listed.has(kind.kind) && b.ready(kind)) {
          b.finish(kind);
          progress = true;
        }
      }
    }
    snapshotCpu += performance.now() - t;
  };
  const enqueue = (kind: KindDef, items: JsonObject[]) => {
    const ids = seen.get(kind.kind) ?? new Set<string>();
    seen.set(kind.kind, ids);
    for (const raw of items) ids.add(String(kind.remoteId(raw)));
    queued.set(kind.kind, [...(queued.get(kind.kind) ?? []), items]);
    advance();
  };
  const t0 = Date.now();
  const listing = fetchRemote(client, fetched, {
    pageSize: opts.pageSize,
    onPage: enqueue,
    onKindDone: async (kind) => {
      // Absence from a list is a question, not an answer: bound resources it lacks are looked up.
      const found = await confirmMissing(client, kind, state.bindings(kind.kind), seen.get(kind.kind) ?? new Set());
      if (found.length > 0) enqueue(kind, found);
      listed.add(kind.kind);
      advance();
      return found;
    },
  });
  // Awaited only once the files are read: a listing that fails before then is reported there,
  // not as an unhandled rejection that would end the process with a stack trace.
  listing.catch(() => undefined);
  // The files are read, a slice at a time, while the first pages are on their way.
  if (!opts.filesFirst) await readFiles();
  const local = opts.localOverride ?? environmentView(files, opts.target);
  const { target } = opts;
  const mapped = refsPairings(
    target.home || target.homeName === undefined ? undefined : StateStore.peek(ws.stateDir, target.homeName, ws.root),
    target,
  );
  if (opts.redactor) hideValues(opts.redactor, local, vars);
  builder = new SnapshotBuilder({
    kinds: opts.kinds,
    fetched,
    local,
    bindings: (kind) => state.bindings(kind),
    tombstones: (kind) => state.tombstones(kind),
    pending: (kind, key) => state.pending(kind, key),
    vars,
    adopt: opts.adopt,
    assignNew: opts.assignNew,
    mapped,
    rotateSecrets: opts.rotateSecrets === true,
    ...(opts.redactor ? { redactor: opts.redactor } : {}),
  });
  // Local files are put in comparison form while pages are on their way, in slices too.
  const t1 = performance.now();
  for (const kind of fetched) await builder.prepareLocals(kind);
  snapshotCpu += performance.now() - t1;
  // Now that each file's hash is known, the Hog and HogQL of those changed since the last sync
  // are parsed in worker threads while the rest of the lists travel: one a core, since this thread
  // mostly waits for pages, and the parse (tens of ms a text) is most of the work when many changed.
  const settled = gate?.settle(changedSinceSync(builder, fetched, state), availableParallelism());
  advance();
  // A run that is stopping (SIGINT, SIGTERM) does not wait for the parse.
  const stopParse = () => gate?.stop();
  client.stopping.addEventListener('abort', stopParse, { once: true });
  let remote: Map<string, JsonObject[]>;
  try {
    [remote] = await Promise.all([listing, settled]);
  } catch (error) {
    gate?.stop();
    throw error;
  } finally {
    client.stopping.removeEventListener('abort', stopParse);
  }
  timings.fetchWall = Date.now() - t0;
  advance();
  // The first pages can be as old as the listing: a write trusts none of them beyond that (write-one.ts freshMs).
  const snapshot = builder.snapshot(t0);
  // A table still pairs while some file it maps to a resource of this project has no binding here yet.
  const withFile = new Set(local.map((l) => `${l.kind.kind}/${l.key}`));
  const pairing = (kind: KindDef) =>
    [...mapped(kind.kind)].some(
      ([key, m]) =>
        withFile.has(`${kind.kind}/${key}`) &&
        !state.bindings(kind.kind).has(key) &&
        String(snapshot.identities.idOf(kind.kind, key)) === String(m.id),
    );
  if (!opts.localOverride) for (const line of unneededRefs(files, target, pairing)) opts.note?.(line);
  timings.snapshotCpu = snapshotCpu;
  return { snapshot, state, files, remote, vars, warnings: gate?.warnings ?? [], held: gate?.held ?? new Map() };
}

/** Whether a file differs from what its binding says it was at the last sync (or has none): the run may send it. */
function changedSinceSync(builder: SnapshotBuilder, kinds: readonly KindDef[], state: StateStore): (f: ResourceFile) => boolean {
  const hashes = new Map(kinds.flatMap((k) => builder.localsOf(k).map((l) => [`${k.kind}/${l.key}`, l.hash])));
  return (f) => {
    const binding = state.get(f.kind.kind, f.key);
    return !binding || hashes.get(`${f.kind.kind}/${f.key}`) !== localBase(binding);
  };
}

/** The file as the state's binding says it was at the last sync: PostHog holds it as it is. */
function heldAsIs(f: ResourceFile, target: Target, state: StateStore, vars: VarSources): boolean {
  const binding = state.get(f.kind.kind, f.key);
  if (!binding) return false;
  try {
    const [view] = environmentView([f], target);
    return view !== undefined && comparisonHash(f.kind, view.spec, vars) === localBase(binding);
  } catch {
    // An id with no mapping here: a problem of its own, reported with the file's.
    return false;
  }
}

/** Files + state + remote → the plan of DESIGN.md "Diff: classification". */
export async function readPlan(opts: ReadOptions): Promise<Loaded & { plan: Plan }> {
  const loaded = await readSnapshot(opts);
  const cpu = process.cpuUsage();
  const plan = computePlan(loaded.snapshot, opts.target.environment);
  if (opts.timings) opts.timings.planCpu = (opts.timings.snapshotCpu ?? 0) + cpuMs(cpu);
  return { ...loaded, plan: loaded.warnings.length > 0 ? { ...plan, warnings: loaded.warnings } : plan };
}

import { join, relative } from 'node:path';
import type { Workspace } from '../config/target.js';
import type { JsonObject } from '../json.js';
import { planPull, type PullAction, type PullStep } from '../plan/pull-plan.js';
import { inverse, mapIds, singular } from '../plan/translate.js';
import { pullCommitMessage } from '../store/commit-message.js';
import { checkCommitReady, commitPaths } from '../store/git.js';
import { stopIfInterrupted, stopOrError } from './interrupt.js';
import { readSnapshot, type Loaded } from './read.js';
import { kindByName, type ForeignRef, type KindDef } from '../kinds/index.js';
import { removeResource, resourcePath, writeResources } from '../store/resource-files.js';
import { WriteAhead } from './write-ahead.js';
import type { EnvironmentJob } from './job.js';

export interface PullOptions extends EnvironmentJob {
  force: boolean;
  commit: boolean;
  message?: string;
  pageSize?: number;
  timings?: Record<string, number>;
}

interface PullItem {
  kind: string;
  key: string;
  action: PullAction;
  file: string;
  note?: string;
  /** Only rewritten to name resources by key instead of by id. */
  rekeyed?: boolean;
}

export interface PullResult {
  environment: string;
  items: PullItem[];
  counts: Record<PullAction, number>;
  /** Per kind: added / changed / removed. */
  byKind: Record<string, { added: number; changed: number; removed: number; total: number }>;
  commit?: string;
  /** With a commit: the files holding local work (unpushed edits, conflicts) that it leaves out, relative to the root. */
  leftOut?: string[];
  filesWritten: number;
  /** Files rewritten to name resources of these kinds (labels) by key instead of by id. */
  rekeyed?: { files: number; kinds: string[] };
}

const EMPTY_COUNTS: Record<PullAction, number> = { added: 0, changed: 0, removed: 0, unchanged: 0, kept: 0, conflict: 0, refused: 0 };

/**
 * pull: every remote resource into its file, then the state. Everything is fetched
 * before the first write, so a failed fetch changes nothing; each file is written
 * atomically, so a killed pull leaves whole files that the next pull settles.
 */
export async function runPull(opts: PullOptions): Promise<PullResult> {
  const { ws } = opts;
  if (opts.commit) await checkCommitReady(ws.root);
  // Files are written ahead only as PostHog sends them: not for an environment whose ids or overrides differ from the files'.
  const plain = opts.target.home && Object.keys(opts.target.overrides).length === 0;
  const ahead = new WriteAhead(ws.dir, new Set(plain ? opts.kinds.map((k) => k.kind) : []));
  const loaded = await readSnapshot({ ...opts, adopt: false, assignNew: true, lock: true, onRemote: ahead.observe }).catch(
    (error: unknown) => {
      ahead.rollback();
      throw stopOrError(error, opts.signal, [opts.client], () => 'nothing was written');
    },
  );
  try {
    // Interrupted while reading: nothing is written, so a rerun starts from the same place.
    if (opts.signal?.aborted) ahead.rollback();
    stopIfInterrupted(opts.signal, [opts.client], () => 'nothing was written');
    return await settle(opts, loaded, ahead);
  } finally {
    loaded.state.release();
  }
}

/** Writes what the pull plan decided: files first, the state last. */
async function settle(opts: PullOptions, loaded: Loaded, ahead: WriteAhead): Promise<PullResult> {
  const { ws, target } = opts;
  const back = target.home ? undefined : inverse(target.refs);
  const steps = planPull(loaded.snapshot, {
    force: opts.force,
    vars: loaded.vars,
    ...(back
      ? {
          toFiles: (kind: KindDef, spec: JsonObject) => mapIds(kind, spec, back),
          missingMapping: (u: ForeignRef) =>
            `${singular(u.type)} id ${u.id} (at ${u.path}) has no mapping from ${target.environment} to the files' environment: add "<home id>": ${u.id} under environments.${target.environment}.refs.${u.type} in hogsync.yaml`,
        }
      : {}),
  });
  const { state } = loaded;

  const written = Date.now();
  const texts = new Map(loaded.files.map((f) => [`${f.kind.kind}/${f.key}`, f.text]));
  const toWrite = steps.flatMap((s) => {
    if (!s.write) return [];
    const id = s.bind ? s.bind.id : undefined;
    if (id !== undefined && s.text !== undefined && ahead.holds(s.kind, s.key, id)) return [];
    return [
      {
        kind: s.kind,
        key: s.key,
        spec: s.write,
        ...(s.text !== undefined ? { specText: s.text } : {}),
        previous: texts.get(`${s.kind.kind}/${s.key}`),
      },
    ];
  });
  let filesWritten =
    writeResources(ws.dir, toWrite) + steps.filter((s) => s.write && s.bind && ahead.holds(s.kind, s.key, s.bind.id)).length;
  const final = new Set(steps.map((s) => `${s.kind.kind}/${s.key}`));
  for (const stray of ahead.strays(final)) removeResource(ws.dir, kindByName(stray.kind), stray.key);
  for (const step of steps) {
    if (step.remove && removeResource(ws.dir, step.kind, step.key)) filesWritten++;
    if (step.bury) state.bury(step.kind.kind, step.key, step.bury);
    else if (step.bind === null) state.unbind(step.kind.kind, step.key);
    else if (step.bind) state.bind(step.kind.kind, step.key, step.bind);
  }
  // The state comes last: a pull killed before this point is simply redone by the next one.
  state.flush();
  if (opts.timings) opts.timings.writeFilesWall = Date.now() - written;

  const items = steps.filter((s) => s.action !== 'unchanged' || s.note).map((s) => item(ws, s));
  const counts = { ...EMPTY_COUNTS };
  const byKind: PullResult['byKind'] = {};
  for (const kind of opts.kinds) byKind[kind.kind] = { added: 0, changed: 0, removed: 0, total: loaded.remote.get(kind.kind)?.length ?? 0 };
  for (const s of steps) {
    counts[s.action]++;
    const k = byKind[s.kind.kind];
    if (!k) continue;
    if (s.action === 'added' || s.action === 'changed' || s.action === 'removed') k[s.action]++;
  }
  const result: PullResult = { environment: target.environment, items, counts, byKind, filesWritten };
  const rekeyed = steps.filter((s) => s.rekeyed);
  if (rekeyed.length > 0)
    result.rekeyed = { files: rekeyed.length, kinds: [...new Set(rekeyed.flatMap((s) => (s.rekeyed ?? []).map((k) => k.label)))].sort() };

  if (opts.commit) {
    const folders = opts.kinds.map((k) => ({ kind: k.kind, path: join(ws.dir, k.folder) }));
    const paths = [...folders.map((f) => f.path), state.file];
    // Exactly what pull wrote: files holding local work (edits not pushed, conflicts) stay out of the backup.
    const localWork = steps.filter((st) => st.localWork).map((st) => resourcePath(ws.dir, st.kind, st.key));
    const sha = await commitPaths(
      ws.root,
      paths,
      (staged) => pullCommitMessage(target.environment, folders, staged, opts.message),
      localWork,
    );
    if (sha) result.commit = sha;
    if (sha && localWork.length > 0) result.leftOut = localWork.map((p) => relative(ws.root, p));
  }
  return result;
}

function item(ws: Workspace, s: PullStep): PullItem {
  const file = resourcePath(ws.dir, s.kind, s.key).slice(ws.root.length + 1);
  return {
    kind: s.kind.kind,
    key: s.key,
    action: s.action,
    file,
    ...(s.note ? { note: s.note } : {}),
    ...(s.rekeyed ? { rekeyed: true } : {}),
  };
}

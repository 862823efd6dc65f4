import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { applyInput, applyPlan, appliedSoFar, checkPlan, type ApplyResult, type PushEvent } from '../apply/apply-plan.js';
import { FileError, InvalidFilesError } from '../errors.js';
import { toKeys, withDependencies, type KindDef } from '../kinds/index.js';
import { hashJson } from '../json.js';
import { localBase } from '../plan/binding.js';
import { compareSpec } from '../plan/secrets.js';
import { computePlan, type Plan } from '../plan/diff.js';
import { filterPlan } from '../plan/filter.js';
import { maxFileBytes, tooBigProblem } from '../store/file-guard.js';
import { filesAtCommit, resolveRevision } from '../store/git-files.js';
import { commitPaths } from '../store/git.js';
import { parseResource, readResourceFile, resourcePath, type ResourceFile } from '../store/resource-files.js';
import { environmentView } from './environment-view.js';
import { gateAll } from './gate.js';
import { stopIfInterrupted } from './interrupt.js';
import { readSnapshot, type Loaded } from './read.js';
import type { EnvironmentJob } from './job.js';

export interface RestoreOptions extends EnvironmentJob {
  /** --no-validate: validate's checks are not run before the first request. */
  skipChecks?: boolean;
  cwd: string;
  /** A git revision: a hash, HEAD~3, a tag, main@{2026-11-20}. */
  rev: string;
  selectors: string[];
  prune: boolean;
  force: boolean;
  dryRun: boolean;
  commit: boolean;
  concurrency: number;
  confirm?: (plan: Plan) => Promise<boolean>;
  onEvent?: (event: PushEvent) => void;
}

export interface RestoreRun {
  /** The commit the files were read from. */
  rev: { sha: string; subject: string };
  plan: Plan;
  result?: ApplyResult;
  declined?: boolean;
  /** The commit that records the state after the restore (--commit). */
  commit?: string;
  /** Files of restored resources that the work tree does not have: the next pull writes them. */
  awaitingFiles?: string[];
}

/**
 * restore: the live project made to match the files as commit `rev` holds them, with the
 * same three-way plan and the same safeguards as push (checks, confirmation, journaled
 * writes, rate limits). The files are read from git; the work tree is not touched, only
 * the environment's state file is written (and committed with --commit).
 */
export async function runRestore(opts: RestoreOptions): Promise<RestoreRun> {
  const { ws } = opts;
  const rev = await resolveRevision(ws.root, opts.rev);
  const files = await filesOf(opts, rev.top, rev.sha);
  // Every file of the commit goes to PostHog if it differs there: each one is checked, parsing on every core.
  if (!opts.skipChecks)
    await gateAll({ files, kinds: withDependencies(opts.kinds), config: ws.config, env: opts.env, root: ws.root }, availableParallelism());
  // The commit's files in this environment's terms (its refs and overrides), named as in the work tree.
  const local = environmentView(files, opts.target).map((l, i) => ({
    ...l,
    file: (files[i] as ResourceFile).path.slice(ws.root.length + 1),
  }));
  const loaded = await readSnapshot({ ...opts, adopt: false, assignNew: false, lock: !opts.dryRun, localOverride: local });
  try {
    const plan: Plan = {
      ...filterPlan(computePlan(loaded.snapshot, opts.target.environment), opts.selectors, {
        file: (p) => resolve(ws.root, p),
        selector: (p) => resolve(opts.cwd, p),
      }),
      writer: 'restore',
    };
    const checked = checkPlan({
      plan,
      snapshot: loaded.snapshot,
      vars: loaded.vars,
      prune: opts.prune,
      force: opts.force,
      command: 'restore',
      dryRun: opts.dryRun,
      ...(opts.redactor ? { redactor: opts.redactor } : {}),
    });
    const run: RestoreRun = { rev: { sha: rev.sha, subject: rev.subject }, plan: checked.plan };
    if (opts.dryRun) return run;
    if (checked.ops.length > 0 && opts.confirm && !(await opts.confirm(plan))) return { ...run, declined: true };
    const result = await applyPlan(checked, applyInput(opts, loaded.state, opts.client));
    stopIfInterrupted(opts.signal, [opts.client], () => appliedSoFar(result));
    const awaitingFiles = markAwaitingFiles(plan, result, loaded, opts);
    const commit = opts.commit
      ? await commitPaths(ws.root, [loaded.state.file], commitMessage(opts.target.environment, rev, result))
      : undefined;
    return { ...run, result, ...(commit ? { commit } : {}), ...(awaitingFiles.length > 0 ? { awaitingFiles } : {}) };
  } finally {
    loaded.state.release();
  }
}

/**
 * Resources the commit has files for and the work tree does not (removed by a pull of their
 * deletion, or by hand) are bound as awaiting their file: the next pull writes it back, and
 * until then a push, even with --prune, does not take the missing file for a removal. So are
 * resources this restore changed whose work-tree file is the one last synced, not an edit (a
 * dashboard's file the nightly pull rewrote when an insight on it was deleted): the next pull
 * takes PostHog's version, and a push does not undo the restore.
 */
function markAwaitingFiles(plan: Plan, result: ApplyResult, loaded: Loaded, opts: RestoreOptions): string[] {
  const { state } = loaded;
  const { ws } = opts;
  const written = new Set(
    result.events.filter((e) => ['created', 'restored', 'updated', 'adopted'].includes(e.outcome)).map((e) => `${e.kind}/${e.key}`),
  );
  const awaiting: string[] = [];
  for (const c of plan.changes) {
    const binding = c.entry?.local ? state.get(c.kind.kind, c.key) : undefined;
    const path = resourcePath(ws.dir, c.kind, c.key);
    if (!binding) continue;
    if (existsSync(path)) {
      const before = c.entry?.binding ?? c.entry?.tombstone;
      if (!written.has(`${c.kind.kind}/${c.key}`) || !before) continue;
      const worktree = workTreeHash(path, c.kind, loaded, opts);
      // Marked only when the work tree's file is the last synced one and not the commit's.
      if (worktree === undefined || worktree !== localBase(before) || worktree === c.entry?.local?.hash) continue;
      state.bind(c.kind.kind, c.key, { ...binding, behind: worktree });
    } else {
      state.bind(c.kind.kind, c.key, { ...binding, awaitsFile: true });
    }
    awaiting.push(relative(ws.root, path));
  }
  state.flush();
  return awaiting;
}

/** The work tree's file in comparison form, as the last sync recorded it (undefined when it cannot be read). */
function workTreeHash(path: string, kind: KindDef, loaded: Loaded, opts: RestoreOptions): string | undefined {
  try {
    const [view] = environmentView([readResourceFile(path, kind, opts.ws.root)], opts.target);
    if (!view) return undefined;
    const keyed = toKeys(kind, compareSpec(kind, view.spec, loaded.vars).spec, loaded.snapshot.identities);
    return hashJson(kind.normalize(keyed.spec));
  } catch {
    return undefined;
  }
}

/** The resource files of commit `sha`, checked like files on disk; every problem at once. */
async function filesOf(opts: RestoreOptions, top: string, sha: string): Promise<ResourceFile[]> {
  const { ws, kinds } = opts;
  // Files of the kinds referenced too, so that references between files are checked.
  const byFolder = new Map(withDependencies(kinds).map((k) => [resolve(ws.dir, k.folder), k]));
  const committed = await filesAtCommit(top, sha, [...byFolder.keys()]);
  const out: ResourceFile[] = [];
  const problems: string[] = [];
  const max = maxFileBytes(opts.env);
  for (const f of committed) {
    if (!/\.ya?ml$/.test(f.path)) continue;
    const abs = join(top, f.path);
    const kind = byFolder.get(resolve(abs, '..'));
    if (!kind) continue;
    const display = abs.slice(ws.root.length + 1);
    try {
      const size = Buffer.byteLength(f.text);
      if (size > max) throw new FileError(`${display}@${sha.slice(0, 12)}`, tooBigProblem(size, max));
      const file = parseResource(f.text, abs, `${display}@${sha.slice(0, 12)}`, kind);
      out.push(file);
    } catch (error) {
      if (error instanceof FileError) problems.push(error.message);
      else throw error;
    }
  }
  if (problems.length > 0) throw new InvalidFilesError(problems);
  return out;
}

/** `hogsync restore production to 1a2b3c4d5e6f (nightly backup): 2 restored, 1 updated` */
function commitMessage(environment: string, rev: { sha: string; subject: string }, r: ApplyResult): { subject: string; body: string } {
  const s = r.summary;
  const subject = `hogsync restore ${environment} to ${rev.sha.slice(0, 12)}: ${s.restored} restored, ${s.created} created, ${s.updated} updated, ${s.deleted} deleted`;
  const lines = r.events
    .filter((e) => ['created', 'restored', 'updated', 'deleted', 'adopted'].includes(e.outcome))
    .map((e) => `  ${e.outcome} ${e.kind}/${e.key}`);
  return { subject, body: [`Files as of ${rev.sha} (${rev.subject}).`, ...(lines.length ? ['', ...lines] : [])].join('\n') };
}

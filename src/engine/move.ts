import { varSourcesOf } from '../plan/vars.js';
import { existsSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { keyVariablesOf, type Workspace } from '../config/target.js';
import { UsageError } from '../errors.js';
import { hashJson, type JsonObject } from '../json.js';
import { andList, keyRefs, KINDS, readsAsId, type KindDef, type RemoteId } from '../kinds/index.js';
import type { Binding } from '../model.js';
import { localBase } from '../plan/binding.js';
import { compareSpec } from '../plan/secrets.js';
import { writeFileAtomic } from '../store/atomic.js';
import {
  KEY_PATTERN,
  keyProblem,
  readAllResources,
  readResourceFile,
  removeResource,
  resourcePath,
  type ResourceFile,
} from '../store/resource-files.js';
import { mentionAt, renamedFileText, renameMentions, rewrittenMentionsText, type KeyMention } from '../store/resource-rename.js';
import { StateStore } from '../store/state.js';

export interface MoveOptions {
  ws: Workspace;
  kind: KindDef;
  from: string;
  to: string;
  dryRun: boolean;
  /** The process environment: files are compared as each environment resolves their `${VAR}`s. */
  env: NodeJS.ProcessEnv;
}

/** A file whose references to the moved key are rewritten. */
interface Rewrite {
  file: ResourceFile;
  mentions: KeyMention[];
  spec: JsonObject;
}

interface MovedEnvironment {
  environment: string;
  stateFile: string;
  /** The remote id bound to the key there, if any. */
  id: RemoteId | null;
  /** What the state held under the old key and now holds under the new one. */
  moved: Array<'binding' | 'tombstone' | 'pending'>;
  /** Files referring to the key whose recorded base was carried over to the rewritten reference. */
  rebased: string[];
}

export interface MoveResult {
  kind: string;
  from: string;
  to: string;
  dryRun: boolean;
  files: { from: string; to: string };
  references: Array<{ file: string; paths: string[] }>;
  environments: MovedEnvironment[];
  notes: string[];
}

/**
 * hogsync mv: a key changes with its file, the references other files make to it, and its
 * binding in every environment's state, so that the next push neither deletes nor creates.
 * Offline: nothing is asked of PostHog. Files are written first, the state files next (each
 * journaled, under its environment's lock), and the old file is removed last. It runs as one
 * synchronous stretch, so a SIGINT or SIGTERM is handled only once it is done.
 */
export function runMove(opts: MoveOptions): MoveResult {
  const { ws, kind, from, to } = opts;
  const display = (p: string) => relative(ws.root, p) || p;
  const name = `${kind.cliName}/${from}`;
  if (!KEY_PATTERN.test(to) || readsAsId(kind, to)) throw new UsageError(keyProblem(kind, to));
  const oldPath = resourcePath(ws.dir, kind, from);
  const newPath = resourcePath(ws.dir, kind, to);
  if (!KEY_PATTERN.test(from) || !existsSync(oldPath))
    throw new UsageError(
      `${name} has no file (${display(oldPath)} does not exist): give the key of a file in ${display(dirname(oldPath))}/.`,
    );
  if (from === to) throw new UsageError(`${name} already has the key "${to}": nothing to move.`);
  if (kind.naturalOfKey) {
    // The key is what PostHog fixed at create (a code_name, which SQL uses as {variables.<key>}):
    // moving it would make every environment created later disagree with the SQL that uses it.
    throw new UsageError(
      `${name} cannot move: its key is its ${kind.naturalKeyName}, which PostHog fixes when it is created and other resources use by name. Change spec.name to rename it; for another ${kind.naturalKeyName}, add a new file, point its users at it and remove this one.`,
    );
  }
  const file = readResourceFile(oldPath, kind, ws.root);
  if (existsSync(newPath))
    throw new UsageError(`${display(newPath)} already exists, so "${to}" is taken: choose another key, or remove that file first.`);

  const states = StateStore.loadAll(ws.stateDir, ws.root, { journal: !opts.dryRun });
  const locked: StateStore[] = [];
  try {
    if (!opts.dryRun) {
      for (const s of states) {
        s.lock();
        locked.push(s);
      }
    }
    for (const s of states) {
      const use = s.holds(kind.kind, to);
      if (use) throw new UsageError(`"${to}" is taken: ${display(s.file)} holds ${use} under ${kind.cliName}/${to}; choose another key.`);
    }
    const rewrites = referencesTo(ws, kind, from, to);
    const notes: string[] = [];
    const rebinds = states.map((s) => rebase(s, rewrites, opts, notes));
    const stale = rebinds.flatMap((r) => r.stale);
    if (stale.length > 0) {
      throw new UsageError(
        `${andList(stale)} refer${stale.length === 1 ? 's' : ''} to ${name} and changed since the last sync, so the recorded base cannot follow the renamed reference: push (or pull) first, then run mv again.`,
      );
    }
    const environments = states.map((s, i) => movedIn(s, kind, from, display, rebinds[i]?.rebinds ?? []));
    if (!opts.dryRun) {
      writeFileAtomic(newPath, renamedFileText(file, to));
      for (const r of rewrites) writeFileAtomic(r.file.path, rewrittenMentionsText(r.file, r.mentions, to, r.spec));
      states.forEach((s, i) => {
        if ((environments[i]?.moved.length ?? 0) > 0) s.rename(kind.kind, from, to);
        for (const r of rebinds[i]?.rebinds ?? []) s.bind(r.file.kind.kind, r.file.key, r.binding);
        s.flush();
      });
      removeResource(ws.dir, kind, from);
    }
    return {
      kind: kind.kind,
      from,
      to,
      dryRun: opts.dryRun,
      files: { from: display(oldPath), to: display(newPath) },
      references: rewrites.map((r) => ({ file: r.file.display, paths: r.mentions.map((m) => m.path) })),
      environments,
      notes,
    };
  } finally {
    for (const s of locked) s.release();
  }
}

/**
 * Files of the kinds that reference `kind` (KindDef.references), with their mentions of
 * `from` renamed. A mention hogsync cannot rewrite is refused rather than left dangling:
 * the next push could not resolve it.
 */
function referencesTo(ws: Workspace, kind: KindDef, from: string, to: string): Rewrite[] {
  const referring = KINDS.filter((k) => k.refersTo.includes(kind.kind));
  const files = referring.length > 0 ? readAllResources(ws.dir, referring, ws.root) : [];
  const rewrites: Rewrite[] = [];
  const stuck: string[] = [];
  for (const f of files) {
    const refs = keyRefs(f.kind, f.spec).filter((r) => r.kind === kind.kind && r.key === from);
    if (refs.length === 0) continue;
    const mentions = refs.map((r) => mentionAt(f.spec, r.path, from, to));
    if (mentions.some((m) => m === undefined)) stuck.push(f.display);
    else rewrites.push({ file: f, mentions: mentions as KeyMention[], spec: renameMentions(f.spec, mentions as KeyMention[], to) });
  }
  if (stuck.length > 0)
    throw new UsageError(
      `${andList(stuck)} refer to ${kind.cliName}/${from} in a way hogsync cannot rewrite: change those references by hand, then run mv again.`,
    );
  return rewrites;
}

/**
 * The bindings of referring files in one environment, with the base hashes moved to the
 * rewritten reference. A base is a hash, so it can follow only where the file is as it was
 * at the last sync (then the base is the file's own spec, renamed); a file edited since then
 * is `stale`: renaming its reference would turn the edit into a conflict.
 */
function rebase(
  s: StateStore,
  rewrites: Rewrite[],
  opts: MoveOptions,
  notes: string[],
): { rebinds: Array<{ file: ResourceFile; binding: Binding }>; stale: string[] } {
  const sources = varSourcesOf(
    { vars: varsOf(opts.ws, s.environment), environment: s.environment, keyVariables: keyVariablesOf(opts.ws.config) },
    opts.env,
  );
  const rebinds: Array<{ file: ResourceFile; binding: Binding }> = [];
  const stale: string[] = [];
  for (const r of rewrites) {
    const { kind, key } = r.file;
    if (s.pending(kind.kind, key)) stale.push(`${r.file.display} (a create not confirmed in ${s.environment})`);
    const b = s.get(kind.kind, key);
    if (!b) continue;
    const before = hashJson(compareSpec(kind, r.file.spec, sources).spec);
    if (before !== localBase(b)) {
      stale.push(`${r.file.display} (in ${s.environment})`);
      continue;
    }
    const after = hashJson(compareSpec(kind, r.spec, sources).spec);
    if (b.local === undefined) {
      rebinds.push({ file: r.file, binding: { ...b, base: after } });
    } else {
      // PostHog's copy differed from the file at the last sync: its hash cannot be renamed offline.
      rebinds.push({ file: r.file, binding: { ...b, local: after } });
      notes.push(
        `In ${s.environment}, PostHog's copy of ${r.file.display} differed from the file at the last sync, so its base cannot follow offline: if the next diff there shows it changed in PostHog, "hogsync pull -e ${s.environment}" settles it.`,
      );
    }
  }
  return { rebinds, stale };
}

function movedIn(
  s: StateStore,
  kind: KindDef,
  from: string,
  display: (p: string) => string,
  rebinds: Array<{ file: ResourceFile }>,
): MovedEnvironment {
  const bound = s.get(kind.kind, from);
  const buried = s.tombstones(kind.kind).get(from);
  const moved: MovedEnvironment['moved'] = [];
  if (bound) moved.push('binding');
  if (buried) moved.push('tombstone');
  if (s.pending(kind.kind, from)) moved.push('pending');
  return {
    environment: s.environment,
    stateFile: display(s.file),
    id: (bound ?? buried)?.id ?? null,
    moved,
    rebased: rebinds.map((r) => r.file.display),
  };
}

/** hogsync.yaml `vars:` of an environment (none when the file no longer lists it). */
function varsOf(ws: Workspace, environment: string): Record<string, string> {
  const vars = ws.config?.config.environments[environment]?.vars ?? {};
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
}

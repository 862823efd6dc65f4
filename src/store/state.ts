import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ConfigError, FileError } from '../errors.js';
import { isObject } from '../json.js';
import type { Binding, PendingCreate } from '../model.js';
import { writeFileAtomic } from './atomic.js';

export const STATE_VERSION = 1;

interface StateDoc {
  version: number;
  environment: string;
  host: string;
  project: string;
  resources: Record<string, Binding>;
  pending?: Record<string, PendingCreate>;
}

type JournalEntry =
  | { op: 'bind'; ref: string; binding: Binding }
  | { op: 'unbind'; ref: string }
  | { op: 'pending'; ref: string; pending: PendingCreate }
  | { op: 'settled'; ref: string };

export function refOf(kind: string, key: string): string {
  return `${kind}/${key}`;
}

/**
 * `.hogsync/state/<env>.json`: bindings key → remote id and base hash, one file per
 * environment, committed with the resource files. Changes during a run are appended to
 * `<env>.journal` first (cheap, survives a kill), then compacted into the JSON file by
 * `flush()`; a run that was killed is replayed from the journal by the next one.
 */
export class StateStore {
  private doc: StateDoc;
  private journaled = false;

  private constructor(
    readonly file: string,
    readonly journal: string,
    doc: StateDoc,
    private readonly journaling: boolean,
  ) {
    this.doc = doc;
  }

  /**
   * `journal: false` keeps changes in memory until flush(), for commands whose work is
   * simply redone when interrupted (pull).
   */
  static load(stateDir: string, environment: string, target: { host: string; project: string }, root: string, opts: { journal?: boolean } = {}): StateStore {
    const file = join(stateDir, `${environment}.json`);
    const journal = join(stateDir, `${environment}.journal`);
    const display = relative(root, file) || file;
    const doc = existsSync(file) ? parseState(readFileSync(file, 'utf8'), display) : emptyState(environment, target);
    if (existsSync(file) && (doc.project !== target.project || !sameHost(doc.host, target.host))) {
      throw new ConfigError(
        `${display} belongs to project ${doc.project} at ${doc.host}, but environment "${environment}" now points at project ${target.project} at ${target.host}. ` +
          'Use the matching -e, or move the state file away to start this environment afresh.',
      );
    }
    const store = new StateStore(file, journal, doc, opts.journal !== false);
    if (existsSync(journal)) store.replay(readFileSync(journal, 'utf8'));
    return store;
  }

  get environment(): string {
    return this.doc.environment;
  }

  /**
   * Claims the environment for this run: two pulls or pushes on one state file would
   * interleave their journals. A lock left by a process that died is taken over. The
   * caller releases it (in a finally).
   */
  lock(): void {
    const path = this.file.replace(/\.json$/, '.lock');
    mkdirSync(dirname(path), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
        this.lockFile = path;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = Number(readFileSync(path, 'utf8').trim());
        if (pid && pid !== process.pid && isAlive(pid)) {
          throw new ConfigError(
            `Another hogsync (pid ${pid}) is pulling or pushing environment "${this.doc.environment}". Wait for it to finish; if it is gone, remove ${path}.`,
          );
        }
        rmSync(path, { force: true });
      }
    }
  }

  /** Gives the lock back, if this store holds it. Safe to call more than once. */
  release(): void {
    if (this.lockFile) rmSync(this.lockFile, { force: true });
    this.lockFile = undefined;
  }

  private lockFile: string | undefined;

  get(kind: string, key: string): Binding | undefined {
    return this.doc.resources[refOf(kind, key)];
  }

  /** All bindings of one kind, key → binding (a copy). */
  bindings(kind: string): Map<string, Binding> {
    this.byKind ??= this.index();
    return new Map(this.byKind.get(kind) ?? []);
  }

  // Bindings grouped by kind, built on first use and dropped on every change.
  private byKind: Map<string, Map<string, Binding>> | undefined;

  private index(): Map<string, Map<string, Binding>> {
    const out = new Map<string, Map<string, Binding>>();
    for (const [ref, b] of Object.entries(this.doc.resources)) {
      const slash = ref.indexOf('/');
      const kind = ref.slice(0, slash);
      let m = out.get(kind);
      if (!m) out.set(kind, (m = new Map()));
      m.set(ref.slice(slash + 1), b);
    }
    return out;
  }

  pending(kind: string, key: string): PendingCreate | undefined {
    return this.doc.pending?.[refOf(kind, key)];
  }

  bind(kind: string, key: string, binding: Binding): void {
    this.apply({ op: 'bind', ref: refOf(kind, key), binding }, true);
  }

  unbind(kind: string, key: string): void {
    this.apply({ op: 'unbind', ref: refOf(kind, key) }, true);
  }

  /** Recorded before a create is sent, so a crash leaves a trace to check before creating again. */
  markPending(kind: string, key: string, pending: PendingCreate): void {
    this.apply({ op: 'pending', ref: refOf(kind, key), pending }, true);
  }

  settle(kind: string, key: string): void {
    if (this.doc.pending?.[refOf(kind, key)]) this.apply({ op: 'settled', ref: refOf(kind, key) }, true);
  }

  /** Writes the JSON file atomically and drops the journal. */
  flush(): void {
    // Unchanged bytes are not rewritten: a pull with nothing new touches no file at all.
    const text = serialize(this.doc);
    if (!existsSync(this.file) || readFileSync(this.file, 'utf8') !== text) writeFileAtomic(this.file, text, { durable: true });
    if (this.journaled || existsSync(this.journal)) rmSync(this.journal, { force: true });
    this.journaled = false;
  }

  /** Whether the JSON file on disk differs from what flush() would write. */
  isDirty(): boolean {
    if (!existsSync(this.file)) return Object.keys(this.doc.resources).length > 0;
    return readFileSync(this.file, 'utf8') !== serialize(this.doc);
  }

  private apply(entry: JournalEntry, persist: boolean): void {
    const { resources } = this.doc;
    this.byKind = undefined;
    switch (entry.op) {
      case 'bind':
        resources[entry.ref] = entry.binding;
        break;
      case 'unbind':
        delete resources[entry.ref];
        break;
      case 'pending':
        this.doc.pending = { ...this.doc.pending, [entry.ref]: entry.pending };
        break;
      case 'settled':
        if (this.doc.pending) delete this.doc.pending[entry.ref];
        break;
    }
    if (persist && this.journaling) {
      if (!this.journaled) mkdirSync(dirname(this.journal), { recursive: true });
      appendFileSync(this.journal, `${JSON.stringify(entry)}\n`);
      this.journaled = true;
    }
  }

  private replay(text: string): void {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        // The last line of a killed run may be cut short; everything before it stands.
        continue;
      }
      this.apply(entry, false);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function emptyState(environment: string, target: { host: string; project: string }): StateDoc {
  return { version: STATE_VERSION, environment, host: target.host, project: target.project, resources: {} };
}

function parseState(text: string, display: string): StateDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new FileError(display, `the state file is not valid JSON (${(error as Error).message}); restore it from git (git checkout -- ${display})`);
  }
  if (!isObject(doc) || typeof doc.version !== 'number') {
    throw new FileError(display, 'this is not a hogsync state file (no "version"); restore it from git or remove it to start over');
  }
  if (doc.version > STATE_VERSION) {
    throw new FileError(display, `state version ${doc.version} was written by a newer hogsync; upgrade hogsync`);
  }
  // Version 1 is the only one so far; an upgrade step for older versions goes here.
  if (!isObject(doc.resources) || typeof doc.project !== 'string' || typeof doc.host !== 'string') {
    throw new FileError(display, 'the state file is missing "resources", "host" or "project"; restore it from git');
  }
  return doc as unknown as StateDoc;
}

/** Stable bytes: sorted refs, no timestamps, so an unchanged state never shows in git. */
function serialize(doc: StateDoc): string {
  const resources: Record<string, Binding> = {};
  for (const ref of Object.keys(doc.resources).sort()) {
    const b = doc.resources[ref] as Binding;
    const secrets = b.secrets && Object.keys(b.secrets).length > 0 ? sortRecord(b.secrets) : undefined;
    resources[ref] = { id: b.id, ...(b.short_id ? { short_id: b.short_id } : {}), base: b.base, ...(secrets ? { secrets } : {}) };
  }
  const pending = doc.pending && Object.keys(doc.pending).length > 0 ? sortRecord(doc.pending) : undefined;
  const out = { version: STATE_VERSION, environment: doc.environment, host: doc.host, project: doc.project, resources, ...(pending ? { pending } : {}) };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function sortRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k] as T]));
}

/** Same PostHog instance. Ports are ignored: a local instance or emulator may come back on another one. */
function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).hostname === new URL(b).hostname;
  } catch {
    return a === b;
  }
}

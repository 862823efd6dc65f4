import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Binding, PendingCreate } from '../model.js';
import { writeFileAtomic } from './atomic.js';
import { Journal, type JournalEntry } from './journal.js';
import { claimLock } from './run-lock.js';
import { emptyState, parseState, serializeState, type StateDoc } from './state-doc.js';

function refOf(kind: string, key: string): string {
  return `${kind}/${key}`;
}

export interface StateLoadOptions {
  /**
   * false keeps changes in memory until flush(), for commands whose work is simply redone
   * when interrupted (pull).
   */
  journal?: boolean;
  /**
   * During long runs the state file itself is rewritten every so often, not only at the
   * end: a CI job that is killed and whose journal (never committed) is lost still leaves
   * a state file that knows what was created.
   */
  flushEvery?: { ms: number; changes: number };
}

const DEFAULT_FLUSH = { ms: 5_000, changes: 50 };

/**
 * `.hogsync/state/<env>.json`: bindings key → remote id and base hash, one file per
 * environment, committed with the resource files. Changes during a run are appended to
 * `<env>.journal` first (cheap, survives a kill), and compacted into the JSON file by
 * `flush()`, which runs every few seconds and changes during a run and at its end; a run
 * that was killed is replayed from the journal by the next one.
 */
export class StateStore {
  private unlock: (() => void) | undefined;
  private unflushed = 0;
  private lastFlush = Date.now();
  // Bindings grouped by kind, built on first use and dropped on every change.
  private byKind: Map<string, Map<string, Binding>> | undefined;

  private constructor(
    readonly file: string,
    private readonly journal: Journal,
    private doc: StateDoc,
    private readonly journaling: boolean,
    private readonly flushEvery: { ms: number; changes: number },
  ) {}

  static load(
    stateDir: string,
    environment: string,
    target: { host: string; project: string },
    root: string,
    opts: StateLoadOptions = {},
  ): StateStore {
    const file = join(stateDir, `${environment}.json`);
    const journalPath = join(stateDir, `${environment}.journal`);
    const display = relative(root, file) || file;
    const exists = existsSync(file);
    const doc = exists ? parseState(readFileSync(file, 'utf8'), display) : emptyState(environment, target);
    if (exists && (doc.project !== target.project || !sameInstance(doc.host, target.host))) {
      throw new ConfigError(
        `${display} belongs to project ${doc.project} at ${doc.host}, but environment "${environment}" now points at project ${target.project} at ${target.host}. ` +
          'Its ids mean nothing there: use the matching -e, or move the state file away to start this environment afresh.',
      );
    }
    const journal = new Journal(journalPath, relative(root, journalPath) || journalPath);
    const store = new StateStore(file, journal, doc, opts.journal !== false, opts.flushEvery ?? DEFAULT_FLUSH);
    for (const entry of journal.read()) store.apply(entry, false);
    return store;
  }

  /**
   * The state of every environment that has one, each as its file is, whichever project it
   * names: hogsync mv renames a key everywhere, offline, environments that hogsync.yaml no
   * longer lists included. A journal without a state file (a first run killed before it
   * wrote one) is refused: its ids would be lost to the rename. `except` leaves one
   * environment out (the one a command loads for itself).
   */
  static loadAll(stateDir: string, root: string, opts: StateLoadOptions & { except?: string } = {}): StateStore[] {
    let names: string[];
    try {
      names = readdirSync(stateDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const stores: StateStore[] = [];
    for (const name of names.sort()) {
      const environment = name.replace(/\.(json|journal)$/, '');
      if (environment === name || environment === opts.except || (name.endsWith('.journal') && names.includes(`${environment}.json`)))
        continue;
      const file = join(stateDir, name);
      const display = relative(root, file) || file;
      if (name.endsWith('.journal')) {
        throw new ConfigError(
          `${display} holds what an interrupted run of environment "${environment}" did, and there is no state file beside it yet: run that command again (-e ${environment}) to finish it first.`,
        );
      }
      const doc = parseState(readFileSync(file, 'utf8'), display);
      stores.push(StateStore.load(stateDir, environment, doc, root, opts));
    }
    return stores;
  }

  /** Another environment's state as its file (and journal) hold it, to read only; undefined when it has none. */
  static peek(stateDir: string, environment: string, root: string): StateStore | undefined {
    const file = join(stateDir, `${environment}.json`);
    if (!existsSync(file)) return undefined;
    const doc = parseState(readFileSync(file, 'utf8'), relative(root, file) || file);
    return StateStore.load(stateDir, environment, doc, root, { journal: false });
  }

  get environment(): string {
    return this.doc.environment;
  }

  /**
   * Claims the environment for this run: two pulls or pushes on one state file would
   * interleave their journals. A lock left by a process that died is taken over, by one
   * run only when several start together (store/run-lock.ts). The caller releases it (in a finally).
   */
  lock(): void {
    const path = this.file.replace(/\.json$/, '.lock');
    mkdirSync(dirname(path), { recursive: true });
    const claim = claimLock(path);
    if (!claim.held && claim.pid === 0) {
      throw new ConfigError(
        `The lock ${path} of environment "${this.doc.environment}" was left by runs that died while taking it over: if no hogsync is running, remove it and the .takeover-*.lock files beside it.`,
      );
    }
    if (!claim.held) {
      throw new ConfigError(
        `Another hogsync (pid ${claim.pid}) is pulling or pushing environment "${this.doc.environment}". Wait for it to finish; if it is gone, remove ${path}.`,
      );
    }
    this.unlock = claim.release;
    process.on('exit', this.atExit);
  }

  /** Gives the lock back, if this store holds it. Safe to call more than once. */
  release(): void {
    this.unlock?.();
    this.unlock = undefined;
    process.off('exit', this.atExit);
  }

  /**
   * A process that exits while it holds the lock (a second Ctrl-C ends the run at once) still
   * writes what the journal holds into the state file, and gives the lock back: the next run
   * starts without "another hogsync is running". Synchronous, as 'exit' listeners must be.
   */
  private readonly atExit = (): void => {
    try {
      if (this.journaling) this.flush();
    } catch {
      // The journal stays: the next run replays it.
    }
    this.release();
  };

  get(kind: string, key: string): Binding | undefined {
    return this.doc.resources[refOf(kind, key)];
  }

  /** All bindings of one kind, key → binding (a copy). */
  bindings(kind: string): Map<string, Binding> {
    this.byKind ??= groupByKind(this.doc.resources);
    return new Map(this.byKind.get(kind) ?? []);
  }

  pending(kind: string, key: string): PendingCreate | undefined {
    return this.doc.pending?.[refOf(kind, key)];
  }

  /** Bindings of deleted resources of one kind, key → binding. */
  tombstones(kind: string): Map<string, Binding> {
    return groupByKind(this.doc.tombstones ?? {}).get(kind) ?? new Map();
  }

  /** What this state holds under `kind/key`, in words for a refusal: a binding, a tombstone or an unconfirmed create. */
  holds(kind: string, key: string): string | undefined {
    const bound = this.get(kind, key);
    if (bound) return `the binding of id ${bound.id}`;
    const buried = this.doc.tombstones?.[refOf(kind, key)];
    if (buried) return `the tombstone of deleted id ${buried.id}`;
    if (this.pending(kind, key)) return 'a create that an interrupted push has not confirmed yet';
    return undefined;
  }

  bind(kind: string, key: string, binding: Binding): void {
    this.apply({ op: 'bind', ref: refOf(kind, key), binding }, true);
  }

  unbind(kind: string, key: string): void {
    this.apply({ op: 'unbind', ref: refOf(kind, key) }, true);
  }

  /** The resource was deleted: its binding is kept aside, so bringing its file back undeletes it in place. */
  bury(kind: string, key: string, binding: Binding): void {
    this.apply({ op: 'tombstone', ref: refOf(kind, key), binding }, true);
  }

  /** Recorded before a create is sent, so a crash leaves a trace to check before creating again. */
  markPending(kind: string, key: string, pending: PendingCreate): void {
    this.apply({ op: 'pending', ref: refOf(kind, key), pending }, true);
  }

  /**
   * The resource's key changed (hogsync mv): its binding, its tombstone and an unconfirmed
   * create all follow, so that the next push sees the same resource under the new key.
   */
  rename(kind: string, from: string, to: string): void {
    this.apply({ op: 'rename', ref: refOf(kind, from), to: refOf(kind, to) }, true);
  }

  settle(kind: string, key: string): void {
    if (this.doc.pending?.[refOf(kind, key)]) this.apply({ op: 'settled', ref: refOf(kind, key) }, true);
  }

  /** Writes the JSON file atomically and drops the journal. */
  flush(): void {
    // Unchanged bytes are not rewritten: a pull with nothing new touches no file at all.
    const text = serializeState(this.doc);
    if (!existsSync(this.file) || readFileSync(this.file, 'utf8') !== text) writeFileAtomic(this.file, text, { durable: true });
    if (this.journal.exists()) this.journal.remove();
    this.unflushed = 0;
    this.lastFlush = Date.now();
  }

  private apply(entry: JournalEntry, persist: boolean): void {
    const doc = this.doc;
    this.byKind = undefined;
    switch (entry.op) {
      case 'bind':
        doc.resources[entry.ref] = entry.binding;
        if (doc.tombstones) delete doc.tombstones[entry.ref];
        break;
      case 'unbind':
        delete doc.resources[entry.ref];
        break;
      case 'tombstone':
        delete doc.resources[entry.ref];
        doc.tombstones = { ...doc.tombstones, [entry.ref]: entry.binding };
        break;
      case 'revived':
        if (doc.tombstones) delete doc.tombstones[entry.ref];
        break;
      case 'pending':
        doc.pending = { ...doc.pending, [entry.ref]: entry.pending };
        break;
      case 'settled':
        if (doc.pending) delete doc.pending[entry.ref];
        break;
      case 'rename':
        moveEntry(doc.resources, entry.ref, entry.to);
        moveEntry(doc.tombstones, entry.ref, entry.to);
        moveEntry(doc.pending, entry.ref, entry.to);
        break;
    }
    if (!persist || !this.journaling) return;
    this.journal.append(entry);
    this.unflushed++;
    if (this.unflushed >= this.flushEvery.changes || Date.now() - this.lastFlush >= this.flushEvery.ms) this.flush();
  }
}

function moveEntry<T>(section: Record<string, T> | undefined, from: string, to: string): void {
  if (!section || !(from in section)) return;
  section[to] = section[from] as T;
  delete section[from];
}

function groupByKind(refs: Record<string, Binding>): Map<string, Map<string, Binding>> {
  const out = new Map<string, Map<string, Binding>>();
  for (const [ref, b] of Object.entries(refs)) {
    const slash = ref.indexOf('/');
    const kind = ref.slice(0, slash);
    let m = out.get(kind);
    if (!m) out.set(kind, (m = new Map()));
    m.set(ref.slice(slash + 1), b);
  }
  return out;
}

/**
 * The same PostHog instance: scheme, host, port and path prefix all count. Another port on
 * the same host is another instance (a second self-hosted PostHog), whose ids mean nothing here.
 */
function sameInstance(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const url = new URL(u);
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return u.replace(/\/+$/, '');
    }
  };
  return norm(a) === norm(b);
}

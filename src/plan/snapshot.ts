import { hashJson, type JsonObject } from '../json.js';
import {
  dependencyLevels,
  idTargets,
  localNatural,
  pairingHashes,
  toKeys,
  type KindDef,
  type Link,
  type RemoteId,
} from '../kinds/index.js';
import type { Binding, PendingCreate } from '../model.js';
import { matchIdentities, type MatchReason, type RemoteEntry } from './identity.js';
import { IdentityMap } from './resolver.js';
import type { Redactor } from './redactor.js';
import { compareSpec, convertRemote, secretRefs, SecretValues, type SecretRefs } from './secrets.js';
import type { VarSources } from './vars.js';

/** A resource file, as the plan sees it. */
export interface LocalResource {
  key: string;
  /** Path for messages. */
  file: string;
  /** `spec:` as written in the file. */
  fileSpec: JsonObject;
  /** Canonical spec in comparison form (vars resolved, secrets as {secret: true}). */
  spec: JsonObject;
  hash: string;
  /** What pairs it with a remote resource by content (kinds/references.ts pairingHash, wholeHash). */
  pairing: string;
  whole: string;
  natural?: string | undefined;
  /**
   * Kinds of managed resources the file names by id where `spec` names them by key: pull
   * rewrites the file (files written before those kinds were managed name them by id).
   */
  byId?: KindDef[];
  /** Names resources by id whose keys come later in the read (see SnapshotBuilder). */
  late?: boolean;
  pending?: PendingCreate | undefined;
  missingVars: string[];
  literalSecrets: string[];
  /** Secret inputs the file sets from variables (see plan/secrets.ts secretRefs). */
  secretRefs: SecretRefs;
  /** This environment's `overrides:` entry, and the spec before it (what the shared file holds). */
  override?: { patch: JsonObject; shared: JsonObject };
}

/** One key of one kind, with whatever exists of it on each side. */
export interface Entry {
  kind: KindDef;
  key: string;
  local?: LocalResource;
  remote?: RemoteEntry;
  binding?: Binding;
  /** The binding of a resource this environment saw deleted, when the key has no live binding. */
  tombstone?: Binding;
  match?: MatchReason;
  warnings: string[];
  /** Send the file's `${VAR}` secrets even when nothing else changed (--rotate-secrets). */
  rotateSecrets?: boolean;
}

export interface Snapshot {
  entries: Entry[];
  /** Remote resources with no key in this run, per kind. */
  unmanaged: Array<{ kind: KindDef; remote: RemoteEntry }>;
  identities: IdentityMap;
  /** Secret values PostHog returned in clear this run (never written anywhere). */
  vault: SecretValues;
  /** When the reading of the live project began (ms since the epoch): the oldest PostHog's copies in `entries` can be. */
  readAt: number;
}

export interface SnapshotInput {
  /** Kinds to plan for. */
  kinds: readonly KindDef[];
  /** Every kind whose remote listing is given (the planned kinds plus what they reference). */
  fetched: readonly KindDef[];
  remote: Map<string, JsonObject[]>;
  local: Array<{ kind: KindDef; key: string; file: string; spec: JsonObject; shared?: JsonObject; override?: JsonObject }>;
  bindings: (kind: string) => Map<string, Binding>;
  /** Bindings of resources deleted since they were synced (restored in place when their file comes back). */
  tombstones?: (kind: string) => Map<string, Binding>;
  pending: (kind: string, key: string) => PendingCreate | undefined;
  vars: VarSources;
  adopt: boolean;
  /** Pull: give remote resources without a key a fresh one. */
  assignNew: boolean;
  /** push --rotate-secrets: every secret a file sets from a variable is sent again. */
  rotateSecrets?: boolean;
  /** Told every secret value this run meets, so that output can hide them. */
  redactor?: Redactor;
  /** Unbound keys `refs:` pairs with an id of this project (IdentityInput.mapped). */
  mapped?: (kind: string) => ReadonlyMap<string, { id: RemoteId; via: string }>;
}

/** The input of a snapshot without the remote listing, which may arrive page by page. */
export type BuilderInput = Omit<SnapshotInput, 'remote'>;

/**
 * Puts files, state and the remote listing side by side, kind by kind in dependency
 * order, so that references (an insight's variables) are written by key on both sides.
 * Remote pages can be added as they arrive: rows are converted at once unless they name
 * resources of a kind they depend on that is not finished yet, and those wait only for it,
 * so that the conversion work overlaps the network instead of following it.
 *
 * References to kinds that are not finished yet (a dashboard's tiles name insights, which
 * come after dashboards; cohorts name cohorts) are written by key where the state binds the
 * id, and the rest once every kind is finished (`snapshot()`). Until then such an entry is
 * `late`, and pairs with files by a hash that leaves those references out.
 */
export class SnapshotBuilder {
  readonly identities = new IdentityMap();
  readonly vault: SecretValues;
  private readonly order: KindDef[];
  private readonly planned: Set<string>;
  /** Kinds whose lists this run reads. */
  private readonly read: Set<string>;
  /** Converted rows per kind, in the order they came; a row still waiting (`held`) keeps its place empty. */
  private readonly remotes = new Map<string, Array<RemoteEntry | undefined>>();
  private readonly held = new Map<
    string,
    Array<{ raw: JsonObject; spec: JsonObject; links: readonly Link[]; slot: number; waits: string[] }>
  >();
  /** How many kinds were finished when `release` last looked at a kind's waiting rows. */
  private readonly releasedAt = new Map<string, number>();
  private readonly seen = new Map<string, Set<string>>();
  private readonly finished = new Set<string>();
  private readonly entries = new Map<string, Entry[]>();
  private readonly unmanaged: Snapshot['unmanaged'] = [];
  private readonly boundSecrets = new Map<string, Map<string, Binding['secrets']>>();

  constructor(private readonly input: BuilderInput) {
    this.vault = new SecretValues(input.redactor);
    this.order = dependencyLevels(input.fetched).flat();
    this.planned = new Set(input.kinds.map((k) => k.kind));
    this.read = new Set(this.order.map((k) => k.kind));
    // A bound id keeps its key whatever the read finds, so references to kinds not finished yet can use it now.
    for (const kind of this.order) {
      const bindings = input.bindings(kind.kind);
      for (const [key, b] of bindings) this.identities.bind(kind.kind, key, b.id);
      for (const [key, m] of input.mapped?.(kind.kind) ?? [])
        if (!bindings.has(key) && this.identities.keyOf(kind.kind, m.id) === undefined) this.identities.bind(kind.kind, key, m.id);
    }
  }

  /** Whether every kind `kind` depends on is finished, so that it can be finished once its list is in. */
  ready(kind: KindDef): boolean {
    return kind.dependsOn.every((d) => !this.waitsOn(d));
  }

  /** Whether references to `kind` cannot be written by key yet: it is read in this run and not finished. */
  private waitsOn(kind: string): boolean {
    return !this.finished.has(kind) && this.read.has(kind);
  }

  isFinished(kind: KindDef): boolean {
    return this.finished.has(kind.kind);
  }

  /**
   * Converts a page of remote objects to canonical specs; returns the entries it added. A row
   * that names resources of a kind it depends on that is not finished yet (an insight on a
   * dashboard) waits in the builder until `release` converts it; the others are converted now,
   * so that most of a list is done while the lists it depends on are still on their way.
   */
  addRemote(kind: KindDef, raws: JsonObject[]): RemoteEntry[] {
    const list = this.remotes.get(kind.kind) ?? [];
    const seen = this.seen.get(kind.kind) ?? new Set<string>();
    this.remotes.set(kind.kind, list);
    this.seen.set(kind.kind, seen);
    const held = this.held.get(kind.kind) ?? [];
    this.held.set(kind.kind, held);
    const added: RemoteEntry[] = [];
    for (const raw of raws) {
      const id = kind.remoteId(raw);
      // A page that shifted while the list changed can repeat a row.
      if (seen.has(String(id))) continue;
      seen.add(String(id));
      this.identities.remember(kind.kind, id, raw);
      if (kind.unmanagedReason?.(raw) !== undefined) {
        if (this.planned.has(kind.kind)) this.unmanaged.push({ kind, remote: this.unmanagedEntry(kind, raw) });
        continue;
      }
      const spec = kind.toSpec(raw);
      const links = kind.links(spec);
      // Its place in the list is kept, so that identities are decided on rows in the order they came.
      const slot = list.push(undefined) - 1;
      const waits = [...idTargets(links)].filter((k) => kind.dependsOn.includes(k) && this.waitsOn(k));
      if (waits.length > 0) held.push({ raw, spec, links, slot, waits });
      else added.push((list[slot] = this.convert(kind, raw, spec, links)));
    }
    return added;
  }

  /** Converts the rows of `kind` that waited for kinds finished since; returns the entries it added. */
  release(kind: KindDef): RemoteEntry[] {
    const held = this.held.get(kind.kind) ?? [];
    if (held.length === 0 || this.releasedAt.get(kind.kind) === this.finished.size) return [];
    this.releasedAt.set(kind.kind, this.finished.size);
    const list = this.remotes.get(kind.kind) ?? [];
    const added: RemoteEntry[] = [];
    const still = held.filter((h) => {
      if (h.waits.some((k) => this.waitsOn(k))) return true;
      added.push((list[h.slot] = this.convert(kind, h.raw, h.spec, h.links)));
      return false;
    });
    this.held.set(kind.kind, still);
    return added;
  }

  private convert(kind: KindDef, raw: JsonObject, toSpec: JsonObject, links: readonly Link[]): RemoteEntry {
    const id = kind.remoteId(raw);
    const converted = convertRemote(kind, raw, this.identities, {
      spec: { spec: toSpec, links },
      bound: this.secretsOf(kind).get(String(id)),
      vault: this.vault,
    });
    const { spec } = converted;
    const hash = hashJson(spec);
    const late = converted.unresolved.some((u) => !this.finished.has(u.kind.kind));
    return { id, raw, spec, hash, ...pairingHashes(kind, spec, hash), natural: kind.naturalKey(spec, raw), ...(late ? { late } : {}) };
  }

  /** All pages of `kind` are in: decide identities and build its entries. */
  finish(kind: KindDef): void {
    if (!this.ready(kind) || (this.held.get(kind.kind)?.length ?? 0) > 0)
      throw new Error(`${kind.kind} finished before the kinds it references`);
    const { input } = this;
    const remotes = (this.remotes.get(kind.kind) ?? []).filter((r): r is RemoteEntry => r !== undefined);
    const tombstones = input.tombstones?.(kind.kind) ?? new Map<string, Binding>();
    // A deleted resource that is back in the list (undeleted in the UI) is bound again.
    const listed = new Set(remotes.map((r) => String(r.id)));
    const bindings = input.bindings(kind.kind);
    for (const [key, t] of tombstones) if (!bindings.has(key) && listed.has(String(t.id))) bindings.set(key, t);
    const locals = this.keyedLocals(kind);
    const mapped = input.mapped?.(kind.kind);
    // Only the kinds planned get new keys: another kind's unbound resources are named by id, as by a pull of only some kinds.
    const ids = matchIdentities({
      kind,
      remotes,
      locals,
      bindings,
      adopt: input.adopt,
      assignNew: input.assignNew && this.planned.has(kind.kind),
      ...(mapped ? { mapped } : {}),
    });
    const remoteById = new Map(remotes.map((r) => [String(r.id), r]));
    for (const [key, m] of ids.matches) {
      const remote = remoteById.get(String(m.id));
      this.identities.bind(kind.kind, key, m.id, remote?.raw, remote?.natural);
    }
    // Keys that exist only as a binding still resolve, so a deleted variable is reported by name.
    for (const [key, b] of bindings) if (this.identities.idOf(kind.kind, key) === undefined) this.identities.bind(kind.kind, key, b.id);
    // A `refs:` pairing seeded before the read that the read did not confirm names nothing.
    for (const key of mapped?.keys() ?? []) if (!ids.matches.has(key) && !bindings.has(key)) this.identities.unbind(kind.kind, key);
    this.finished.add(kind.kind);
    if (!this.planned.has(kind.kind)) return;

    const entries: Entry[] = [];
    const keys = new Set<string>([...locals.map((l) => l.key), ...bindings.keys(), ...ids.matches.keys()]);
    const localByKey = new Map(locals.map((l) => [l.key, l]));
    for (const key of [...keys].sort()) {
      const m = ids.matches.get(key);
      const entry: Entry = { kind, key, warnings: ids.warnings.get(key) ?? [], ...(input.rotateSecrets ? { rotateSecrets: true } : {}) };
      const local = localByKey.get(key);
      if (local) entry.local = local;
      const binding = bindings.get(key);
      if (binding) entry.binding = binding;
      else if (tombstones.has(key)) entry.tombstone = tombstones.get(key) as Binding;
      if (m) {
        entry.match = m.reason;
        const remote = remoteById.get(String(m.id));
        if (remote) entry.remote = remote;
      }
      entries.push(entry);
    }
    this.entries.set(kind.kind, entries);
    for (const r of remotes) if (!ids.keyOf.has(String(r.id))) this.unmanaged.push({ kind, remote: r });
  }

  /** Every kind finished: the snapshot, its copies of PostHog's resources as old as `readAt` (when their listing began). */
  snapshot(readAt: number): Snapshot {
    const entries = this.order.flatMap((k) => this.entries.get(k.kind) ?? []);
    // Every kind is finished: references that waited for later kinds get their keys.
    for (const e of entries) {
      if (e.remote?.late) e.remote = this.rekeyed(e.kind, e.remote);
      if (e.local?.late) e.local = this.rekeyed(e.kind, e.local);
    }
    return { entries, unmanaged: this.unmanaged, identities: this.identities, vault: this.vault, readAt };
  }

  /** A spec with the ids it still holds written as keys where they now have one (its serialised text and field hashes, if any, go with the old spec). */
  private rekeyed<T extends { spec: JsonObject; hash: string; late?: boolean; text?: string; fields?: object }>(kind: KindDef, side: T): T {
    const keyed = toKeys(kind, side.spec, this.identities);
    const { late: _late, ...rest } = side;
    if (keyed.spec === side.spec) return rest as T;
    const { text: _text, fields: _fields, ...stale } = rest;
    const spec = kind.normalize(keyed.spec);
    return { ...stale, spec, hash: hashJson(spec) } as T;
  }

  /**
   * The files of a kind with ids of managed resources written as keys, now that the kinds they
   * depend on are finished: a file that still names a dashboard by id compares equal to PostHog's
   * copy naming it by key (pull rewrites the file, see LocalResource.byId).
   */
  private keyedLocals(kind: KindDef): LocalResource[] {
    const locals = this.localsOf(kind).map((l) => {
      const keyed = toKeys(kind, l.spec, this.identities);
      const late = keyed.unresolved.some((u) => !this.finished.has(u.kind.kind));
      if (keyed.spec === l.spec) return late ? { ...l, late } : l;
      const spec = kind.normalize(keyed.spec);
      const hash = hashJson(spec);
      const byId = [...new Set(keyed.written.map((w) => w.kind))];
      return { ...l, spec, hash, ...pairingHashes(kind, spec, hash), byId, ...(late ? { late } : {}) };
    });
    this.localCache.set(kind.kind, locals);
    return locals;
  }

  /** A resource hogsync leaves alone (kind.unmanagedReason), as `unmanaged` lists show it. */
  private unmanagedEntry(kind: KindDef, raw: JsonObject): RemoteEntry {
    const spec = kind.normalize(kind.toSpec(raw));
    const hash = hashJson(spec);
    return { id: kind.remoteId(raw), raw, spec, hash, pairing: hash, whole: hash };
  }

  private secretsOf(kind: KindDef): Map<string, SecretRefs | undefined> {
    let map = this.boundSecrets.get(kind.kind);
    if (!map) {
      map = new Map();
      for (const b of this.input.bindings(kind.kind).values()) if (b.secrets) map.set(String(b.id), b.secrets);
      this.boundSecrets.set(kind.kind, map);
    }
    return map;
  }

  private readonly localCache = new Map<string, LocalResource[]>();

  /** Local files of a kind in comparison form; computed once (early, with prepareLocals). */
  localsOf(kind: KindDef): LocalResource[] {
    const cached = this.localCache.get(kind.kind);
    if (cached) return cached;
    const locals = this.input.local.filter((l) => l.kind === kind).map((l) => this.toLocal(kind, l));
    this.localCache.set(kind.kind, locals);
    return locals;
  }

  /** localsOf, a slice at a time, giving the event loop back in between. */
  async prepareLocals(kind: KindDef, slice = 500): Promise<void> {
    if (this.localCache.has(kind.kind)) return;
    const files = this.input.local.filter((l) => l.kind === kind);
    const locals: LocalResource[] = [];
    for (let i = 0; i < files.length; i += slice) {
      for (const l of files.slice(i, i + slice)) locals.push(this.toLocal(kind, l));
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!this.localCache.has(kind.kind)) this.localCache.set(kind.kind, locals);
  }

  private toLocal(kind: KindDef, l: SnapshotInput['local'][number]): LocalResource {
    const resolved = compareSpec(kind, l.spec, this.input.vars);
    // As comparisonHash.
    const hash = hashJson(resolved.spec);
    return {
      key: l.key,
      file: l.file,
      fileSpec: l.spec,
      spec: resolved.spec,
      hash,
      ...pairingHashes(kind, resolved.spec, hash),
      natural: localNatural(kind, l.key, resolved.spec),
      pending: this.input.pending(kind.kind, l.key),
      missingVars: resolved.missing,
      literalSecrets: resolved.literalSecrets,
      secretRefs: secretRefs(kind, l.spec),
      ...(l.override && l.shared ? { override: { patch: l.override, shared: l.shared } } : {}),
    };
  }
}

/**
 * A file's hash in comparison form (its spec in this environment's terms, variables resolved):
 * LocalResource.hash before references to ids are written as keys, and what the state's
 * binding records of the file side at a sync (plan/binding.ts localBase).
 */
export function comparisonHash(kind: KindDef, spec: JsonObject, vars: VarSources): string {
  return hashJson(compareSpec(kind, spec, vars).spec);
}

/** A snapshot from a complete listing (copy's source, tests), read at `readAt`. */
export function buildSnapshot(input: SnapshotInput, readAt = Date.now()): Snapshot {
  const builder = new SnapshotBuilder(input);
  for (const level of dependencyLevels(input.fetched)) {
    for (const kind of level) {
      builder.addRemote(kind, input.remote.get(kind.kind) ?? []);
      builder.finish(kind);
    }
  }
  return builder.snapshot(readAt);
}

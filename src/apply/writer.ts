import { AmbiguousWriteError, HogsyncError, IncompleteCreateError, notFoundInPostHog, NotSentError } from '../errors.js';
import { canonicalJson, hashJson, isObject, type JsonObject } from '../json.js';
import { listOptionsOf, localNatural, pairingHash, type KindDef, type RemoteId } from '../kinds/index.js';
import type { PendingCreate } from '../model.js';
import type { PostHogClient } from '../posthog/client.js';
import { NEVER, sleepUnless } from '../posthog/halt.js';
import { bindingOf } from '../plan/binding.js';
import { findCreated } from '../plan/identity.js';
import type { IdentityMap } from '../plan/resolver.js';
import { remoteSpec, type SecretRefs, type SecretValues } from '../plan/secrets.js';
import type { StateStore } from '../store/state.js';

/** How many times a create is sent in all, when earlier sends left nothing behind. */
const CREATE_ATTEMPTS = 3;

export interface WriteResult {
  id: RemoteId;
  raw: JsonObject;
  /** Top-level fields PostHog stored differently from the file (filled in, normalised or ignored). */
  differs: string[];
  /** The create's answer was lost but the resource was found and bound. */
  recovered?: boolean;
  /** Top-level fields an update did not send that PostHog's answer holds otherwise than when this run read it. */
  concurrent?: string[];
}

/** PostHog's copy of a resource as this run read it, and the fields an update of it sends. */
export interface ReadBefore {
  spec: JsonObject;
  sent: string[];
  /** Fields PostHog changed that the write keeps (a merge), as `spec` holds them before that change. */
  kept?: string[];
}

export interface WriterOptions {
  /**
   * How long after a create was sent PostHog may still commit it (its answer was lost, or
   * came after our timeout): the resource is looked for that long before it is sent again.
   */
  settleMs: number;
  /** Per kind, natural keys that several files of this run share: a lookup then needs the content too. */
  ambiguousNaturals: ReadonlyMap<string, ReadonlySet<string>>;
  /** Aborted when the run stops (the client's halt): waiting for a lost create stops (its pending record stays for the next run). */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
}

/** A create that had to be sent more than once: checked for a late duplicate at the end. */
interface Resent {
  kind: KindDef;
  key: string;
  sent: PendingCreate;
}

/**
 * The writes of one environment: each success is recorded in the state journal at once,
 * so an interrupted push resumes where it stopped. A create is never sent twice blindly:
 * its intent is recorded first, and after an ambiguous failure (reset, timeout, 5xx, an
 * answer without an id) the resource is looked for, by natural key and content, for as
 * long as PostHog could still commit it, before anything is sent again.
 */
export class Writer {
  private listings = new Map<string, { at: number; items: Promise<JsonObject[]> }>();
  private readonly resent: Resent[] = [];
  /** The file's spec of each write, to tell what PostHog stored differently. */
  private readonly sentSpecs = new Map<string, { spec: JsonObject; unsent: string[] }>();
  private readonly sleep: ((ms: number) => Promise<void>) | undefined;

  constructor(
    private readonly client: PostHogClient,
    private readonly state: StateStore,
    private readonly identities: IdentityMap,
    private readonly vault: SecretValues,
    private readonly opts: WriterOptions,
  ) {
    this.sleep = opts.sleep;
  }

  /**
   * `spec` is the file's spec in comparison form: its hash is recorded as the file side's base,
   * unless `partial` (its deferred fields are still to be sent, see completeDeferred): then the
   * binding does not call the file in sync, and a run stopped in between sends the rest next time.
   */
  async create(kind: KindDef, key: string, spec: JsonObject, body: JsonObject, secrets: SecretRefs, partial = false): Promise<WriteResult> {
    const hash = hashJson(spec);
    const local = partial ? undefined : hash;
    this.expect(kind, key, spec, partial);
    const natural = localNatural(kind, key, spec);
    const sent: PendingCreate = { ...optional('natural', natural), hash: pairingHash(kind, spec, hash), since: new Date().toISOString() };
    const staged = natural === undefined ? undefined : kind.createAs?.(body, natural);
    this.state.markPending(kind.kind, key, sent);
    const made = await this.send(kind, key, sent, staged?.create ?? body);
    const result = await this.finishCreate(kind, key, made.raw, staged?.afterwards, secrets, local);
    return made.recovered ? { ...result, recovered: true } : result;
  }

  /** Sends a create until PostHog has made it once: its answer, or what a lookup found after an ambiguous failure. */
  private async send(kind: KindDef, key: string, sent: PendingCreate, body: JsonObject): Promise<{ raw: JsonObject; recovered: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const sentAt = Date.now();
      try {
        const raw = await this.client.request<JsonObject>({
          method: 'POST',
          path: kind.apiPath,
          body,
          bucket: kind.rateBucket,
          expect: 'created',
        });
        // A create succeeded only if its answer names what was created.
        if (!isObject(raw) || kind.remoteId(raw) === undefined || kind.remoteId(raw) === null) {
          throw new AmbiguousWriteError('POST', kind.apiPath, 'the answer did not name the created resource (no id)', false);
        }
        if (attempt > 1) this.resent.push({ kind, key, sent });
        return { raw, recovered: false };
      } catch (error) {
        if (!(error instanceof AmbiguousWriteError)) {
          this.state.settle(kind.kind, key);
          throw error;
        }
        // Stopping: no look-up (the client sends nothing more); the pending record lets the next run look.
        if (this.opts.signal?.aborted) throw error;
        const found = await this.awaitCreated(kind, sent, error.mayCommitLater ? sentAt + this.opts.settleMs : Date.now()).catch(
          (lookupError: unknown) => {
            // The run stopped during the look-up: what stays unknown is whether the create happened.
            throw lookupError instanceof NotSentError ? error : lookupError;
          },
        );
        if (found) return { raw: found, recovered: true };
        // Interrupted: the pending record (not settled) lets the next run look again before creating.
        if (attempt >= CREATE_ATTEMPTS || this.opts.signal?.aborted) throw error;
      }
    }
  }

  /**
   * Binds what a create made; where the kind had it created under other values first (so
   * PostHog derives the right natural key), the update that gives the file's values follows.
   * Should that update fail, the binding records PostHog's copy apart from the file, so the
   * next push sends the update again.
   */
  private async finishCreate(
    kind: KindDef,
    key: string,
    raw: JsonObject,
    then: JsonObject | undefined,
    secrets: SecretRefs,
    local: string | undefined,
  ): Promise<WriteResult> {
    if (!then) return this.bound(kind, key, raw, secrets, local);
    const id = kind.remoteId(raw);
    try {
      return this.bound(kind, key, await this.patch(kind, id, then), secrets, local);
    } catch (error) {
      this.bound(kind, key, raw, secrets, undefined);
      throw error instanceof HogsyncError ? new IncompleteCreateError(id, Object.keys(then), error) : error;
    }
  }

  /** `local`: the file's hash, or undefined while deferred fields are still to be sent (see create). */
  async update(
    kind: KindDef,
    key: string,
    id: RemoteId,
    body: JsonObject,
    secrets: SecretRefs,
    local: string | undefined,
    spec?: JsonObject,
    before?: ReadBefore,
  ): Promise<WriteResult> {
    if (spec) this.expect(kind, key, spec, local === undefined);
    return this.bound(kind, key, await this.patch(kind, id, body), secrets, local, before);
  }

  /** The hash of PostHog's copy now, in comparison form (to tell whether it changed since the read). */
  async reread(kind: KindDef, id: RemoteId, secrets: SecretRefs): Promise<string> {
    const raw = await this.client.request<JsonObject>({
      path: `${kind.apiPath}${encodeURIComponent(String(id))}/`,
      query: kind.retrieveQuery,
      bucket: kind.rateBucket,
      expect: 'object',
    });
    return hashJson(remoteSpec(kind, raw, this.identities, { bound: secrets, vault: this.vault }));
  }

  /**
   * The second request of a kind with deferred fields (a dashboard's tiles): once the resources
   * they name exist, the resource is read as PostHog holds it now (other writes of this run have
   * changed it: an insight put on a dashboard makes a tile there), and what still differs is sent.
   * `spec` has its references resolved to ids; `local` is the file's spec in comparison form.
   */
  async completeDeferred(
    kind: KindDef,
    key: string,
    id: RemoteId,
    spec: JsonObject,
    local: JsonObject,
    secrets: SecretRefs,
  ): Promise<WriteResult & { sent: boolean }> {
    const current = await this.client.request<JsonObject>({
      path: `${kind.apiPath}${encodeURIComponent(String(id))}/`,
      query: kind.retrieveQuery,
      bucket: kind.rateBucket,
      expect: 'object',
    });
    const body = kind.deferred?.body(spec, current);
    const raw = body ? await this.patch(kind, id, body) : current;
    this.expect(kind, key, local, false);
    return { ...this.bound(kind, key, raw, secrets, hashJson(local)), sent: body !== undefined };
  }

  /** What a write is expected to leave in PostHog (to tell what PostHog stored differently): all but deferred fields when `partial`. */
  private expect(kind: KindDef, key: string, spec: JsonObject, partial: boolean): void {
    const fields = partial ? (kind.deferred?.fields ?? []) : [];
    this.sentSpecs.set(`${kind.kind}/${key}`, { spec, unsent: fields });
  }

  /** An update whose answer must be the resource updated. */
  private async patch(kind: KindDef, id: RemoteId, body: JsonObject): Promise<JsonObject> {
    const raw = await this.client.request<JsonObject>({
      method: 'PATCH',
      path: `${kind.apiPath}${encodeURIComponent(String(id))}/`,
      body,
      bucket: kind.rateBucket,
      expect: 'object',
    });
    if (!isObject(raw) || String(kind.remoteId(raw)) !== String(id)) {
      throw new AmbiguousWriteError('PATCH', `${kind.apiPath}${id}/`, 'the answer was not the updated resource');
    }
    return raw;
  }

  /** Binds without writing (adopt of an identical resource, or a base refresh); `local` is the file's hash. */
  bind(
    kind: KindDef,
    key: string,
    raw: JsonObject,
    secrets: SecretRefs,
    local: string | undefined,
    localSpec?: JsonObject,
    before?: ReadBefore,
  ): WriteResult {
    return this.bound(kind, key, raw, secrets, local, before?.kept?.length ? before : undefined, localSpec);
  }

  /**
   * Brings back a deleted resource. Where PostHog keeps deleted ones (soft delete) it is
   * undeleted in place, `PATCH {deleted: false}` with the file's spec, so its id, short_id and
   * every link to it survive. Where PostHog deletes for good it is looked for first: an alert
   * hidden with its insight comes back when the insight does, and is updated in place. Otherwise
   * (or when PostHog no longer has it) it is created anew. `partial` as for create.
   */
  async restore(
    kind: KindDef,
    key: string,
    id: RemoteId,
    spec: JsonObject,
    update: JsonObject,
    create: JsonObject,
    secrets: SecretRefs,
    partial = false,
  ): Promise<WriteResult & { inPlace: boolean }> {
    const local = partial ? undefined : hashJson(spec);
    this.expect(kind, key, spec, partial);
    try {
      if (kind.deleteStyle === 'soft')
        return { ...this.bound(kind, key, await this.patch(kind, id, { ...update, deleted: false }), secrets, local), inPlace: true };
      const path = `${kind.apiPath}${encodeURIComponent(String(id))}/`;
      await this.client.request<JsonObject>({ path, query: kind.retrieveQuery, bucket: kind.rateBucket, expect: 'object' });
      return { ...this.bound(kind, key, await this.patch(kind, id, update), secrets, local), inPlace: true };
    } catch (error) {
      this.sentSpecs.delete(`${kind.kind}/${key}`);
      if (!notFoundInPostHog(error)) throw error;
    }
    return { ...(await this.create(kind, key, spec, create, secrets, partial)), inPlace: false };
  }

  /** Deletes, and keeps the binding as a tombstone: a file brought back later undeletes it in place. */
  async delete(kind: KindDef, key: string, id: RemoteId): Promise<void> {
    await this.remove(kind, id);
    const binding = this.state.get(kind.kind, key);
    this.identities.unbind(kind.kind, key);
    if (binding) this.state.bury(kind.kind, key, binding);
    else this.state.unbind(kind.kind, key);
  }

  /**
   * The creates that had to be sent again are checked once more at the end: should PostHog
   * have committed an earlier send after all, the extra resource is deleted, so a run never
   * leaves a duplicate it made. Returns what was removed, for the report.
   */
  async removeLateDuplicates(): Promise<Array<{ kind: string; key: string; id: RemoteId }>> {
    const removed: Array<{ kind: string; key: string; id: RemoteId }> = [];
    const started = Date.now();
    for (const { kind, key, sent } of this.resent) {
      const ours = this.identities.idOf(kind.kind, key);
      const items = await this.listing(kind, started);
      for (const raw of items) {
        const id = kind.remoteId(raw);
        if (String(id) === String(ours) || this.identities.keyOf(kind.kind, id) !== undefined) continue;
        const spec = remoteSpec(kind, raw, this.identities, { vault: this.vault });
        if (pairingHash(kind, spec, hashJson(spec)) !== sent.hash || kind.naturalKey(spec, raw) !== sent.natural) continue;
        await this.remove(kind, id);
        removed.push({ kind: kind.kind, key, id });
      }
    }
    return removed;
  }

  private async remove(kind: KindDef, id: RemoteId): Promise<void> {
    const path = `${kind.apiPath}${encodeURIComponent(String(id))}/`;
    try {
      if (kind.deleteStyle === 'soft')
        await this.client.request({ method: 'PATCH', path, body: { deleted: true }, bucket: kind.rateBucket });
      else await this.client.request({ method: 'DELETE', path, bucket: kind.rateBucket });
    } catch (error) {
      // Already gone (a retried delete, or someone else deleted it): the goal is reached.
      if (!notFoundInPostHog(error)) throw error;
    }
  }

  /**
   * Records the remote answer: identity for later references, binding and base in state,
   * and which variables set the secrets it now stores.
   */
  private bound(
    kind: KindDef,
    key: string,
    raw: JsonObject,
    secrets: SecretRefs,
    local: string | undefined,
    before?: ReadBefore,
    localSpec?: JsonObject,
  ): WriteResult {
    const id = kind.remoteId(raw);
    const spec = remoteSpec(kind, raw, this.identities, { bound: secrets, vault: this.vault });
    // What changed in PostHog between this run's read and its write (a UI edit) and was not ours,
    // and what PostHog changed that this write keeps (a merge): the base keeps the value the file
    // has, so the next diff shows it as drift and pull brings it into the file, instead of hiding it.
    const kept = before?.kept ?? [];
    const concurrent = before ? differingFields(before.spec, spec).filter((f) => !before.sent.includes(f) && !kept.includes(f)) : [];
    const base: JsonObject = { ...spec };
    for (const f of [...concurrent, ...kept]) {
      const read = before?.spec[f];
      if (read === undefined) delete base[f];
      else base[f] = read;
    }
    const sent = this.sentSpecs.get(`${kind.kind}/${key}`);
    this.sentSpecs.delete(`${kind.kind}/${key}`);
    const file = localSpec ?? sent?.spec;
    this.identities.bind(kind.kind, key, id, raw, kind.naturalKey(spec, raw));
    this.state.bind(kind.kind, key, bindingOf(kind, raw, hashJson(base), secrets, local, { base, ...(file ? { local: file } : {}) }));
    this.state.settle(kind.kind, key);
    const differs = sent
      ? differingFields(sent.spec, spec).filter((f) => !sent.unsent.includes(f) && !concurrent.includes(f) && !kept.includes(f))
      : [];
    return { id, raw, differs, ...(concurrent.length > 0 ? { concurrent } : {}) };
  }

  /** Looks for what an ambiguous create made, with growing pauses, until `deadline` (once at least). */
  private async awaitCreated(kind: KindDef, sent: PendingCreate, deadline: number): Promise<JsonObject | undefined> {
    for (let pause = 250; ; pause = Math.min(pause * 2, 5_000)) {
      const found = await this.lookup(kind, sent, Date.now());
      if (found || Date.now() >= deadline || this.opts.signal?.aborted) return found;
      await sleepUnless(Math.min(pause, Math.max(0, deadline - Date.now())), this.opts.signal ?? NEVER, this.sleep);
    }
  }

  /**
   * Finds the resource an ambiguous create may have made, among resources no key is
   * bound to. Concurrent lookups of one kind share a listing taken after their failure.
   */
  private async lookup(kind: KindDef, sent: PendingCreate, after: number): Promise<JsonObject | undefined> {
    const items = await this.listing(kind, after);
    const candidates = items
      .filter((raw) => this.identities.keyOf(kind.kind, kind.remoteId(raw)) === undefined)
      .map((raw) => {
        const spec = remoteSpec(kind, raw, this.identities, { vault: this.vault });
        return { raw, id: kind.remoteId(raw), natural: kind.naturalKey(spec, raw), pairing: pairingHash(kind, spec, hashJson(spec)) };
      });
    return findCreated(candidates, sent, this.opts.ambiguousNaturals.get(kind.kind) ?? new Set())?.raw;
  }

  private listing(kind: KindDef, after: number): Promise<JsonObject[]> {
    const cached = this.listings.get(kind.kind);
    if (cached && cached.at >= after) return cached.items;
    const at = Date.now();
    const items = this.client.listAll<JsonObject>(kind.apiPath, listOptionsOf(kind));
    this.listings.set(kind.kind, { at, items });
    items.catch(() => this.listings.delete(kind.kind));
    return items;
  }
}

/** Top-level fields whose values differ between two specs. */
function differingFields(a: JsonObject, b: JsonObject): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((f) => canonicalJson(a[f] ?? null) !== canonicalJson(b[f] ?? null))
    .sort();
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

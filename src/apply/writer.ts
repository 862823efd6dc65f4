import { AmbiguousWriteError, PostHogApiError } from '../errors.js';
import { hashJson, type JsonObject } from '../json.js';
import type { KindDef, RemoteId } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import { bindingOf } from '../plan/binding.js';
import { findCreated } from '../plan/identity.js';
import { remoteSpec, type SecretRefs, type SecretValues } from '../plan/secrets.js';
import type { IdentityMap } from '../plan/resolver.js';
import type { StateStore } from '../store/state.js';

/** How many times a create is re-sent after ambiguous failures that left nothing behind. */
const CREATE_ATTEMPTS = 5;

export interface WriteResult {
  id: RemoteId;
  raw: JsonObject;
  /** The create's answer was lost but the resource was found and bound. */
  recovered?: boolean;
}

/**
 * The writes of one environment: each success is recorded in the state journal at once,
 * so an interrupted push resumes where it stopped. A create is never sent twice blindly:
 * its intent is journaled first, and after an ambiguous failure the resource is looked
 * up by natural key before anything is sent again.
 */
export class Writer {
  private listings = new Map<string, { at: number; items: Promise<JsonObject[]> }>();

  constructor(
    private readonly client: PostHogClient,
    private readonly state: StateStore,
    private readonly identities: IdentityMap,
    private readonly vault: SecretValues,
  ) {}

  async create(kind: KindDef, key: string, spec: JsonObject, body: JsonObject, secrets: SecretRefs): Promise<WriteResult> {
    const sent = { natural: kind.naturalKey(spec), hash: hashJson(spec) };
    this.state.markPending(kind.kind, key, sent);
    for (let attempt = 1; ; attempt++) {
      try {
        const raw = await this.client.request<JsonObject>({ method: 'POST', path: kind.apiPath, body, bucket: kind.rateBucket });
        return this.bound(kind, key, raw, secrets);
      } catch (error) {
        if (!(error instanceof AmbiguousWriteError)) {
          this.state.settle(kind.kind, key);
          throw error;
        }
        const found = await this.lookup(kind, sent, Date.now());
        if (found) return { ...this.bound(kind, key, found, secrets), recovered: true };
        if (attempt >= CREATE_ATTEMPTS) throw error;
      }
    }
  }

  async update(kind: KindDef, key: string, id: RemoteId, body: JsonObject, secrets: SecretRefs): Promise<WriteResult> {
    const raw = await this.client.request<JsonObject>({ method: 'PATCH', path: `${kind.apiPath}${encodeURIComponent(String(id))}/`, body, bucket: kind.rateBucket });
    return this.bound(kind, key, raw, secrets);
  }

  /** Binds without writing (adopt of an identical resource, or a base refresh). */
  bind(kind: KindDef, key: string, raw: JsonObject, secrets: SecretRefs): WriteResult {
    return this.bound(kind, key, raw, secrets);
  }

  async delete(kind: KindDef, key: string, id: RemoteId): Promise<void> {
    const path = `${kind.apiPath}${encodeURIComponent(String(id))}/`;
    try {
      if (kind.deleteStyle === 'soft') await this.client.request({ method: 'PATCH', path, body: { deleted: true }, bucket: kind.rateBucket });
      else await this.client.request({ method: 'DELETE', path, bucket: kind.rateBucket });
    } catch (error) {
      // Already gone (a retried delete, or someone else deleted it): the goal is reached.
      if (!(error instanceof PostHogApiError && error.status === 404)) throw error;
    }
    this.identities.unbind(kind.kind, key);
    this.state.unbind(kind.kind, key);
  }

  /**
   * Records the remote answer: identity for later references, binding and base in state,
   * and which variables set the secrets it now stores.
   */
  private bound(kind: KindDef, key: string, raw: JsonObject, secrets: SecretRefs): WriteResult {
    const id = kind.remoteId(raw);
    const spec = remoteSpec(kind, raw, this.identities, { bound: secrets, vault: this.vault });
    this.identities.bind(kind.kind, key, id, raw, kind.naturalKey(spec, raw));
    this.state.bind(kind.kind, key, bindingOf(kind, raw, hashJson(spec), secrets));
    this.state.settle(kind.kind, key);
    return { id, raw };
  }

  /**
   * Finds the resource an ambiguous create may have made, among resources no key is
   * bound to. Concurrent lookups of one kind share a listing taken after their failure.
   */
  private async lookup(kind: KindDef, sent: { natural?: string | undefined; hash: string }, after: number): Promise<JsonObject | undefined> {
    const items = await this.listing(kind, after);
    const candidates = items
      .filter((raw) => this.identities.keyOf(kind.kind, kind.remoteId(raw)) === undefined)
      .map((raw) => {
        const spec = remoteSpec(kind, raw, this.identities, { vault: this.vault });
        return { raw, natural: kind.naturalKey(spec, raw), hash: hashJson(spec) };
      });
    return findCreated(candidates, sent)?.raw;
  }

  private listing(kind: KindDef, after: number): Promise<JsonObject[]> {
    const cached = this.listings.get(kind.kind);
    if (cached && cached.at >= after) return cached.items;
    const at = Date.now();
    const items = this.client.listAll<JsonObject>(kind.apiPath, { pagination: kind.pagination, query: kind.listQuery, bucket: kind.rateBucket });
    this.listings.set(kind.kind, { at, items });
    items.catch(() => this.listings.delete(kind.kind));
    return items;
  }
}

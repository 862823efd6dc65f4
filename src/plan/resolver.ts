import type { JsonObject } from '../json.js';
import type { RefResolver, RemoteId } from '../kinds/index.js';

/**
 * Key ↔ id maps of one environment, filled kind by kind (dependencies first) as
 * identities are decided, and kept current during a push as resources are created.
 */
export class IdentityMap implements RefResolver {
  private readonly keys = new Map<string, Map<string, string>>();
  private readonly ids = new Map<string, Map<string, RemoteId>>();
  private readonly raws = new Map<string, Map<string, JsonObject>>();
  private readonly naturals = new Map<string, Map<string, string>>();

  bind(kind: string, key: string, id: RemoteId, raw?: JsonObject, natural?: string): void {
    const previous = this.ids.get(kind)?.get(key);
    if (previous !== undefined) this.keys.get(kind)?.delete(String(previous));
    table(this.keys, kind).set(String(id), key);
    table(this.ids, kind).set(key, id);
    if (raw) table(this.raws, kind).set(String(id), raw);
    if (natural !== undefined) table(this.naturals, kind).set(natural, key);
  }

  unbind(kind: string, key: string): void {
    const id = this.ids.get(kind)?.get(key);
    if (id !== undefined) this.keys.get(kind)?.delete(String(id));
    this.ids.get(kind)?.delete(key);
  }

  /** Remembers a remote object that has no key (yet), so references to it can still be read. */
  remember(kind: string, id: RemoteId, raw: JsonObject): void {
    table(this.raws, kind).set(String(id), raw);
  }

  keyOf(kind: string, id: RemoteId): string | undefined {
    return this.keys.get(kind)?.get(String(id));
  }

  idOf(kind: string, key: string): RemoteId | undefined {
    return this.ids.get(kind)?.get(key);
  }

  remote(kind: string, id: RemoteId): JsonObject | undefined {
    return this.raws.get(kind)?.get(String(id));
  }

  keyByNatural(kind: string, natural: string): string | undefined {
    return this.naturals.get(kind)?.get(natural);
  }
}

function table<V>(tables: Map<string, Map<string, V>>, kind: string): Map<string, V> {
  let t = tables.get(kind);
  if (!t) tables.set(kind, (t = new Map()));
  return t;
}

import { deepEqual, hashJson, type JsonObject } from '../json.js';
import type { KindDef, RemoteId } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import type { IdentityMap } from '../plan/resolver.js';
import { remoteSpec, type SecretValues } from '../plan/secrets.js';
import type { StateStore } from '../store/state.js';

export interface ReorderInput {
  kind: KindDef;
  /** Keys in sync after this run's writes, with the position their file asks for. */
  wanted: Array<{ key: string; position: JsonObject[string] }>;
  client: PostHogClient;
  identities: IdentityMap;
  state: StateStore;
  vault: SecretValues;
}

export interface ReorderResult {
  /** Number of resources whose position was sent. */
  moved: number;
}

type Strategy = (input: ReorderInput, orders: Record<string, number>, eligible: Map<string, string>) => Promise<void>;

/**
 * Named ordering strategies; a kind declares one by name (`reorder.style`) and an
 * unknown name is an error, never a silent no-op.
 */
const STRATEGIES: Record<string, Strategy> = {
  // PATCH <collection>/rearrange/ {orders: {id: position}} answers with every function of
  // that type, ordered (posthog-api.md §4.6).
  rearrange: async ({ kind, client, identities, state, vault }, orders, eligible) => {
    const raws = await client.request<JsonObject[]>({
      method: 'PATCH',
      path: `${kind.apiPath}rearrange/`,
      body: { orders },
      bucket: kind.rateBucket,
      expect: 'array',
    });
    for (const raw of Array.isArray(raws) ? raws : []) {
      const key = eligible.get(String(kind.remoteId(raw)));
      if (key === undefined) continue;
      const binding = state.get(kind.kind, key);
      const spec = remoteSpec(kind, raw, identities, { bound: binding?.secrets, vault });
      identities.bind(kind.kind, key, kind.remoteId(raw), raw, kind.naturalKey(spec, raw));
      if (binding) state.bind(kind.kind, key, { ...binding, base: hashJson(spec) });
    }
  },
};

/** Sends, in one call, the positions that differ from PostHog's; rebases the resources it returned. */
export async function applyReorder(input: ReorderInput): Promise<ReorderResult> {
  const { kind, identities } = input;
  if (!kind.reorder) return { moved: 0 };
  const strategy = STRATEGIES[kind.reorder.style];
  if (!strategy) throw new Error(`Kind ${kind.kind} declares unknown reorder style "${kind.reorder.style}"`);
  const field = kind.reorder.field;
  const orders: Record<string, number> = {};
  const eligible = new Map<string, string>();
  for (const { key, position } of input.wanted) {
    const id: RemoteId | undefined = identities.idOf(kind.kind, key);
    if (id === undefined || typeof position !== 'number') continue;
    eligible.set(String(id), key);
    const current = identities.remote(kind.kind, id)?.[field];
    if (!deepEqual(current, position)) orders[String(id)] = position;
  }
  const moved = Object.keys(orders).length;
  if (moved > 0) await strategy(input, orders, eligible);
  return { moved };
}

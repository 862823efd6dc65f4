import { existsSync } from 'node:fs';
import type { Target, Workspace } from '../config/target.js';
import { UsageError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { withDependencies, type KindDef } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import { fetchRemote } from './fetch-remote.js';
import { assignKey } from '../plan/keys.js';
import { IdentityMap } from '../plan/resolver.js';
import { resourcePath, serializeResource } from '../store/resource-files.js';
import { StateStore } from '../store/state.js';

export interface ListedResource {
  id: string | number;
  short_id?: string;
  name: string | null;
  managed: boolean;
  key: string | null;
  file: string | null;
}

export interface ListOptions {
  ws: Workspace;
  target: Target;
  client: PostHogClient;
  kind: KindDef;
}

/** Insight lists are fetched with basic=true: no result cache work on PostHog's side (posthog-api.md §2.1). */
const FAST_LIST: Record<string, Record<string, string>> = { Insight: { basic: 'true' } };

/** Every remote resource of a kind, with whether hogsync manages it (bound in state) and where its file is. */
export async function listRemote(opts: ListOptions): Promise<ListedResource[]> {
  const { kind, ws } = opts;
  const state = StateStore.load(ws.stateDir, opts.target.environment, opts.target, ws.root, { journal: false });
  const keyById = new Map([...state.bindings(kind.kind)].map(([key, b]) => [String(b.id), key]));
  const items = await opts.client.listAll<JsonObject>(kind.apiPath, {
    pagination: kind.pagination,
    query: FAST_LIST[kind.kind] ?? kind.listQuery,
    bucket: kind.rateBucket,
  });
  return items.map((raw) => {
    const id = kind.remoteId(raw);
    const key = keyById.get(String(id)) ?? null;
    const path = key ? resourcePath(ws.dir, kind, key) : null;
    return {
      id,
      ...(typeof raw.short_id === 'string' ? { short_id: raw.short_id } : {}),
      name: typeof raw.name === 'string' ? raw.name : typeof raw.derived_name === 'string' ? raw.derived_name : null,
      managed: key !== null,
      key,
      file: path && existsSync(path) ? path.slice(ws.root.length + 1) : null,
    };
  });
}

/**
 * One remote resource as pull would write it: its key from the state (or the one a pull
 * would give it), references by key. Insights are found by id or short_id.
 */
export async function getRemote(opts: ListOptions & { ref: string }): Promise<{ key: string; text: string }> {
  const { kind, ws } = opts;
  const state = StateStore.load(ws.stateDir, opts.target.environment, opts.target, ws.root, { journal: false });
  const bound = state.bindings(kind.kind).get(opts.ref);
  const lookup = bound ? String(bound.id) : opts.ref;
  const raw = await opts.client
    .request<JsonObject>({ path: `${kind.apiPath}${encodeURIComponent(lookup)}/`, bucket: kind.rateBucket })
    .catch((error: unknown) => {
      if ((error as { status?: number }).status === 404) throw new UsageError(`No ${kind.kind} "${opts.ref}" in ${opts.target.environment}: give its id${kind.kind === 'Insight' ? ', short_id' : ''} or its key.`);
      throw error;
    });
  // References (an insight's variables) are written by key: resolve them like pull does.
  const identities = new IdentityMap();
  const deps = withDependencies([kind]).filter((k) => k !== kind);
  const remote = await fetchRemote(opts.client, deps);
  for (const dep of deps) {
    const keyById = new Map([...state.bindings(dep.kind)].map(([key, b]) => [String(b.id), key]));
    for (const r of remote.get(dep.kind) ?? []) {
      const depId = dep.remoteId(r);
      const spec = dep.toSpec(r, identities);
      identities.bind(dep.kind, keyById.get(String(depId)) ?? dep.keyHint(r), depId, r, dep.naturalKey(spec, r));
    }
  }
  const spec = kind.toSpec(raw, identities);
  const id = String(kind.remoteId(raw));
  const key = [...state.bindings(kind.kind)].find(([, b]) => String(b.id) === id)?.[0] ?? assignKey(kind.keyHint(raw), `${kind.cliName}-${id.slice(0, 8)}`, new Set(state.bindings(kind.kind).keys()));
  return { key, text: serializeResource(kind, key, spec) };
}

import { varSourcesOf } from '../plan/vars.js';
import { existsSync } from 'node:fs';
import type { Target, Workspace } from '../config/target.js';
import { UsageError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { withDependencies, type KindDef } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import { fetchOne, freshKey } from './fetch-one.js';
import type { Redactor } from '../plan/redactor.js';
import { fileKeys, readAllResources, resourcePath, serializeResource } from '../store/resource-files.js';
import { StateStore } from '../store/state.js';

export interface ListedResource {
  id: string | number;
  /** The kind's extra list columns (e.g. short_id), field → value. */
  columns: Record<string, string | null>;
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

/** Every remote resource of a kind, with whether hogsync manages it (bound in state) and where its file is. */
export async function listRemote(opts: ListOptions): Promise<ListedResource[]> {
  const { kind, ws } = opts;
  const state = StateStore.load(ws.stateDir, opts.target.environment, opts.target, ws.root, { journal: false });
  const keyById = new Map([...state.bindings(kind.kind)].map(([key, b]) => [String(b.id), key]));
  const items = await opts.client.listAll<JsonObject>(kind.apiPath, {
    pagination: kind.pagination,
    query: kind.listQuery,
    bucket: kind.rateBucket,
  });
  return items.map((raw) => {
    const id = kind.remoteId(raw);
    const key = keyById.get(String(id)) ?? null;
    const path = key ? resourcePath(ws.dir, kind, key) : null;
    return {
      id,
      columns: Object.fromEntries(
        kind.listColumns.map((c) => [c.field, typeof raw[c.field] === 'string' ? (raw[c.field] as string) : null]),
      ),
      name: kind.displayName(raw),
      managed: key !== null,
      key,
      file: path && existsSync(path) ? path.slice(ws.root.length + 1) : null,
    };
  });
}

/**
 * One remote resource as pull would write it: its key from the state (or the one a pull
 * would give it), references by key. Found by id, key or the kind's lookup fields (an insight's short_id).
 */
export async function getRemote(
  opts: ListOptions & { ref: string; env: NodeJS.ProcessEnv; redactor?: Redactor },
): Promise<{ key: string; text: string }> {
  const { kind, ws } = opts;
  const state = StateStore.load(ws.stateDir, opts.target.environment, opts.target, ws.root, { journal: false });
  const bound = state.bindings(kind.kind).get(opts.ref);
  const deps = withDependencies([kind]).filter((k) => k !== kind);
  const found = await fetchOne({
    client: opts.client,
    kind,
    ref: bound ? String(bound.id) : opts.ref,
    state,
    files: readAllResources(ws.dir, deps, ws.root),
    vars: varSourcesOf(opts.target, opts.env),
    ...(opts.redactor ? { redactor: opts.redactor } : {}),
  });
  if (!found)
    throw new UsageError(
      `No ${kind.kind} "${opts.ref}" in ${opts.target.environment}: give its ${['id', ...kind.lookupFields].join(', ')} or its key.`,
    );
  const id = String(found.id);
  const taken = new Set([...state.bindings(kind.kind).keys(), ...fileKeys(ws, kind)]);
  const key = [...state.bindings(kind.kind)].find(([, b]) => String(b.id) === id)?.[0] ?? freshKey(kind, found.raw, taken);
  return { key, text: serializeResource(kind, key, found.spec) };
}

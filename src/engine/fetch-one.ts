import { notFoundInPostHog } from '../errors.js';
import { hashJson, isObject, type JsonObject } from '../json.js';
import { withDependencies, type KindDef, type RemoteId } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import { assignKey } from '../plan/keys.js';
import type { IdentityMap } from '../plan/resolver.js';
import { remoteSpec, SecretValues } from '../plan/secrets.js';
import type { Redactor } from '../plan/redactor.js';
import { buildSnapshot } from '../plan/snapshot.js';
import type { VarSources } from '../plan/vars.js';
import type { ResourceFile } from '../store/resource-files.js';
import type { StateStore } from '../store/state.js';
import { fetchRemote } from './fetch-remote.js';

export interface FetchOneOptions {
  client: PostHogClient;
  kind: KindDef;
  /** The id, or a value of one of the kind's lookup fields (an insight's short_id). */
  ref: string;
  state: StateStore;
  /** Files of the kinds `kind` references: a referenced resource gets the key pull would give it. */
  files: ResourceFile[];
  vars: VarSources;
  redactor?: Redactor;
}

export interface FetchedOne {
  raw: JsonObject;
  id: RemoteId;
  /** The canonical spec pull would write: references by key, secrets as `{secret: true}`. */
  spec: JsonObject;
  hash: string;
  /** Keys of the referenced kinds, as pull would give them. */
  identities: IdentityMap;
}

/**
 * One remote resource converted exactly as pull converts it: retrieved in the shape lists
 * answer with (KindDef.retrieveQuery), references written by the keys pull would give the
 * resources they name (bound, adopted from a file, or new), secret values left out.
 * Undefined when PostHog has no such resource (404, or soft-deleted).
 */
export async function fetchOne(opts: FetchOneOptions): Promise<FetchedOne | undefined> {
  const { client, kind, state } = opts;
  let raw: JsonObject;
  try {
    raw = await client.request<JsonObject>({
      path: `${kind.apiPath}${encodeURIComponent(opts.ref)}/`,
      query: kind.retrieveQuery,
      bucket: kind.rateBucket,
      expect: 'object',
    });
  } catch (error) {
    if (notFoundInPostHog(error)) return undefined;
    throw error;
  }
  if (!isObject(raw) || raw.deleted === true) return undefined;
  const deps = withDependencies([kind]).filter((k) => k !== kind);
  const remote = await fetchRemote(client, deps);
  const { identities } = buildSnapshot({
    kinds: deps,
    fetched: deps,
    remote,
    local: opts.files.filter((f) => deps.includes(f.kind)).map((f) => ({ kind: f.kind, key: f.key, file: f.display, spec: f.spec })),
    bindings: (k) => state.bindings(k),
    pending: (k, key) => state.pending(k, key),
    vars: opts.vars,
    adopt: false,
    assignNew: true,
    ...(opts.redactor ? { redactor: opts.redactor } : {}),
  });
  const id = kind.remoteId(raw);
  // A bound resource's secrets set from variables show as those `${VAR}`s, as pull writes them.
  const bound = [...state.bindings(kind.kind).values()].find((b) => String(b.id) === String(id))?.secrets;
  const spec = remoteSpec(kind, raw, identities, { bound, vault: new SecretValues(opts.redactor) });
  return { raw, id, spec, hash: hashJson(spec), identities };
}

/** The key pull gives a resource it meets for the first time: its name slugged, `-2`, `-3`… past the `taken` ones. */
export function freshKey(kind: KindDef, raw: JsonObject, taken: Set<string>): string {
  return assignKey(kind.keyHint(raw), kind, kind.remoteId(raw), taken);
}

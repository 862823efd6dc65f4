import type { JsonObject } from '../json.js';
import type { KindDef, RemoteId } from '../kinds/index.js';
import type { Binding, PendingCreate } from '../model.js';
import type { FieldHashes } from './fields.js';
import { assignKey, compareIds, slugify } from './keys.js';

export interface RemoteEntry {
  id: RemoteId;
  raw: JsonObject;
  spec: JsonObject;
  hash: string;
  /** What pairs it with a file: what a create of it made, and its whole content (kinds/references.ts). */
  pairing: string;
  whole: string;
  natural?: string | undefined;
  /** Its spec names resources by id that get their keys later in the read (see SnapshotBuilder). */
  late?: boolean;
  /** The spec already serialised (without the key), when the caller asked for it. */
  text?: string;
  /** The hashes of the spec's fields (plan/fields.ts), when the caller asked for them. */
  fields?: FieldHashes;
}

interface LocalEntry {
  key: string;
  hash: string;
  pairing: string;
  whole: string;
  natural?: string | undefined;
  pending?: PendingCreate | undefined;
}

export type MatchReason =
  /** The state file binds the key to this id. */
  | 'bound'
  /** Unbound, and the remote has the same natural key: bind it instead of creating. */
  | 'adopt'
  /** A create of ours whose answer was lost: the remote is the one we made. */
  | 'pending'
  /** Pull only: a new remote resource given a fresh key. */
  | 'new';

export interface IdentityInput {
  kind: KindDef;
  remotes: RemoteEntry[];
  locals: LocalEntry[];
  bindings: Map<string, Binding>;
  /** `--adopt`: bind by natural key even for kinds that do not adopt by themselves. */
  adopt: boolean;
  /** Pull: give every remaining remote resource a new key. */
  assignNew: boolean;
  /** Key → the id `refs:` maps it to, and where (see engine/environment-view.ts refsPairings). */
  mapped?: ReadonlyMap<string, { id: RemoteId; via: string }>;
}

export interface IdentityResult {
  /** Remote id → key, for every remote resource that has a key in this run. */
  keyOf: Map<string, string>;
  /** Key → remote id and why they belong together. */
  matches: Map<string, { id: RemoteId; reason: MatchReason }>;
  /** Per key: why a remote with the same natural key was not adopted. */
  warnings: Map<string, string[]>;
}

/**
 * Decides which remote resource each key stands for, in this order: the state binding;
 * a create of ours that was interrupted; the natural key (name, code_name) when the
 * kind adopts by itself or --adopt was given, and only when exactly one resource on
 * each side has it; on pull, a fresh key for the rest. Pure and deterministic.
 */
export function matchIdentities(input: IdentityInput): IdentityResult {
  const { kind, remotes, locals, bindings } = input;
  const keyOf = new Map<string, string>();
  const matches = new Map<string, { id: RemoteId; reason: MatchReason }>();
  const warnings = new Map<string, string[]>();
  const byId = new Map(remotes.map((r) => [String(r.id), r]));
  const claimed = new Set<string>();
  const claim = (key: string, id: RemoteId, reason: MatchReason) => {
    keyOf.set(String(id), key);
    matches.set(key, { id, reason });
    claimed.add(String(id));
  };

  for (const [key, binding] of bindings) {
    if (byId.has(String(binding.id)) && !claimed.has(String(binding.id))) claim(key, binding.id, 'bound');
  }

  const unboundLocals = locals.filter((l) => !matches.has(l.key) && !bindings.has(l.key));
  const unclaimed = () => remotes.filter((r) => !claimed.has(String(r.id)));

  // `refs:` written for a kind before hogsync managed it names the resource a file stands for here.
  for (const local of unboundLocals) {
    const mapped = input.mapped?.get(local.key);
    const remote = mapped && !matches.has(local.key) && !claimed.has(String(mapped.id)) ? byId.get(String(mapped.id)) : undefined;
    if (!remote || !mapped) continue;
    claim(local.key, remote.id, 'adopt');
    add(warnings, local.key, `paired with id ${remote.id} through ${mapped.via} in hogsync.yaml`);
  }

  const ambiguous = sharedNaturals(locals);
  for (const local of unboundLocals) {
    if (!local.pending) continue;
    const found = findCreated(unclaimed(), local.pending, ambiguous);
    if (found) claim(local.key, found.id, 'pending');
  }

  // A file and a remote resource with the same content are the same resource, whatever
  // their names: a create whose answer was lost, a pull killed before it recorded the
  // state, a second environment pulled into the same folder. Same-named twins and unnamed
  // resources pair up one to one this way, never by "first match".
  // So is a file whose bound id PostHog does not have (a state from elsewhere): its identical, unbound twin is it.
  const gone = locals.filter((l) => bindings.has(l.key) && !matches.has(l.key));
  pairByContent(
    unclaimed(),
    [...unboundLocals, ...gone].filter((l) => !matches.has(l.key)),
    (x) => x.whole,
    claim,
  );
  // A remote resource without its deferred fields may be a create killed before its second
  // request (a dashboard without its tiles' layouts): the file pairs with it on the rest.
  const unfinished = unclaimed().filter((r) => r.pairing === r.whole);
  pairByContent(
    unfinished,
    unboundLocals.filter((l) => !matches.has(l.key)),
    (x) => x.pairing,
    claim,
  );

  // Where the natural key is unique (a variable's code_name, an action's name), a resource made
  // again under it after its bound one was deleted for good (in the UI) is the same resource.
  const rebound = kind.autoAdopt ? gone.filter((l) => !matches.has(l.key)) : [];
  const remotesByNatural = groupBy(unclaimed(), (r) => r.natural);
  const localsByNatural = groupBy(
    [...unboundLocals, ...rebound].filter((l) => !matches.has(l.key)),
    (l) => l.natural,
  );
  for (const [natural, group] of localsByNatural) {
    const candidates = (remotesByNatural.get(natural) ?? []).filter((r) => !claimed.has(String(r.id)));
    if (candidates.length === 0) continue;
    const ids = candidates.map((c) => String(c.id)).join(', ');
    if (candidates.length > 1 || group.length > 1) {
      for (const l of group)
        add(
          warnings,
          l.key,
          `${candidates.length} remote ${kind.kind} resources and ${group.length} file(s) share the ${kind.naturalKeyName} "${natural}" (ids ${ids}) and differ from each other; none is adopted`,
        );
      continue;
    }
    const [local] = group;
    const [remote] = candidates;
    if (!local || !remote) continue;
    // Content differs (identical ones were paired above): only kinds whose natural key is unique adopt by themselves.
    const willAdopt = kind.autoAdopt || (!input.assignNew && input.adopt);
    if (willAdopt) claim(local.key, remote.id, 'adopt');
    else
      add(
        warnings,
        local.key,
        `a remote ${kind.kind} with the same ${kind.naturalKeyName} already exists (id ${remote.id}); pass --adopt to bind it instead of creating another`,
      );
  }

  if (input.assignNew && bindings.size === 0) {
    // A pull with no state for this kind (lost, or never committed): a file whose key is the
    // one pull gives a resource, unsuffixed, is that resource's file even if it was edited in
    // PostHog since, so it is paired (the edit then shows as a conflict) rather than given a -2 twin.
    const byHint = groupBy(unclaimed(), (r) => slugify(kind.keyHint(r.raw)) || undefined);
    for (const local of unboundLocals) {
      if (matches.has(local.key)) continue;
      const candidates = (byHint.get(local.key) ?? []).filter((r) => !claimed.has(String(r.id)));
      const [remote] = candidates;
      if (remote && candidates.length === 1) claim(local.key, remote.id, 'adopt');
    }
  }

  if (input.assignNew) {
    const taken = new Set<string>([...bindings.keys(), ...locals.map((l) => l.key), ...matches.keys()]);
    const fresh = unclaimed().sort((a, b) => compareIds(a.id, b.id));
    for (const r of fresh) claim(assignKey(kind.keyHint(r.raw), kind, r.id, taken), r.id, 'new');
  }
  return { keyOf, matches, warnings };
}

/** Pairs files and remote resources with the same content one to one, in key and id order. */
function pairByContent(
  remotes: RemoteEntry[],
  locals: LocalEntry[],
  content: (x: { pairing: string; whole: string }) => string,
  claim: (key: string, id: RemoteId, reason: MatchReason) => void,
): void {
  const remotesByHash = groupBy(remotes, content);
  for (const [hash, group] of groupBy(locals, content)) {
    const candidates = [...(remotesByHash.get(hash) ?? [])].sort((a, b) => compareIds(a.id, b.id));
    [...group]
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .forEach((local, i) => {
        const remote = candidates[i];
        if (remote) claim(local.key, remote.id, 'adopt');
      });
  }
}

/**
 * The resource a create of ours made, when its answer was lost, among remote resources no
 * key is bound to: the one with the natural key and the content we sent. The natural key
 * alone decides only when no other file of this run shares it (`ambiguous` holds those
 * that do) and exactly one candidate has it: a same-named twin's resource is never taken.
 */
export function findCreated<R extends { natural?: string | undefined; pairing: string; id: RemoteId }>(
  candidates: R[],
  sent: PendingCreate,
  ambiguous: ReadonlySet<string>,
): R | undefined {
  const byNatural = sent.natural === undefined ? candidates : candidates.filter((r) => r.natural === sent.natural);
  const byHash = byNatural.filter((r) => r.pairing === sent.hash).sort((a, b) => compareIds(a.id, b.id));
  if (byHash.length > 0) return byHash[0];
  if (sent.natural !== undefined && !ambiguous.has(sent.natural) && byNatural.length === 1) return byNatural[0];
  return undefined;
}

/** Natural keys that more than one file shares (same-named insights). */
export function sharedNaturals(locals: Array<{ natural?: string | undefined }>): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const l of locals) {
    if (l.natural === undefined) continue;
    if (seen.has(l.natural)) shared.add(l.natural);
    seen.add(l.natural);
  }
  return shared;
}

function groupBy<T>(items: T[], keyFn: (t: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = keyFn(item);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function add(map: Map<string, string[]>, key: string, message: string): void {
  const list = map.get(key);
  if (list) list.push(message);
  else map.set(key, [message]);
}

import { hashJson, type JsonObject } from '../json.js';
import { dependencyLevels, type KindDef } from '../kinds/index.js';
import type { Binding, PendingCreate } from '../store/state.js';
import { matchIdentities, type LocalEntry, type MatchReason, type RemoteEntry } from './identity.js';
import { IdentityMap } from './resolver.js';
import { desiredSpec, secretRefs, withSecretRefs, type VarSources } from './vars.js';

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
  natural?: string | undefined;
  pending?: PendingCreate | undefined;
  missingVars: string[];
  literalSecrets: string[];
  /** Secret inputs the file sets from variables (see plan/vars.ts secretRefs). */
  secretRefs: Record<string, JsonObject>;
}

/** One key of one kind, with whatever exists of it on each side. */
export interface Entry {
  kind: KindDef;
  key: string;
  local?: LocalResource;
  remote?: RemoteEntry;
  binding?: Binding;
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
}

export interface SnapshotInput {
  /** Kinds to plan for. */
  kinds: readonly KindDef[];
  /** Every kind whose remote listing is given (the planned kinds plus what they reference). */
  fetched: readonly KindDef[];
  remote: Map<string, JsonObject[]>;
  local: Array<{ kind: KindDef; key: string; file: string; spec: JsonObject }>;
  bindings: (kind: string) => Map<string, Binding>;
  pending: (kind: string, key: string) => PendingCreate | undefined;
  vars: VarSources;
  adopt: boolean;
  /** Pull: give remote resources without a key a fresh one. */
  assignNew: boolean;
  /** push --rotate-secrets: every secret a file sets from a variable is sent again. */
  rotateSecrets?: boolean;
}

/**
 * Puts files, state and the remote listing side by side, kind by kind in dependency
 * order, so that references (an insight's variables) are written by key on both sides.
 */
export function buildSnapshot(input: SnapshotInput): Snapshot {
  const identities = new IdentityMap();
  const entries: Entry[] = [];
  const unmanaged: Snapshot['unmanaged'] = [];
  const planned = new Set(input.kinds.map((k) => k.kind));

  for (const level of dependencyLevels(input.fetched)) {
    for (const kind of level) {
      const raws = input.remote.get(kind.kind) ?? [];
      for (const raw of raws) identities.remember(kind.kind, kind.remoteId(raw), raw);
      const bindings = input.bindings(kind.kind);
      const boundSecrets = new Map<string, Binding['secrets']>();
      for (const b of bindings.values()) if (b.secrets) boundSecrets.set(String(b.id), b.secrets);
      const remotes: RemoteEntry[] = raws.map((raw) => {
        const id = kind.remoteId(raw);
        const spec = withSecretRefs(kind, kind.toSpec(raw, identities), boundSecrets.get(String(id)));
        return { id, raw, spec, hash: hashJson(spec), natural: kind.naturalKey(spec, raw) };
      });
      const locals: LocalResource[] = input.local
        .filter((l) => l.kind === kind)
        .map((l) => {
          const resolved = desiredSpec(kind, l.spec, input.vars);
          return {
            key: l.key,
            file: l.file,
            fileSpec: l.spec,
            spec: resolved.spec,
            hash: hashJson(resolved.spec),
            natural: kind.naturalKey(resolved.spec),
            pending: input.pending(kind.kind, l.key),
            missingVars: resolved.missing,
            literalSecrets: resolved.literalSecrets,
            secretRefs: secretRefs(kind, l.spec),
          };
        });
      const localEntries: LocalEntry[] = locals;
      const ids = matchIdentities({ kind, remotes, locals: localEntries, bindings, adopt: input.adopt, assignNew: input.assignNew });
      const remoteById = new Map(remotes.map((r) => [String(r.id), r]));
      for (const [key, m] of ids.matches) {
        const remote = remoteById.get(String(m.id));
        identities.bind(kind.kind, key, m.id, remote?.raw, remote?.natural);
      }
      // Keys that exist only as a binding still resolve, so a deleted variable is reported by name.
      for (const [key, b] of bindings) if (identities.idOf(kind.kind, key) === undefined) identities.bind(kind.kind, key, b.id);
      if (!planned.has(kind.kind)) continue;

      const keys = new Set<string>([...locals.map((l) => l.key), ...bindings.keys(), ...ids.matches.keys()]);
      const localByKey = new Map(locals.map((l) => [l.key, l]));
      for (const key of [...keys].sort()) {
        const m = ids.matches.get(key);
        const entry: Entry = { kind, key, warnings: ids.warnings.get(key) ?? [], ...(input.rotateSecrets ? { rotateSecrets: true } : {}) };
        const local = localByKey.get(key);
        if (local) entry.local = local;
        const binding = bindings.get(key);
        if (binding) entry.binding = binding;
        if (m) {
          entry.match = m.reason;
          const remote = remoteById.get(String(m.id));
          if (remote) entry.remote = remote;
        }
        entries.push(entry);
      }
      for (const r of remotes) if (!ids.keyOf.has(String(r.id))) unmanaged.push({ kind, remote: r });
    }
  }
  return { entries, unmanaged, identities };
}

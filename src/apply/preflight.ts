import { splitPointer, type JsonObject } from '../json.js';
import { KEY_ADVICE } from '../plan/key-guard.js';
import { sendSpec } from '../plan/secrets.js';
import type { Redactor } from '../plan/redactor.js';
import type { Need } from '../plan/diff.js';
import type { Snapshot } from '../plan/snapshot.js';
import type { VarSources } from '../plan/vars.js';
import { andList, keyRefs, type RefResolver } from '../kinds/index.js';
import type { Op } from './ops.js';
import { inDeferred } from './write-order.js';

export interface Prepared {
  op: Op;
  /** Spec to send (vars and secrets resolved); absent for deletes. */
  spec?: JsonObject;
  /** Reason this op cannot be sent; it fails without a request. */
  refusal?: string;
}

export interface Preflight {
  prepared: Prepared[];
  /** Problems that stop the whole push before any write (missing variables and secrets). */
  blocking: string[];
  /** The environment variables a run needs and does not have, with the resources that need them. */
  needs: Need[];
}

/**
 * Everything push can check without writing: every `${VAR}` has a value, none brings a
 * personal API key into a request, no file holds a literal secret, creates have every secret they need, references resolve, and no
 * update tries to change a create-only field. Missing values are all listed at once.
 */
export function preflight(
  ops: Op[],
  vars: VarSources,
  snapshot: Pick<Snapshot, 'identities' | 'vault' | 'entries'>,
  redactor?: Redactor,
): Preflight {
  const refs = snapshot.identities;
  const blocking: string[] = [];
  const missing = new Map<string, Set<string>>();
  const secrets = new Map<string, Set<string>>();
  const files = new Set(snapshot.entries.filter((e) => e.local).map((e) => `${e.kind.kind}/${e.key}`));
  const creating = new Set(
    ops.filter((o) => o.type === 'create' || o.type === 'restore').map((o) => `${o.change.kind.kind}/${o.change.key}`),
  );
  const prepared = ops.map((op): Prepared => {
    const { kind, key, entry } = op.change;
    const local = entry?.local;
    if (op.type === 'delete' || !local) return { op };
    const ref = `${kind.kind}/${key}`;
    const buried = entry?.tombstone ?? entry?.binding;
    // Undeleted in place, a resource keeps the secrets PostHog stores for it.
    const remote =
      entry?.remote && op.type !== 'create'
        ? { id: entry.remote.id, spec: entry.remote.spec }
        : op.type === 'restore' && buried && kind.deleteStyle === 'soft'
          ? { id: buried.id, spec: local.spec }
          : undefined;
    const resolved = sendSpec(kind, key, local.fileSpec, vars, remote, snapshot.vault, redactor);
    for (const name of resolved.missing) (missing.get(name) ?? missing.set(name, new Set()).get(name))?.add(`${ref} (${local.file})`);
    for (const input of resolved.literalSecrets) {
      blocking.push(
        `${local.file}: secret input "${input}" holds a literal value; write value: \${SOME_VAR} and set SOME_VAR in the environment instead`,
      );
    }
    for (const leak of resolved.keyLeaks) blocking.push(`${local.file}: ${leak}; ${KEY_ADVICE}`);
    for (const { slot, variable } of resolved.unresolved) {
      blocking.push(
        `${local.file}: secret input "${slot.name}" has no value in PostHog yet; set ${variable} (or write "value: \${SOME_VAR}" in the file and set SOME_VAR)`,
      );
      (secrets.get(variable) ?? secrets.set(variable, new Set()).get(variable))?.add(ref);
    }
    const refusal = refusalFor(op, refs, creating, files);
    return refusal ? { op, spec: resolved.spec, refusal } : { op, spec: resolved.spec };
  });
  for (const [name, users] of [...missing].sort(([a], [b]) => (a < b ? -1 : 1))) {
    blocking.push(`${name} is not set (used by ${[...users].join(', ')})`);
  }
  const needs = [
    ...[...missing].map(([variable, users]) => ({ variable, secret: false, users: [...users].map((u) => u.replace(/ \(.*\)$/, '')) })),
    ...[...secrets].map(([variable, users]) => ({ variable, secret: true, users: [...users] })),
  ].sort((a, b) => (a.variable < b.variable ? -1 : 1));
  return { prepared, blocking, needs };
}

function refusalFor(op: Op, refs: RefResolver, creating: Set<string>, files: Set<string>): string | undefined {
  const { kind, entry } = op.change;
  const local = entry?.local;
  if (!local) return undefined;
  for (const r of keyRefs(kind, local.spec)) {
    // Deferred fields (a dashboard's tiles) go by a second request, which says what it could not write.
    if (inDeferred(kind, r.path)) continue;
    const ref = `${r.kind}/${r.key}`;
    if (refs.idOf(r.kind, r.key) !== undefined || creating.has(ref)) continue;
    return files.has(ref)
      ? `references ${ref} at ${r.path}, which does not exist in PostHog and is not written by this run (not selected, or refused: see its own line): push it first, or with this one`
      : `references ${ref} at ${r.path}, which has no file and does not exist in PostHog`;
  }
  if (op.type === 'update' || op.type === 'adopt') {
    const changed = new Set((op.change.patch ?? []).map((p) => splitPointer(p.path)[1]).filter((f): f is string => f !== undefined));
    const frozen = kind.createOnly.filter((f) => changed.has(f));
    if (frozen.length > 0) {
      return `${frozen.join(' and ')} cannot change after creation; delete the resource in PostHog and push again, or restore the value`;
    }
    const kept = Object.entries(kind.unclearable ?? {}).filter(
      ([f]) => changed.has(f) && local.spec[f] === undefined && entry?.remote?.spec[f] !== undefined,
    );
    if (kept.length > 0) {
      return `${andList(kept.map(([f]) => f))} cannot be removed through PostHog's API (${kept.map(([, why]) => why).join('; ')}): clear ${kept.length === 1 ? 'it' : 'them'} in PostHog, or put ${kept.length === 1 ? 'it' : 'them'} back in the file`;
    }
  }
  return undefined;
}

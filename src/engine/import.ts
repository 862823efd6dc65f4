import { varSourcesOf } from '../plan/vars.js';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Target, Workspace } from '../config/target.js';
import { UsageError } from '../errors.js';
import { hashJson } from '../json.js';
import { keyRefs, kindByName, readsAsId, withDependencies, type KindDef, type RemoteId } from '../kinds/index.js';
import { bindingOf } from '../plan/binding.js';
import { compareSpec } from '../plan/secrets.js';
import type { Redactor } from '../plan/redactor.js';
import type { PostHogClient } from '../posthog/client.js';
import { KEY_PATTERN, keyProblem, readAllResources, resourcePath, writeResource, type ResourceFile } from '../store/resource-files.js';
import { StateStore } from '../store/state.js';
import { fetchOne, freshKey, type FetchedOne } from './fetch-one.js';

export interface ImportOptions {
  ws: Workspace;
  target: Target;
  client: PostHogClient;
  kind: KindDef;
  /** The id, or a value of one of the kind's lookup fields (an insight's short_id). */
  ref: string;
  /** The key to give it; by default the one pull would give it. */
  key?: string;
  env: NodeJS.ProcessEnv;
  redactor?: Redactor;
}

export interface ImportResult {
  environment: string;
  kind: string;
  key: string;
  id: RemoteId;
  file: string;
  /** False when a file not bound yet already held exactly this resource: only the binding is new. */
  written: boolean;
  /** Managed resources the file refers to, and whether hogsync manages them yet. */
  references: Array<{ kind: string; key: string; id: RemoteId | null; managed: boolean }>;
  notes: string[];
}

/**
 * hogsync import: one existing remote resource gets a file, written exactly as pull would
 * write it, and a binding in the environment's state, so that the next diff shows it in
 * sync and the next push neither creates nor deletes anything. Runs under the lock.
 */
export async function runImport(opts: ImportOptions): Promise<ImportResult> {
  const { ws, target, kind } = opts;
  if (!target.home) {
    // Files hold the home environment's ids and no environment's overrides: a file written from here would hold neither.
    throw new UsageError(
      `import writes a file as pull from the home environment writes it, and ${target.environment} is not home${target.homeName ? ` (${target.homeName} is)` : ''}: import it there with -e ${target.homeName ?? '<home>'}, then push or copy to ${target.environment}.`,
    );
  }
  if (opts.key !== undefined && (!KEY_PATTERN.test(opts.key) || readsAsId(kind, opts.key))) {
    throw new UsageError(keyProblem(kind, opts.key));
  }
  const state = StateStore.load(ws.stateDir, target.environment, target, ws.root);
  state.lock();
  try {
    const others = StateStore.loadAll(ws.stateDir, ws.root, { journal: false, except: target.environment });
    const files = readAllResources(ws.dir, withDependencies([kind]), ws.root);
    const vars = varSourcesOf(target, opts.env);
    const found = await fetchOne({
      client: opts.client,
      kind,
      ref: opts.ref,
      state,
      files,
      vars,
      ...(opts.redactor ? { redactor: opts.redactor } : {}),
    });
    const where = `${kind.cliName} ${opts.ref}`;
    if (!found) {
      throw new UsageError(
        `No ${where} in ${target.environment}: give its ${['id', ...kind.lookupFields].join(' or ')} as "hogsync list ${kind.cliName}" shows it.`,
      );
    }
    const unmanaged = kind.unmanagedReason?.(found.raw);
    if (unmanaged) throw new UsageError(`${where} is ${unmanaged}, which hogsync leaves alone: files hold configuration only.`);
    refuseManaged(state, kind, found, where, (key) => display(ws, resourcePath(ws.dir, kind, key)));
    // A file that holds exactly this resource and is bound to nothing is this resource (pull pairs them by content).
    const twin = files.find(
      (f) => f.kind === kind && !state.get(kind.kind, f.key) && hashJson(compareSpec(kind, f.spec, vars).spec) === found.hash,
    );
    const key = chooseKey(opts, [state, ...others], files, twin, found);
    const path = resourcePath(ws.dir, kind, key);
    const written = twin === undefined;
    if (written) writeResource(ws.dir, kind, key, found.spec);
    state.bind(kind.kind, key, bindingOf(kind, found.raw, found.hash, undefined, undefined, { base: found.spec }));
    state.flush();
    const references = keyRefs(kind, found.spec).map((ref) => {
      const managed = state.get(ref.kind, ref.key) !== undefined || existsSync(resourcePath(ws.dir, kindByName(ref.kind), ref.key));
      return { kind: ref.kind, key: ref.key, id: found.identities.idOf(ref.kind, ref.key) ?? null, managed };
    });
    const notes = references
      .filter((r) => !r.managed)
      .map((r) => {
        const refKind = kindByName(r.kind);
        const how = r.id !== null ? `hogsync import ${refKind.cliName} ${r.id}` : `hogsync import ${refKind.cliName} <id>`;
        return `${display(ws, path)} refers to ${refKind.cliName} "${r.key}", which hogsync does not manage yet: import it too (${how}), or validate reports the reference and a push that changes this file cannot resolve it.`;
      });
    return { environment: target.environment, kind: kind.kind, key, id: found.id, file: display(ws, path), written, references, notes };
  } finally {
    state.release();
  }
}

function refuseManaged(state: StateStore, kind: KindDef, found: FetchedOne, where: string, fileOf: (key: string) => string): void {
  const id = String(found.id);
  const bound = [...state.bindings(kind.kind)].find(([, b]) => String(b.id) === id)?.[0];
  if (bound)
    throw new UsageError(`${where} is already bound to the key "${bound}" (${fileOf(bound)}) in ${state.environment}: nothing to import.`);
  const buried = [...state.tombstones(kind.kind)].find(([, b]) => String(b.id) === id)?.[0];
  if (buried)
    throw new UsageError(
      `${where} is bound to the key "${buried}" of a file deleted through hogsync (${fileOf(buried)}): bring that file back from git to manage it again.`,
    );
}

/** --key when it is free, else the key pull would give it (past the keys of files and of every environment's state). */
function chooseKey(
  opts: ImportOptions,
  states: StateStore[],
  files: ResourceFile[],
  twin: ResourceFile | undefined,
  found: FetchedOne,
): string {
  const { kind, ws } = opts;
  if (opts.key === undefined) {
    if (twin) return twin.key;
    const taken = new Set(files.filter((f) => f.kind === kind).map((f) => f.key));
    for (const s of states) for (const k of [...s.bindings(kind.kind).keys(), ...s.tombstones(kind.kind).keys()]) taken.add(k);
    return freshKey(kind, found.raw, taken);
  }
  const key = opts.key;
  // Where the key is PostHog's natural key (a variable's code_name), it cannot be chosen.
  const natural = kind.naturalOfKey ? kind.naturalKey(found.spec, found.raw) : undefined;
  if (natural !== undefined && kind.naturalOfKey?.(key) !== natural) {
    throw new UsageError(
      `"${key}" cannot be this ${kind.cliName}'s key: its key is its ${kind.naturalKeyName} "${natural}", which SQL insights use; import it without --key.`,
    );
  }
  if (twin && twin.key !== key)
    throw new UsageError(
      `${twin.display} already holds this ${kind.cliName} and is bound to nothing yet: import it as "${twin.key}" (--key ${twin.key}), or remove that file first.`,
    );
  if (!twin && existsSync(resourcePath(ws.dir, kind, key))) {
    throw new UsageError(`${display(ws, resourcePath(ws.dir, kind, key))} already exists, so "${key}" is taken: choose another --key.`);
  }
  for (const s of states) {
    const use = s.holds(kind.kind, key);
    if (use)
      throw new UsageError(`"${key}" is taken: ${display(ws, s.file)} holds ${use} under ${kind.cliName}/${key}; choose another --key.`);
  }
  return key;
}

function display(ws: Workspace, path: string): string {
  return relative(ws.root, path) || path;
}

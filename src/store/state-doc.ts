import { FileError } from '../errors.js';
import { isObject, type Json, type JsonObject } from '../json.js';
import type { Binding, PendingCreate } from '../model.js';
import { checkSchema } from './schemas.js';

const STATE_VERSION = 1;

/** The state file as it is held in memory. */
export interface StateDoc {
  version: number;
  environment: string;
  host: string;
  project: string;
  resources: Record<string, Binding>;
  pending?: Record<string, PendingCreate>;
  tombstones?: Record<string, Binding>;
}

const BINDING_FIELDS = new Set(['id', 'base', 'local', 'secrets', 'awaitsFile', 'behind', 'fields', 'localFields']);

export function emptyState(environment: string, target: { host: string; project: string }): StateDoc {
  return { version: STATE_VERSION, environment, host: target.host, project: target.project, resources: {} };
}

/**
 * Reads a state file, checked against schemas/state.schema.json: a state that is not what
 * hogsync wrote is never treated as empty, since that would recreate every resource.
 */
export function parseState(text: string, display: string): StateDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new FileError(
      display,
      `the state file is not valid JSON (${(error as Error).message}); restore it from git (git checkout -- ${display})`,
    );
  }
  if (!isObject(doc) || typeof doc.version !== 'number') {
    throw new FileError(display, 'this is not a hogsync state file (no "version"); restore it from git or remove it to start over');
  }
  if (doc.version > STATE_VERSION)
    throw new FileError(display, `state version ${doc.version} was written by a newer hogsync; upgrade hogsync`);
  // Version 1 is the only one so far; an upgrade step for older versions goes here.
  const problems = checkSchema('state.schema.json', doc);
  if (problems.length > 0) {
    const [first] = problems;
    throw new FileError(
      display,
      `the state file is damaged at ${first?.pointer || '/'}: ${first?.message}; restore it from git (git checkout -- ${display})`,
    );
  }
  const resources = Object.fromEntries(Object.entries(doc.resources as JsonObject).map(([ref, b]) => [ref, bindingOf(b as JsonObject)]));
  const tombstones = isObject(doc.tombstones)
    ? Object.fromEntries(Object.entries(doc.tombstones).map(([ref, b]) => [ref, bindingOf(b as JsonObject)]))
    : undefined;
  return {
    version: doc.version,
    environment: doc.environment as string,
    host: doc.host as string,
    project: doc.project as string,
    resources,
    ...(isObject(doc.pending) ? { pending: doc.pending as unknown as Record<string, PendingCreate> } : {}),
    ...(tombstones ? { tombstones } : {}),
  };
}

/** A binding as the file holds it: extras flattened beside the id (`short_id`), for people who read it. */
export function bindingOf(raw: JsonObject): Binding {
  const extras: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (!BINDING_FIELDS.has(k) && typeof v === 'string') extras[k] = v;
  return {
    id: raw.id as string | number,
    base: raw.base as string,
    ...(typeof raw.local === 'string' ? { local: raw.local } : {}),
    ...(Object.keys(extras).length > 0 ? { extras } : {}),
    ...(isObject(raw.secrets) && Object.keys(raw.secrets).length > 0 ? { secrets: raw.secrets as Record<string, JsonObject> } : {}),
    ...(raw.awaitsFile === true ? { awaitsFile: true } : {}),
    ...(typeof raw.behind === 'string' ? { behind: raw.behind } : {}),
    ...(isObject(raw.fields) ? { fields: raw.fields as Record<string, string> } : {}),
    ...(isObject(raw.localFields) ? { localFields: raw.localFields as Record<string, string> } : {}),
  };
}

/** A binding as the state file and the journal hold it (the inverse of bindingOf). */
export function bindingJson(b: Binding): JsonObject {
  const out: JsonObject = {
    id: b.id,
    ...sortRecord(b.extras ?? {}),
    base: b.base,
    ...(b.local && b.local !== b.base ? { local: b.local } : {}),
  };
  if (b.secrets && Object.keys(b.secrets).length > 0) out.secrets = sortRecord(b.secrets);
  if (b.awaitsFile) out.awaitsFile = true;
  if (b.behind) out.behind = b.behind;
  if (b.fields) out.fields = sortRecord(b.fields);
  if (b.localFields) out.localFields = sortRecord(b.localFields);
  return out;
}

/** Stable bytes: sorted refs, no timestamps, so an unchanged state never shows in git. */
export function serializeState(doc: StateDoc): string {
  const section = (m: Record<string, Binding> | undefined): JsonObject =>
    Object.fromEntries(
      Object.keys(m ?? {})
        .sort()
        .map((ref) => [ref, bindingJson(m?.[ref] as Binding)]),
    );
  const out: JsonObject = {
    version: STATE_VERSION,
    environment: doc.environment,
    host: doc.host,
    project: doc.project,
    resources: section(doc.resources),
  };
  if (doc.pending && Object.keys(doc.pending).length > 0) out.pending = sortRecord(doc.pending) as unknown as Json;
  if (doc.tombstones && Object.keys(doc.tombstones).length > 0) out.tombstones = section(doc.tombstones);
  return `${JSON.stringify(out, null, 2)}\n`;
}

function sortRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(r)
      .sort()
      .map((k) => [k, r[k] as T]),
  );
}

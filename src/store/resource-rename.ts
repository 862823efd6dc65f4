import { canonicalJson, isObject, pointer, splitPointer, valueAt, type Json, type JsonObject } from '../json.js';
import { quoteKey, resourceText, serializeResource, type ResourceFile } from './resource-files.js';
import { parseYaml } from './yaml.js';
import { replaceScalars, type ScalarEdit } from './yaml-rename.js';

/** Where a spec names a key: a mapping entry named by it, or a string value holding it. */
export interface KeyMention {
  /** JSON Pointer inside the spec (a kind's `references()` path). */
  path: string;
  mapKey: boolean;
}

/**
 * How a spec mentions `key` at `path` (an insight's `query.source.variables.<key>` is a
 * mapping entry); undefined when the path holds neither, or when renaming the entry to `to`
 * would collide with one already there, so the caller cannot rewrite it.
 */
export function mentionAt(spec: JsonObject, path: string, key: string, to: string): KeyMention | undefined {
  const segments = splitPointer(path);
  const parent = valueAt(spec, pointer(segments.slice(0, -1)));
  if (segments[segments.length - 1] === key && isObject(parent) && key in parent) return to in parent ? undefined : { path, mapKey: true };
  if (valueAt(spec, path) === key) return { path, mapKey: false };
  return undefined;
}

/** The spec with every mention of `from` turned into `to`; mapping entries keep their place. */
export function renameMentions(spec: JsonObject, mentions: KeyMention[], to: string): JsonObject {
  const out = structuredClone(spec);
  for (const m of mentions) {
    const segments = splitPointer(m.path);
    const last = segments[segments.length - 1] as string;
    const parentPtr = pointer(segments.slice(0, -1));
    const parent = valueAt(out, parentPtr);
    if (m.mapKey && isObject(parent)) {
      const entries = Object.entries(parent).map(([k, v]): [string, Json] => [k === last ? to : k, v]);
      for (const k of Object.keys(parent)) delete parent[k];
      Object.assign(parent, Object.fromEntries(entries));
    } else if (isObject(parent)) {
      parent[last] = to;
    } else if (Array.isArray(parent)) {
      parent[Number(last)] = to;
    }
  }
  return out;
}

/** A file's new text under key `to`: only the `key:` line changes, comments and the rest keep their bytes. */
export function renamedFileText(file: ResourceFile, to: string): string {
  return editedText(file, to, file.spec, [{ pointer: '/key', text: quoteKey(to) }]);
}

/** A file's new text with the mentions of one key renamed in place (mapping entries keep their comments). */
export function rewrittenMentionsText(file: ResourceFile, mentions: KeyMention[], to: string, spec: JsonObject): string {
  const edits = mentions.map((m) => ({ pointer: `/spec${m.path}`, mapKey: m.mapKey, text: quoteKey(to) }));
  return editedText(file, file.key, spec, edits);
}

/**
 * The scalars rewritten where they stand, checked by reading the result back; when that
 * cannot be done (an alias, a layout the editor does not know), the file is rewritten the
 * way pull rewrites a file, which keeps comments wherever it can.
 */
function editedText(file: ResourceFile, key: string, spec: JsonObject, edits: ScalarEdit[]): string {
  const expected: JsonObject = { ...(file.parsed.value as JsonObject), key, spec };
  const edited = replaceScalars(file.text, edits);
  if (edited !== undefined && readsAs(edited, file.display, expected)) return edited;
  return resourceText(file.kind, key, spec, serializeResource(file.kind, key, spec), file.text);
}

function readsAs(text: string, display: string, expected: JsonObject): boolean {
  try {
    return canonicalJson(parseYaml(text, display).value) === canonicalJson(expected);
  } catch {
    return false;
  }
}

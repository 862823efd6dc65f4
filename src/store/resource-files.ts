import { lstatSync, readdirSync, rmSync, type Dirent } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { FileError, FilesystemError, InvalidFilesError } from '../errors.js';
import { isObject, type JsonObject } from '../json.js';
import type { KindDef } from '../kinds/index.js';
import { removeStaleTempFiles, writeFileAtomic } from './atomic.js';
import { checkNoLinks, irregularKind, irregularProblem, maxFileBytes, readRegularFile, tooBigProblem } from './file-guard.js';
import { displayPath, toFilesystemError } from './fs-errors.js';
import { editYaml } from './yaml-edit.js';
import { parseYaml, stringifyYaml, type ParsedYaml, type StringifyOptions } from './yaml.js';

const API_VERSION = 'hogsync/v1';
export const KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,99}$/;

/** Why `key` cannot be a key of `kind`, in a sentence (it fails KEY_PATTERN, or reads as an id). */
export function keyProblem(kind: KindDef, key: string): string {
  return KEY_PATTERN.test(key)
    ? `"${key}" cannot be a key of ${kind.label}: other files would read it as an id. Use a name with a letter in it, such as ${kind.cliName}-${key}.`
    : `"${key}" cannot be a key: use lower-case letters, digits, "-" and "_", starting with a letter or digit, at most 100 characters.`;
}
const ENVELOPE_FIELDS = ['apiVersion', 'kind', 'key', 'spec'];

/** One resource file as read from disk. */
export interface ResourceFile {
  kind: KindDef;
  key: string;
  /** Absolute path. */
  path: string;
  /** Path relative to the workspace root, for messages. */
  display: string;
  /** `spec:` exactly as written (before ${VAR} substitution and normalisation). */
  spec: JsonObject;
  text: string;
  parsed: ParsedYaml;
}

export function resourcePath(dir: string, kind: KindDef, key: string): string {
  return join(dir, kind.folder, `${key}.yaml`);
}

/**
 * The `<dir>/<folder>/*.yaml` files of a kind, sorted by key, and the entries refused
 * without being opened: symbolic links, folders, FIFOs, sockets, devices (their type comes
 * with the listing). A symbolic link on the way to the folder is refused too.
 */
export function listResourceFiles(
  dir: string,
  kind: KindDef,
  root: string,
  display = (p: string) => relative(root, p) || p,
): { paths: string[]; problems: FileError[] } {
  const folder = join(dir, kind.folder);
  const inside = !relative(root, folder).startsWith('..');
  checkNoLinks(inside ? root : dir, folder, display);
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { paths: [], problems: [] };
    throw toFilesystemError(error, 'read', folder);
  }
  const paths: string[] = [];
  const problems: FileError[] = [];
  for (const entry of entries
    .filter((e) => e.name.endsWith('.yaml') || e.name.endsWith('.yml'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(folder, entry.name);
    // Some file systems do not give the type with the listing: then lstat says.
    const irregular = entry.isFile() ? undefined : (irregularKind(entry) ?? typeOf(path));
    if (irregular) problems.push(new FileError(display(path), irregularProblem(irregular)));
    else paths.push(path);
  }
  return { paths, problems };
}

/** The keys of a kind's files, from their names alone (nothing is read). */
export function fileKeys(ws: { dir: string; root: string }, kind: KindDef): string[] {
  return listResourceFiles(ws.dir, kind, ws.root).paths.map((p) => p.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, ''));
}

function typeOf(path: string): string | undefined {
  try {
    const st = lstatSync(path);
    return st.isFile() ? undefined : (irregularKind(st) ?? 'of an unknown type');
  } catch (error) {
    throw toFilesystemError(error, 'read', path);
  }
}

/**
 * Reads and checks the envelope of one file. Problems are thrown as FileError with
 * file:line:col; the spec's own schema is checked by `hogsync validate`.
 */
export function readResourceFile(path: string, kind: KindDef, root: string, listed = false): ResourceFile {
  const display = relative(root, path) || path;
  return parseResource(readRegularFile(path, display, maxFileBytes(), listed), path, display, kind);
}

/** A resource file's text (from disk, or from a git commit) checked as readResourceFile checks it. */
export function parseResource(text: string, path: string, display: string, kind: KindDef): ResourceFile {
  const parsed = parseYaml(text, display);
  const doc = parsed.value;
  if (!isObject(doc)) throw new FileError(`${display}:1:1`, 'expected a mapping with apiVersion, kind, key and spec');
  for (const field of Object.keys(doc)) {
    if (!ENVELOPE_FIELDS.includes(field))
      throw new FileError(parsed.where(`/${field}`), `unknown field "${field}" (a file has apiVersion, kind, key and spec)`);
  }
  if (doc.apiVersion !== API_VERSION) {
    throw new FileError(
      parsed.where('/apiVersion'),
      `apiVersion must be "${API_VERSION}"${doc.apiVersion === undefined ? ' (missing)' : ''}`,
    );
  }
  if (doc.kind !== kind.kind) {
    throw new FileError(
      parsed.where('/kind'),
      `kind must be "${kind.kind}" for a file in ${kind.folder}/ (found ${JSON.stringify(doc.kind ?? null)})`,
    );
  }
  const fileKey = path.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
  if (typeof doc.key !== 'string') throw new FileError(parsed.where('/key'), `key is missing; it must equal the file name "${fileKey}"`);
  if (doc.key !== fileKey) {
    throw new FileError(parsed.where('/key'), `key "${doc.key}" does not match the file name "${fileKey}"; rename the file or fix the key`);
  }
  if (!KEY_PATTERN.test(doc.key)) {
    throw new FileError(
      parsed.where('/key'),
      `key "${doc.key}" must be lower-case letters, digits, "-" and "_", starting with a letter or digit (at most 100)`,
    );
  }

  if (!isObject(doc.spec)) throw new FileError(parsed.where('/spec'), 'spec must be a mapping of the resource fields');
  return { kind, key: doc.key, path, display, spec: doc.spec, text, parsed };
}

/** Every resource file of the given kinds; all envelope problems are collected before failing. */
export function readAllResources(dir: string, kinds: readonly KindDef[], root: string): ResourceFile[] {
  const reader = new ResourceReader(dir, kinds, root);
  while (reader.step(Infinity));
  return reader.result();
}

/**
 * The same, a slice at a time with the event loop free in between, so that reading ten
 * thousand files does not hold back requests that are already on their way.
 */
export async function readAllResourcesInSlices(dir: string, kinds: readonly KindDef[], root: string, slice = 200): Promise<ResourceFile[]> {
  const reader = new ResourceReader(dir, kinds, root);
  while (reader.step(slice)) await new Promise((resolve) => setImmediate(resolve));
  return reader.result();
}

class ResourceReader {
  private readonly queue: Array<{ kind: KindDef; path: string; display: string }>;
  private readonly maxBytes = maxFileBytes();
  private next = 0;
  private readonly files: ResourceFile[] = [];
  private readonly problems: FileError[] = [];

  constructor(dir: string, kinds: readonly KindDef[], root: string) {
    this.queue = kinds.flatMap((kind) => {
      const listed = listResourceFiles(dir, kind, root);
      this.problems.push(...listed.problems);
      // What readResourceFile would name each file, worked out once a folder (path.relative is costly at 10,000 files).
      const folder = relative(root, join(dir, kind.folder));
      return listed.paths.map((path) => {
        const name = basename(path);
        return { kind, path, display: folder === '' ? name : `${folder}${sep}${name}` };
      });
    });
  }

  /** Reads up to `count` files; whether any are left. */
  step(count: number): boolean {
    for (let n = 0; n < count && this.next < this.queue.length; n++) {
      const item = this.queue[this.next++] as { kind: KindDef; path: string; display: string };
      try {
        this.files.push(parseResource(readRegularFile(item.path, item.display, this.maxBytes, true), item.path, item.display, item.kind));
      } catch (error) {
        if (error instanceof FileError) this.problems.push(error);
        else throw error;
      }
    }
    return this.next < this.queue.length;
  }

  /** All files, or every problem at once. */
  result(): ResourceFile[] {
    if (this.problems.length > 0) throw new InvalidFilesError(this.problems.map((p) => p.message));
    return this.files;
  }
}

/** The canonical text of a resource file. */
export function serializeResource(kind: KindDef, key: string, spec: JsonObject, specText?: string): string {
  // Keys match KEY_PATTERN, and kind names are plain words: neither ever needs quoting.
  return `apiVersion: ${API_VERSION}\nkind: ${kind.kind}\nkey: ${quoteKey(key)}\n${specText ?? serializeSpec(kind, spec)}`;
}

/** A key that YAML would read as a number or boolean (`123`, `1e3`, `true`) is quoted. */
export function quoteKey(key: string): string {
  return /^[a-z_-]*[a-z_][a-z0-9_-]*$/.test(key) && !/^(true|false|null|yes|no|on|off|y|n)$/.test(key) ? key : `"${key}"`;
}

/**
 * The `spec:` part of a file, which does not depend on the key: pull prepares it while
 * pages are still arriving and adds the key line once keys are decided.
 */
export function serializeSpec(kind: KindDef, spec: JsonObject): string {
  return stringifyYaml({ spec }, canonicalOptions(kind, spec));
}

/** How a file of this kind is written: code as literal blocks, keys in the canonical order. */
function canonicalOptions(kind: KindDef, spec: JsonObject): StringifyOptions {
  return {
    blockPaths: new Set(kind.codePaths(spec).map((p) => `/spec${p}`)),
    orderKeys: (pointer, keys) => orderKeys(kind, pointer, keys),
  };
}

// Readable files: identity first in every object, then the rest alphabetically.
const LEADING = ['kind', 'key', 'name', 'type', 'id', 'label'];

function orderKeys(kind: KindDef, pointer: string, keys: string[]): string[] {
  if (pointer === '') return keys;
  const leading = pointer === '/spec' ? kind.fieldOrder : (nestedLeading(kind, pointer) ?? LEADING);
  const first = leading.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !leading.includes(k)).sort();
  return [...first, ...rest];
}

/** The kind's leading keys for the object at `pointer` (KindDef.leadingKeys; `*` stands for any one segment). */
function nestedLeading(kind: KindDef, pointer: string): string[] | undefined {
  if (!kind.leadingKeys) return undefined;
  const at = pointer.split('/').slice(2);
  for (const [pattern, keys] of Object.entries(kind.leadingKeys)) {
    const want = pattern.split('/').slice(1);
    if (want.length === at.length && want.every((seg, i) => seg === '*' || seg === at[i])) return keys;
  }
  return undefined;
}

/** Writes a resource file if its bytes would change. Returns whether it did. */
export function writeResource(dir: string, kind: KindDef, key: string, spec: JsonObject): boolean {
  return writeResources(dir, [{ kind, key, spec }]) === 1;
}

/**
 * Writes many resource files, skipping those whose bytes would not change (`previous` is
 * the current text, when known). A file the user has commented or spaced out is edited in
 * place, so that comments and blank lines survive (resourceText). Returns how many were written.
 */
export function writeResources(
  dir: string,
  items: Array<{ kind: KindDef; key: string; spec: JsonObject; specText?: string; previous?: string }>,
): number {
  let written = 0;
  for (const item of items) {
    const path = resourcePath(dir, item.kind, item.key);
    const canonical = serializeResource(item.kind, item.key, item.spec, item.specText);
    const previous = item.previous ?? readIfExists(path);
    if (previous === canonical) continue;
    const text = previous === undefined ? canonical : resourceText(item.kind, item.key, item.spec, canonical, previous);
    if (text === previous) continue;
    // Synchronous writes measured faster here than parallel ones through libuv's thread pool.
    writeFileAtomic(path, text);
    written++;
  }
  return written;
}

/**
 * The new text of an existing file: canonical when the file holds nothing of the user's
 * (no comment, no blank line, or exactly the canonical form of what it holds), else the
 * previous text with the changed values edited in (canonical if that cannot be done).
 */
export function resourceText(kind: KindDef, key: string, spec: JsonObject, canonical: string, previous: string): string {
  if (!previous.includes('#') && !previous.includes('\n\n')) return canonical;
  let old: JsonObject | undefined;
  try {
    const value = parseYaml(previous, key).value;
    old = isObject(value) && isObject(value.spec) ? value.spec : undefined;
  } catch {
    // Not YAML any more: nothing to keep.
  }
  if (!old || serializeResource(kind, key, old) === previous) return canonical;
  const next: JsonObject = { apiVersion: API_VERSION, kind: kind.kind, key, spec };
  return editYaml(previous, next, canonicalOptions(kind, spec)) ?? canonical;
}

function readIfExists(path: string): string | undefined {
  try {
    return readRegularFile(path, displayPath(path));
  } catch (error) {
    if (error instanceof FilesystemError && error.errno === 'ENOENT') return undefined;
    throw error;
  }
}

export function removeResource(dir: string, kind: KindDef, key: string): boolean {
  const path = resourcePath(dir, kind, key);
  try {
    rmSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw toFilesystemError(error, 'remove', path);
  }
}

/**
 * Prepares the resource folders for a run, before the first request: removes the
 * temporary files of a killed run, and refuses (every problem at once) what would be
 * refused later anyway without reading anything: symbolic links, special files, folders
 * named *.yaml, and files above the size limit. `root` names files relative to the
 * repository and checks the folders above; without it, paths are relative to the working folder.
 */
export function cleanResourceDirs(dir: string, kinds: readonly KindDef[], root?: string): void {
  const problems: FileError[] = [];
  const max = maxFileBytes();
  const display = (p: string) => (root ? relative(root, p) || p : displayPath(p));
  for (const kind of kinds) {
    // Listed first: a folder reached through a link is refused before anything in it is removed.
    const listed = listResourceFiles(dir, kind, root ?? dir, display);
    removeStaleTempFiles(join(dir, kind.folder));
    problems.push(...listed.problems);
    for (const path of listed.paths) {
      let size: number;
      try {
        size = lstatSync(path).size;
      } catch {
        continue; // Reported, if it still matters, when the file is read.
      }
      if (size > max) problems.push(new FileError(display(path), tooBigProblem(size, max)));
    }
  }
  if (problems.length > 0) throw new InvalidFilesError(problems.map((p) => p.message).sort());
}

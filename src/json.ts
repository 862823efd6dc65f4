import { createHash } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON with object keys sorted at every level: the form hashes and equality are taken on. */
export function canonicalJson(value: Json): string {
  // String concatenation beats join and a sorting replacer here; this runs twice per resource.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i] as Json);
    return `${out}]`;
  }
  if (isObject(value)) {
    let out = '{';
    let first = true;
    for (const k of Object.keys(value).sort()) {
      const v = value[k];
      if (v === undefined) continue;
      out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
      first = false;
    }
    return `${out}}`;
  }
  return JSON.stringify(value);
}

export function hashJson(value: Json): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return canonicalJson(a) === canonicalJson(b);
}

/** Escapes one segment of an RFC 6901 JSON Pointer. */
export function pointerSegment(s: string | number): string {
  return String(s).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointer(segments: (string | number)[]): string {
  return segments.map((s) => `/${pointerSegment(s)}`).join('');
}

export function splitPointer(ptr: string): string[] {
  if (ptr === '' || ptr === '/') return [];
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at a JSON Pointer, or undefined. */
export function valueAt(root: Json | undefined, ptr: string): Json | undefined {
  let node = root;
  for (const seg of splitPointer(ptr)) {
    if (Array.isArray(node)) node = node[Number(seg)];
    else if (isObject(node)) node = node[seg];
    else return undefined;
  }
  return node;
}

/** Sets the value at a JSON Pointer whose parent exists. */
export function setValueAt(root: Json, ptr: string, value: Json): void {
  const segs = splitPointer(ptr);
  const last = segs.pop();
  if (last === undefined) return;
  const parent = valueAt(root, segs.length ? pointer(segs) : '');
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else if (isObject(parent)) parent[last] = value;
}

/** Copies `fields` from `raw`, skipping absent ones. */
export function pick(raw: JsonObject, fields: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const f of fields) {
    const v = raw[f];
    if (v !== undefined) out[f] = v;
  }
  return out;
}

/** A copy without `keys`. */
export function omit(obj: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (!keys.includes(k)) out[k] = v;
  return out;
}

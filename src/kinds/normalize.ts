import { deepEqual, isObject, type Json, type JsonObject } from '../json.js';

export { omit, pick } from '../json.js';

/**
 * Removes fields whose value means "not set": null, and the value the server uses
 * when the field is omitted. Null and absent must compare equal, or a pull followed by
 * a diff would show changes.
 */
export function dropDefaults(obj: JsonObject, defaults: Record<string, Json>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue;
    const d = defaults[k];
    if (d !== undefined && isDefault(v, d)) continue;
    out[k] = v;
  }
  return out;
}

function isDefault(v: Json, d: Json): boolean {
  if (d === null || typeof d !== 'object') return v === d;
  // Defaults that are containers are empty ones: checking emptiness avoids serialising every value.
  if (Array.isArray(d) && d.length === 0) return Array.isArray(v) && v.length === 0;
  if (isObject(d) && Object.keys(d).length === 0) return isObject(v) && Object.keys(v).length === 0;
  return deepEqual(v, d);
}

/** Fills absent fields with the value that clears them on the server (for updates). */
export function fillDefaults(obj: JsonObject, defaults: Record<string, Json>): JsonObject {
  const out: JsonObject = { ...obj };
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined) out[k] = v;
  return out;
}

/** Hog/HogQL as the server keeps it: LF line endings, surrounding whitespace trimmed (DRF CharField). */
export function normalizeCode(code: Json | undefined): Json | undefined {
  if (typeof code !== 'string') return code;
  return code.replace(/\r\n?/g, '\n').trim();
}

/** DRF CharField trims leading/trailing whitespace. */
export function trimString(v: Json | undefined): Json | undefined {
  return typeof v === 'string' ? v.trim() : v;
}

/** Trims the text fields a serializer declares as CharFields (in place, on a copy the caller owns). */
export function trimFields(obj: JsonObject, fields: readonly string[]): JsonObject {
  for (const f of fields) {
    const v = trimString(obj[f]);
    if (v !== undefined) obj[f] = v;
  }
  return obj;
}

/** TaggedItemSerializerMixin: tags are stripped, lower-cased and de-duplicated, a set (written sorted). */
export function tagSet(tags: Json): Json {
  return Array.isArray(tags) ? sortedSet(tags.map((t) => (typeof t === 'string' ? t.trim().toLowerCase() : t))) : tags;
}

/** Visits every object in a JSON tree with its JSON Pointer, depth first. */
export function walkObjects(value: Json, visit: (obj: JsonObject, pointer: string) => void, pointer = ''): void {
  // Every query of every file is walked, often twice: pointers are built for objects and arrays only, never for scalars.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v !== null && typeof v === 'object') walkObjects(v, visit, `${pointer}/${i}`);
    }
  } else if (isObject(value)) {
    visit(value, pointer);
    for (const k in value) {
      const v = value[k];
      if (v !== null && typeof v === 'object') walkObjects(v, visit, `${pointer}/${pointerSegment(k)}`);
    }
  }
}

/** RFC 6901's escapes, for the rare key that needs them. */
function pointerSegment(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

/** Returns a copy of a JSON tree with `fn` applied to every object, bottom-up. */
export function mapObjects(value: Json, fn: (obj: JsonObject) => JsonObject): Json {
  if (Array.isArray(value)) return value.map((v) => mapObjects(v, fn));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = mapObjects(v, fn);
  return fn(out);
}

/** Sorted, de-duplicated list for fields PostHog treats as a set. */
export function sortedSet(values: Json[]): Json[] {
  const seen = new Map<string, Json>();
  for (const v of values) seen.set(JSON.stringify(v), v);
  return [...seen.values()].sort((a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  });
}

/** A trimmed string field, or '' when absent or not a string. */
export function text(v: Json | undefined): string {
  return typeof v === 'string' ? v.trim() : '';
}

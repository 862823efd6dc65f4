import { diffArrays } from 'diff';
import { canonicalJson, deepEqual, isObject, pointerSegment, type Json, type JsonObject } from '../../json.js';

/**
 * One difference between two specs, as a reader wants it: a value that changed (old → new),
 * items that joined or left a list of scalars (tags), or code that changed (a line diff).
 * `before`/`after` are absent when the field is absent on that side. Paths are JSON
 * Pointers rooted at /spec.
 */
export type FieldChange =
  | {
      type: 'value';
      path: string;
      before?: Json;
      after?: Json /** A conflict's value at the last sync, where known (`baseKnown`; absent then: no such field). */;
      base?: Json;
      baseKnown?: boolean;
    }
  | { type: 'items'; path: string; removed: Json[]; added: Json[]; absentBefore: boolean; absentAfter: boolean }
  | { type: 'code'; path: string; before?: string; after?: string };

/**
 * The differences between two specs, field by field. Unlike a JSON Patch (which is made to
 * be applied, not read) a list of scalars is compared as items, lists of objects are
 * aligned by content so that one insertion is not shown as every later element changing,
 * and code (`codePaths`, or any multi-line string) is kept whole for a line diff.
 */
export function fieldChanges(before: JsonObject | undefined, after: JsonObject | undefined, codePaths: ReadonlySet<string>): FieldChange[] {
  const out: FieldChange[] = [];
  walk('/spec', before, after, { out, codePaths });
  return out;
}

interface Walk {
  out: FieldChange[];
  codePaths: ReadonlySet<string>;
}

function walk(path: string, a: Json | undefined, b: Json | undefined, w: Walk): void {
  if (deepEqual(a, b)) return;
  if (isCode(path, a, b, w.codePaths)) {
    w.out.push({ type: 'code', path, ...(typeof a === 'string' ? { before: a } : {}), ...(typeof b === 'string' ? { after: b } : {}) });
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...Object.keys(b), ...Object.keys(a).filter((k) => !(k in b))];
    for (const k of keys) walk(`${path}/${pointerSegment(k)}`, a[k], b[k], w);
    return;
  }
  if (isScalarList(a, b)) {
    const removed = without(listOf(a), listOf(b));
    const added = without(listOf(b), listOf(a));
    // Same items in another order: the order is the change.
    if (removed.length > 0 || added.length > 0) {
      w.out.push({ type: 'items', path, removed, added, absentBefore: !Array.isArray(a), absentAfter: !Array.isArray(b) });
      return;
    }
  } else if (Array.isArray(a) && Array.isArray(b)) {
    walkList(path, a, b, w);
    return;
  }
  w.out.push({ type: 'value', path, ...(a !== undefined ? { before: a } : {}), ...(b !== undefined ? { after: b } : {}) });
}

/** Lists of objects (a query's series): elements aligned by content, the changed ones compared field by field. */
function walkList(path: string, a: Json[], b: Json[], w: Walk): void {
  const parts = diffArrays(a.map(canonicalJson), b.map(canonicalJson));
  let i = 0;
  let j = 0;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if (!part) continue;
    if (!part.added && !part.removed) {
      i += part.count;
      j += part.count;
      continue;
    }
    const next = parts[p + 1];
    if (part.removed && next?.added) {
      // A run replaced by a run: pair them up, the rest is removed or added.
      const paired = Math.min(part.count, next.count);
      for (let k = 0; k < paired; k++) walk(`${path}/${j + k}`, a[i + k], b[j + k], w);
      for (let k = paired; k < part.count; k++) w.out.push({ type: 'value', path: `${path}/${i + k}`, before: a[i + k] as Json });
      for (let k = paired; k < next.count; k++) w.out.push({ type: 'value', path: `${path}/${j + k}`, after: b[j + k] as Json });
      i += part.count;
      j += next.count;
      p++;
    } else if (part.removed) {
      for (let k = 0; k < part.count; k++) w.out.push({ type: 'value', path: `${path}/${i + k}`, before: a[i + k] as Json });
      i += part.count;
    } else {
      for (let k = 0; k < part.count; k++) w.out.push({ type: 'value', path: `${path}/${j + k}`, after: b[j + k] as Json });
      j += part.count;
    }
  }
}

function isCode(path: string, a: Json | undefined, b: Json | undefined, codePaths: ReadonlySet<string>): boolean {
  const textOrNone = (v: Json | undefined) => v === undefined || v === null || typeof v === 'string';
  if (!textOrNone(a) || !textOrNone(b)) return false;
  return codePaths.has(path) || isMultiline(a) || isMultiline(b);
}

function isMultiline(v: Json | undefined): v is string {
  return typeof v === 'string' && v.includes('\n');
}

const isScalar = (v: Json | undefined) => v === null || typeof v !== 'object';

/** Both sides lists of scalars, or one of them with nothing on the other side. */
function isScalarList(a: Json | undefined, b: Json | undefined): boolean {
  const ok = (v: Json | undefined) => v === undefined || v === null || (Array.isArray(v) && v.every(isScalar));
  return ok(a) && ok(b) && (Array.isArray(a) || Array.isArray(b));
}

function listOf(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

/** Items of `xs` left after taking out one of each item of `ys` (duplicates count). */
function without(xs: Json[], ys: Json[]): Json[] {
  const pool = new Map<string, number>();
  for (const y of ys) pool.set(canonicalJson(y), (pool.get(canonicalJson(y)) ?? 0) + 1);
  return xs.filter((x) => {
    const n = pool.get(canonicalJson(x)) ?? 0;
    if (n === 0) return true;
    pool.set(canonicalJson(x), n - 1);
    return false;
  });
}

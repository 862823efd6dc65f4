import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { splitPointer } from '../json.js';

/** One scalar to rewrite: the value at `pointer`, or with `mapKey`, the mapping key that names it. */
export interface ScalarEdit {
  /** JSON Pointer into the whole document, e.g. `/key` or `/spec/query/source/variables/country`. */
  pointer: string;
  mapKey?: boolean;
  /** The new scalar as YAML text (quoted by the caller where YAML needs it). */
  text: string;
}

/**
 * Rewrites scalars of a YAML text where they stand: a key line (`key: old`) or the name of a
 * mapping entry (`old: {value: GB}` → `new: {value: GB}`). Every other byte stays, comments
 * and blank lines included. Undefined when a pointer does not lead to a scalar written in the
 * text (an alias, a missing entry) or the text does not parse: the caller writes it another way.
 */
export function replaceScalars(text: string, edits: ScalarEdit[]): string | undefined {
  const doc = parseDocument(text, { uniqueKeys: true, merge: false });
  if (doc.errors.length > 0) return undefined;
  const spans: Array<{ start: number; end: number; text: string }> = [];
  for (const edit of edits) {
    const node = scalarAt(doc.contents, splitPointer(edit.pointer), edit.mapKey === true);
    if (!node?.range) return undefined;
    spans.push({ start: node.range[0], end: node.range[1], text: edit.text });
  }
  spans.sort((a, b) => b.start - a.start);
  let out = text;
  let floor = Infinity;
  for (const s of spans) {
    // Overlapping edits would rewrite each other's text.
    if (s.end > floor) return undefined;
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
    floor = s.start;
  }
  return out;
}

function scalarAt(root: unknown, segments: string[], mapKey: boolean): Node | undefined {
  let node = root;
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = (node.items as Array<Pair<unknown, unknown>>).find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) return undefined;
      if (last && mapKey) return isScalar(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node) && !(last && mapKey)) {
      node = node.items[Number(segment)];
    } else {
      return undefined;
    }
  }
  return isScalar(node) && !mapKey ? node : undefined;
}

import jsyaml from 'js-yaml';
import type { Node, Pair } from 'yaml';
import { FileError } from '../errors.js';
import { isObject, splitPointer, type Json, type JsonObject } from '../json.js';
import { yamlLib } from '../yaml-lib.js';

interface Position {
  line: number;
  col: number;
}

export interface ParsedYaml {
  value: Json;
  /** 1-based position of the node at a JSON Pointer (or of its nearest existing parent); of its key with `atKey`. */
  locate(pointer: string, atKey?: boolean): Position;
  /** `file:line:col` for a JSON Pointer. */
  where(pointer: string, atKey?: boolean): string;
  /** `file:line:col` of a character inside the string at a JSON Pointer (embedded Hog or HogQL). */
  whereIn(pointer: string, offset: number): string;
}

export interface ParseOptions {
  /**
   * `refuse` (resource files): any anchor is an error. PostHog configuration has no use
   * for them, and a few lines of aliases can expand to gigabytes (the billion laughs).
   * `bounded` (hogsync.yaml): allowed while the document, aliases expanded, stays under
   * MAX_EXPANDED_VALUES values.
   */
  anchors?: 'refuse' | 'bounded';
}

const MAX_EXPANDED_VALUES = 100_000;

/**
 * Parses YAML; positions for file:line:col messages are worked out only when asked for.
 * js-yaml reads the value (an order of magnitude faster on large trees, which matters at
 * 10,000 files); the `yaml` library's document model, which keeps every node's position,
 * is built lazily for the few files that have something to report.
 */
export function parseYaml(text: string, file: string, opts: ParseOptions = {}): ParsedYaml {
  const anchors = opts.anchors ?? 'refuse';
  // Every anchor starts with "&": most files have none, and then nothing more is checked.
  const mayHaveAnchors = text.includes('&');
  let value: Json;
  try {
    value = (jsyaml.load(text, {
      schema: jsyaml.CORE_SCHEMA,
      filename: file,
      ...(mayHaveAnchors && anchors === 'refuse' ? { listener: refuseAnchors } : {}),
    }) ?? null) as Json;
  } catch (error) {
    if (error instanceof AnchorFound) {
      const at = positionAt(text, error.offset);
      throw new FileError(
        `${file}:${at.line}:${at.col}`,
        `YAML anchors and aliases (&${error.anchor}) are not allowed in resource files; write the value out in full`,
      );
    }
    const e = error as { mark?: { line: number; column: number }; reason?: string; message?: string };
    const where = e.mark ? `${file}:${e.mark.line + 1}:${e.mark.column + 1}` : file;
    throw new FileError(where, `invalid YAML: ${e.reason ?? firstLine(e.message ?? String(error))}`);
  }
  if (mayHaveAnchors) checkExpansion(value, file, anchors);
  let positions: Positions | undefined;
  const locate = (pointer: string, atKey?: boolean): Position => {
    positions ??= positionsOf(text);
    return positions.node(pointer, atKey);
  };
  return {
    value,
    locate,
    where: (pointer, atKey) => {
      const p = locate(pointer, atKey);
      return `${file}:${p.line}:${p.col}`;
    },
    whereIn: (pointer, offset) => {
      positions ??= positionsOf(text);
      const p = positions.inString(pointer, offset);
      return `${file}:${p.line}:${p.col}`;
    },
  };
}

interface Positions {
  node(pointer: string, atKey?: boolean): Position;
  inString(pointer: string, offset: number): Position;
}

function positionsOf(text: string): Positions {
  const { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar } = yamlLib();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  const find = (pointer: string, atKey?: boolean): Node | null | undefined => {
    let node: Node | null | undefined = doc.contents;
    const segs = splitPointer(pointer);
    for (const [i, seg] of segs.entries()) {
      let next: Node | null | undefined;
      if (isMap(node)) {
        const pair: Pair | undefined = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
        const wantKey = atKey && i === segs.length - 1;
        // A missing value is best reported at its key.
        next = wantKey ? (pair?.key as Node | undefined) : ((pair?.value as Node | null | undefined) ?? (pair?.key as Node | undefined));
      } else if (isSeq(node)) next = node.items[Number(seg)] as Node | undefined;
      if (!next) break;
      node = next;
    }
    return node;
  };
  const at = (offset: number): Position => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
  const lines = text.split('\n');
  return {
    node: (pointer, atKey) => at(find(pointer, atKey)?.range?.[0] ?? 0),
    inString: (pointer, offset) => {
      const node = find(pointer);
      const start = node?.range?.[0] ?? 0;
      if (!isScalar(node) || typeof node.value !== 'string') return at(start);
      const before = node.value.slice(0, offset);
      const line = before.split('\n').length - 1;
      const col = before.length - (before.lastIndexOf('\n') + 1);
      if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
        // Content starts on the line after the `|` header, every line indented alike.
        const header = at(start).line;
        const first = lines.slice(header).find((l) => l.trim() !== '') ?? '';
        const indent = first.length - first.trimStart().length;
        return { line: header + 1 + line, col: indent + col + 1 };
      }
      if (line > 0) return at(start);
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
      return at(start + quoted + col);
    },
  };
}

class AnchorFound extends Error {
  constructor(
    readonly offset: number,
    readonly anchor: string,
  ) {
    super(`anchor &${anchor}`);
  }
}

// js-yaml reports each node as it closes, with the anchor it carries; the first one stops the parse.
function refuseAnchors(event: jsyaml.EventType, state: jsyaml.State): void {
  const anchor = (state as jsyaml.State & { anchor: string | null }).anchor;
  if (event !== 'close' || anchor === null) return;
  const at = state.input.lastIndexOf(`&${anchor}`, state.position);
  throw new AnchorFound(at < 0 ? state.position : at, anchor);
}

/**
 * js-yaml gives an alias the very object of its anchor, so aliases show as shared
 * objects: none may exist in a resource file (a second line of defence behind the
 * listener), and hogsync.yaml's may not expand past MAX_EXPANDED_VALUES values. Sizes are
 * memoised per object, so a bomb is measured in time linear in its text.
 */
function checkExpansion(value: Json, file: string, anchors: 'refuse' | 'bounded'): void {
  const sizes = new Map<object, number>();
  const size = (v: Json): number => {
    if (v === null || typeof v !== 'object') return 1;
    const known = sizes.get(v);
    if (known !== undefined) {
      if (anchors === 'refuse')
        throw new FileError(file, 'YAML anchors and aliases are not allowed in resource files; write the value out in full');
      return known;
    }
    let n = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) n = Math.min(n + size(child), Number.MAX_SAFE_INTEGER);
    sizes.set(v, n);
    return n;
  };
  const total = size(value);
  if (total > MAX_EXPANDED_VALUES) {
    throw new FileError(
      file,
      `its YAML aliases expand to ${total > 1e9 ? 'more than a billion' : total.toLocaleString('en-US')} values (at most ${MAX_EXPANDED_VALUES.toLocaleString('en-US')}); write the values out or share fewer of them`,
    );
  }
}

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

/** A set of JSON Pointers (a Set, or a view of one under another root). */
interface PointerSet {
  has(pointer: string): boolean;
}

export interface StringifyOptions {
  /** JSON Pointers of strings to write as literal block scalars even when they fit on one line. */
  blockPaths?: PointerSet;
  /** Ordering of keys inside one object, given its pointer. Default: as inserted. */
  orderKeys?: (pointer: string, keys: string[]) => string[];
}

/**
 * Canonical YAML: keys in a stable order, multi-line strings (and code) as literal
 * blocks, no line folding, LF line endings and one trailing newline. The same value
 * always gives the same bytes.
 */
export function stringifyYaml(value: JsonObject, opts: StringifyOptions = {}): string {
  const ordered = orderValue(value, '', opts.orderKeys);
  // js-yaml writes six times faster, which a 10,000-file pull feels; the yaml library is
  // kept for what js-yaml cannot do: a literal block for one-line code, and for text with
  // tabs (js-yaml would fall back to one double-quoted line).
  if (!needsDocumentModel(ordered, '', opts.blockPaths)) {
    return jsyaml.dump(ordered, { lineWidth: -1, noRefs: true, quotingType: '"', noCompatMode: true });
  }
  const { Document, isMap, isScalar, isSeq, Scalar } = yamlLib();
  const doc = new Document(ordered);
  const visit = (node: unknown, pointer: string) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key)) visit(pair.value, `${pointer}/${escapeSeg(String(pair.key.value))}`);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, `${pointer}/${i}`));
    } else if (isScalar(node) && typeof node.value === 'string') {
      const s = node.value;
      if (s.includes('\n') || opts.blockPaths?.has(pointer)) {
        // A literal block cannot carry a string that starts with a blank line or has \r; let yaml quote those.
        if (!/\r/.test(s) && !/^\s*\n/.test(s) && s.length > 0) node.type = Scalar.BLOCK_LITERAL;
      }
    }
  };
  visit(doc.contents, '');
  const text = doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true, blockQuote: 'literal' });
  return text.endsWith('\n') ? text : `${text}\n`;
}

function needsDocumentModel(value: Json, pointer: string, blockPaths: PointerSet | undefined): boolean {
  if (typeof value === 'string')
    return value.includes('\t') || (blockPaths?.has(pointer) === true && !value.includes('\n') && value.length > 0);
  if (Array.isArray(value)) return value.some((v, i) => needsDocumentModel(v, `${pointer}/${i}`, blockPaths));
  if (isObject(value)) return Object.entries(value).some(([k, v]) => needsDocumentModel(v, `${pointer}/${escapeSeg(k)}`, blockPaths));
  return false;
}

function escapeSeg(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function orderValue(value: Json, pointer: string, orderKeys: StringifyOptions['orderKeys']): Json {
  if (Array.isArray(value)) return value.map((v, i) => orderValue(v, `${pointer}/${i}`, orderKeys));
  if (!isObject(value)) return value;
  const keys = orderKeys ? orderKeys(pointer, Object.keys(value)) : Object.keys(value);
  const out: JsonObject = {};
  for (const k of keys) {
    const v = value[k];
    if (v !== undefined) out[k] = orderValue(v, `${pointer}/${escapeSeg(k)}`, orderKeys);
  }
  return out;
}

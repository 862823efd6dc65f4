import jsyaml from 'js-yaml';
import type { Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { canonicalJson, deepEqual, isObject, pointerSegment, type Json, type JsonObject } from '../json.js';
import { yamlLib } from '../yaml-lib.js';
import { stringifyYaml, type StringifyOptions } from './yaml.js';

/**
 * Rewrites a YAML file to hold `next` while keeping what the user wrote around the values:
 * comments, blank lines, key order and the style of every value that did not change. The
 * `yaml` library's document gives each node's place in the text; changed scalars are
 * replaced where they stand, changed subtrees are replaced under their key, removed fields
 * go with the comment lines above them, and new fields are inserted where the canonical
 * order puts them. Everything else keeps its bytes. New parts are written by the canonical
 * serialiser, so code stays in literal blocks.
 *
 * Returns undefined when the file cannot be edited in place (aliases, flow style at the
 * root, CRLF, a parse problem) or when the edited text would not read back as exactly
 * `next`: the caller then writes the canonical text.
 */
export function editYaml(previous: string, next: JsonObject, opts: StringifyOptions = {}): string | undefined {
  if (previous.includes('\r')) return undefined;
  const text = previous.endsWith('\n') ? previous : `${previous}\n`;
  const { isMap, parseDocument } = yamlLib();
  const doc = parseDocument(text, { uniqueKeys: true, merge: false });
  if (doc.errors.length > 0 || !isMap(doc.contents) || doc.contents.flow || hasAnchors(doc.contents)) return undefined;
  let old: Json;
  try {
    old = (jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }) ?? null) as Json;
  } catch {
    return undefined;
  }
  const editor = new Editor(text, opts);
  if (!editor.update(doc.contents, old, next, '', 0)) return undefined;
  const edited = editor.apply();
  if (edited === undefined) return undefined;
  try {
    const back = (jsyaml.load(edited, { schema: jsyaml.CORE_SCHEMA }) ?? null) as Json;
    return canonicalJson(back) === canonicalJson(next) ? edited : undefined;
  } catch {
    return undefined;
  }
}

function hasAnchors(node: Node): boolean {
  const { visit } = yamlLib();
  let found = false;
  visit(node, {
    Alias: () => {
      found = true;
      return visit.BREAK;
    },
    Node: (_key, n) => {
      if (n.anchor) {
        found = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A value rendered as it would follow `key:` (or `- `): its rest of line, and the lines below it. */
interface Rendered {
  inline: string;
  below: string[];
}

class Editor {
  private readonly edits: Edit[] = [];
  private readonly yaml = yamlLib();

  constructor(
    private readonly text: string,
    private readonly opts: StringifyOptions,
  ) {}

  /** Queues the edits that turn `node` (holding `old`) into `value`; false when its parent must replace it whole. */
  update(node: unknown, old: Json | undefined, value: Json, ptr: string, floor: number): boolean {
    if (old !== undefined && deepEqual(old, value)) return true;
    const mark = this.edits.length;
    let done = false;
    if (this.yaml.isMap(node) && !node.flow && isObject(old) && isObject(value) && Object.keys(value).length > 0)
      done = this.updateMap(node, old, value, ptr, floor);
    else if (this.yaml.isSeq(node) && !node.flow && Array.isArray(old) && Array.isArray(value) && value.length > 0)
      done = this.updateSeq(node, old, value, ptr, floor);
    // A part that gives up leaves no half-made edits behind: its parent replaces it whole.
    if (!done) this.edits.length = mark;
    return done;
  }

  /** The edited text; undefined if two edits overlap (a case this editor does not cover). */
  apply(): string | undefined {
    const edits = this.edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.start - b.start || a.i - b.i);
    let out = '';
    let cursor = 0;
    for (const e of edits) {
      if (e.start < cursor) return undefined;
      out += this.text.slice(cursor, e.start) + e.text;
      cursor = e.end;
    }
    return out + this.text.slice(cursor);
  }

  private updateMap(map: YAMLMap, old: JsonObject, value: JsonObject, ptr: string, floor: number): boolean {
    const pairs = map.items as Array<Pair<unknown, unknown>>;
    if (pairs.length === 0) return false;
    const spans: Array<{ name: string; pair: Pair<unknown, unknown>; start: number; end: number; clean: boolean }> = [];
    for (const pair of pairs) {
      const key = pair.key;
      if (!this.yaml.isScalar(key) || !key.range || (pair.value !== null && !(pair.value as Node).range)) return false;
      const keyStart = key.range[0];
      const clean = this.onlySpacesBefore(keyStart);
      const below = spans.length > 0 ? (spans[spans.length - 1]?.end ?? floor) : floor;
      const start = clean ? this.withCommentsAbove(this.lineStart(keyStart), below) : keyStart;
      spans.push({ name: String(key.value), pair, start, end: this.endOf((pair.value as Node | null) ?? key), clean });
    }
    const col = this.col((pairs[0]?.key as Scalar | undefined)?.range?.[0] ?? 0);
    const order = this.opts.orderKeys ? this.opts.orderKeys(ptr, Object.keys(value)) : Object.keys(value);
    const present = new Set(spans.map((s) => s.name));

    for (const span of spans) {
      const childPtr = `${ptr}/${pointerSegment(span.name)}`;
      if (!(span.name in value)) {
        if (!span.clean) return false;
        this.edits.push({ start: span.start, end: span.end, text: '' });
        continue;
      }
      const keyEnd = (span.pair.key as Scalar).range?.[1] ?? span.start;
      const newValue = value[span.name] as Json;
      if (!this.update(span.pair.value, old[span.name], newValue, childPtr, this.lineEnd(keyEnd))) {
        if (!this.replacePairValue(span.pair, newValue, childPtr)) return false;
      }
    }
    for (const [i, name] of order.entries()) {
      if (present.has(name)) continue;
      const nextName = order.slice(i + 1).find((n) => present.has(n));
      const next = spans.find((s) => s.name === nextName);
      if (next && !next.clean) return false;
      const at = next ? next.start : (spans[spans.length - 1]?.end ?? this.text.length);
      const lines = this.renderLines({ [name]: value[name] as Json }, `/${pointerSegment(name)}`, `${ptr}/${pointerSegment(name)}`);
      this.edits.push({ start: at, end: at, text: indent(lines, col) });
    }
    return true;
  }

  private updateSeq(seq: YAMLSeq, old: Json[], value: Json[], ptr: string, floor: number): boolean {
    const items = seq.items as Node[];
    if (items.length === 0) return false;
    const spans: Array<{ node: Node; dash: number; start: number; end: number }> = [];
    for (const node of items) {
      if (!node?.range) return false;
      const dash = this.dashBefore(node.range[0]);
      if (dash < 0 || !this.onlySpacesBefore(dash)) return false;
      const below = spans.length > 0 ? (spans[spans.length - 1]?.end ?? floor) : floor;
      spans.push({ node, dash, start: this.withCommentsAbove(this.lineStart(dash), below), end: this.endOf(node) });
    }
    const col = this.col(spans[0]?.dash ?? 0);
    // Unchanged items at both ends keep their comments; the middle is edited pairwise.
    let head = 0;
    while (head < old.length && head < value.length && deepEqual(old[head], value[head])) head++;
    let tail = 0;
    while (tail < old.length - head && tail < value.length - head && deepEqual(old[old.length - 1 - tail], value[value.length - 1 - tail]))
      tail++;
    const oldMid = old.length - head - tail;
    const newMid = value.length - head - tail;
    for (let j = 0; j < Math.min(oldMid, newMid); j++) {
      const i = head + j;
      const span = spans[i] as (typeof spans)[number];
      if (!this.update(span.node, old[i], value[i] as Json, `${ptr}/${i}`, this.lineEnd(span.dash))) {
        if (!this.replaceItem(span, value[i] as Json, `${ptr}/${i}`, col)) return false;
      }
    }
    for (let i = head + newMid; i < head + oldMid; i++) {
      const span = spans[i] as (typeof spans)[number];
      this.edits.push({ start: span.start, end: span.end, text: '' });
    }
    if (newMid > oldMid) {
      const after = spans[head + oldMid];
      const at = after ? after.start : (spans[spans.length - 1]?.end ?? this.text.length);
      let text = '';
      for (let i = head + oldMid; i < head + newMid; i++) text += indent(this.renderItem(value[i] as Json, `${ptr}/${i}`), col);
      this.edits.push({ start: at, end: at, text });
    }
    return true;
  }

  /** Replaces the value of `key: value`, keeping the comment on the key's line where there is one. */
  private replacePairValue(pair: Pair<unknown, unknown>, value: Json, ptr: string): boolean {
    const key = pair.key as Scalar;
    const keyRange = key.range;
    if (!keyRange) return false;
    const colon = this.text.indexOf(':', keyRange[1]);
    if (colon < 0 || this.text.slice(keyRange[1], colon).trim() !== '') return false;
    const after = colon + 1;
    const r = this.render(value, ptr);
    const col = this.col(keyRange[0]);
    const below = indent(r.below, col);
    const node = pair.value as Node | null;
    const range = node?.range;
    if (!node || !range || (this.yaml.isScalar(node) && node.value === null && range[0] === range[1])) {
      // `key:` with nothing after it.
      this.edits.push({ start: after, end: this.lineEnd(after), text: `${r.inline}\n${below}` });
      return true;
    }
    const block = this.yaml.isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
    const sameLine = range[0] < this.lineEnd(after);
    if (block) {
      // The header line may carry a comment: `hog: |- # the handler`.
      const header = this.text.slice(range[0], this.lineEnd(range[0])).replace(/\n$/, '');
      const comment = /^[|>][-+0-9]*(\s+#.*)?$/.exec(header)?.[1] ?? '';
      this.replaceFrom(after, range[0], this.endOf(node), r, comment, below);
      return true;
    }
    if (sameLine) {
      if (r.below.length === 0) {
        this.edits.push({ start: range[0], end: range[1], text: r.inline.trimStart() });
        return true;
      }
      const comment = this.text.slice(range[1], this.lineEnd(range[1])).replace(/\n$/, '');
      this.replaceFrom(after, range[0], this.lineEnd(range[1]), r, comment.trim() ? comment : '', below);
      return true;
    }
    // A block collection below the key: the key line (and its comment) stays when the new value is a block too.
    if (r.inline.trim() === '') this.edits.push({ start: this.lineEnd(after), end: this.endOf(node), text: below });
    else this.edits.push({ start: after, end: this.endOf(node), text: `${r.inline}\n${below}` });
    return true;
  }

  private replaceFrom(after: number, valueStart: number, end: number, r: Rendered, comment: string, below: string): void {
    const head = r.inline.trim();
    if (head === '' && comment === '') this.edits.push({ start: after, end, text: `\n${below}` });
    else this.edits.push({ start: valueStart, end, text: `${head}${comment}\n${below}` });
  }

  /** Replaces one list item: a one-line value in place (keeping a comment after it), anything else whole. */
  private replaceItem(span: { node: Node; dash: number; end: number }, value: Json, ptr: string, col: number): boolean {
    const range = span.node.range;
    if (!range) return false;
    const inline =
      this.yaml.isScalar(span.node) &&
      span.node.type !== 'BLOCK_LITERAL' &&
      span.node.type !== 'BLOCK_FOLDED' &&
      range[0] < this.lineEnd(span.dash);
    const lines = this.renderItem(value, ptr);
    if (inline && lines.length === 1 && lines[0]?.startsWith('- ')) {
      this.edits.push({ start: range[0], end: range[1], text: lines[0].slice(2) });
      return true;
    }
    const [first, ...rest] = lines;
    this.edits.push({ start: span.dash, end: span.end, text: `${first ?? ''}\n${indent(rest, col)}` });
    return true;
  }

  /** A value as it follows `key:`, rendered by the canonical serialiser. */
  private render(value: Json, ptr: string): Rendered {
    const [first = 'x:', ...below] = this.renderLines({ x: value }, '/x', ptr);
    return { inline: first.slice(2), below };
  }

  /** One list item (`- ...` and the lines under it), as the canonical serialiser writes it. */
  private renderItem(value: Json, ptr: string): string[] {
    const [, ...lines] = this.renderLines({ x: [value] }, '/x/0', ptr);
    return lines.map((l) => l.slice(2));
  }

  /** Canonical YAML of `wrapper`, whose part at `from` stands for the part of the file at `to`. */
  private renderLines(wrapper: JsonObject, from: string, to: string): string[] {
    const map = (p: string): string | undefined => (p === from ? to : p.startsWith(`${from}/`) ? to + p.slice(from.length) : undefined);
    const { blockPaths, orderKeys } = this.opts;
    const text = stringifyYaml(wrapper, {
      ...(blockPaths ? { blockPaths: { has: (p: string) => blockPaths.has(map(p) ?? '\u0000') } } : {}),
      ...(orderKeys ? { orderKeys: (p: string, keys: string[]) => (map(p) === undefined ? keys : orderKeys(map(p) as string, keys)) } : {}),
    });
    return text.replace(/\n$/, '').split('\n');
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  private lineEnd(offset: number): number {
    const i = this.text.indexOf('\n', offset);
    return i < 0 ? this.text.length : i + 1;
  }

  private col(offset: number): number {
    return offset - this.lineStart(offset);
  }

  private onlySpacesBefore(offset: number): boolean {
    return /^ *$/.test(this.text.slice(this.lineStart(offset), offset));
  }

  /** Where a node ends, at the start of the line after it (a trailing comment included). */
  private endOf(node: Node | null): number {
    const range = node?.range;
    if (!range) return this.text.length;
    const last = Math.max(range[1], range[2]);
    return last > 0 && this.text[last - 1] === '\n' ? last : this.lineEnd(last);
  }

  /**
   * The comment lines and blank lines directly above a line go with the field on it
   * (never reaching below `floor`): removed with it, and new fields are inserted above them.
   */
  private withCommentsAbove(start: number, floor: number): number {
    let at = start;
    while (at > floor) {
      const prev = this.lineStart(at - 1);
      if (prev < floor || !/^[ \t]*(#.*)?\n$/.test(this.text.slice(prev, at))) break;
      at = prev;
    }
    return at;
  }

  /** The `-` of a list item that starts at `offset`, or -1. */
  private dashBefore(offset: number): number {
    let i = offset - 1;
    while (i >= 0 && this.text[i] === ' ') i--;
    return this.text[i] === '-' ? i : -1;
  }
}

/** Lines indented by `col` spaces (empty lines stay empty), each ending with a newline. */
function indent(lines: string[], col: number): string {
  const pad = ' '.repeat(col);
  return lines.map((l) => (l === '' ? '\n' : `${pad}${l}\n`)).join('');
}

import createHogQLParser, { type HogQLParser } from '@posthog/hogql-parser';

/** An AST node as PostHog's parser returns it (JSON). */
export interface AstNode {
  node: string;
  [key: string]: unknown;
}

export type ParseOutcome = { ok: true; ast: AstNode } | { ok: false; message: string; offset: number; line: number; column: number };

const CACHE_LIMIT = 5000;

let shared: Promise<HogParser> | undefined;

/**
 * PostHog's own Hog/HogQL parser (WASM). A parse costs from a few ms to a few hundred (a fresh
 * instance is slowest), and the same code is parsed again on every save, read-back and test run,
 * so outcomes are memoised by source text. Parsing is a pure function of the text, which is why
 * one instance and its memo are shared by every emulator in the process (tests start dozens).
 */
export class HogParser {
  private cache = new Map<string, ParseOutcome>();

  private constructor(private readonly wasm: HogQLParser) {}

  static shared(): Promise<HogParser> {
    shared ??= createHogQLParser().then((wasm) => new HogParser(wasm));
    return shared;
  }

  /** A full Hog program (hog function code). */
  program(code: string): ParseOutcome {
    return this.cached('p', code, () => this.wasm.parseProgram(code));
  }

  /** A HogQL SELECT (a HogQLQuery's `query`). */
  select(sql: string): ParseOutcome {
    return this.cached('s', sql, () => this.wasm.parseSelect(sql));
  }

  /** A Hog template string as `parse_string_template` reads input values: `Hi {event.event}`. */
  template(text: string): ParseOutcome {
    return this.cached('t', text, () => this.wasm.parseFullTemplateString(`F'${text}`), 2);
  }

  private cached(kind: string, text: string, parse: () => string, offsetShift = 0): ParseOutcome {
    const key = `${kind}\u0000${text}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const outcome = toOutcome(parse(), text, offsetShift);
    if (this.cache.size >= CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, outcome);
    return outcome;
  }
}

function toOutcome(raw: string, text: string, offsetShift: number): ParseOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'Unreadable parser output', offset: 0, line: 1, column: 1 };
  }
  const obj = parsed as { error?: boolean; message?: string; start?: { offset?: number } } & AstNode;
  if (obj.error) {
    // The WASM parser reports line 0 in error positions; derive line/column from the offset.
    const offset = Math.max(0, Math.min(text.length, (obj.start?.offset ?? 0) - offsetShift));
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    return { ok: false, message: obj.message ?? 'Syntax error', offset, line, column };
  }
  return { ok: true, ast: obj };
}

/** Depth-first visit of every AST node (objects with a `node` key). */
export function walkAst(value: unknown, visit: (n: AstNode) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) walkAst(v, visit);
    return;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.node === 'string') visit(obj as AstNode);
    for (const [k, v] of Object.entries(obj)) {
      if (k !== 'start' && k !== 'end') walkAst(v, visit);
    }
  }
}

import type { HogQLParser } from '@posthog/hogql-parser';
import { readableProblem } from './syntax-message.js';

/** A syntax error in embedded code, at a character offset of that code. */
export interface SyntaxProblem {
  message: string;
  offset: number;
}

/** Parse results by kind and source text, for the whole process (a run in-process after another reuses them). */
const seen = new Map<string, SyntaxProblem | null>();
/** Enough for every code string of a large project; past it the memo starts again rather than grow. */
const MAX_SEEN = 20_000;
let loading: Promise<HogQLParser> | undefined;

/**
 * PostHog's own Hog and HogQL parser (WASM), so that validate rejects exactly what PostHog
 * would. A parse can take tens of milliseconds, so results are kept per source text:
 * functions made from one template share their code, and a second run in one process (the
 * tests, a push after a diff) parses nothing it has seen.
 */
export class Syntax {
  private constructor(private readonly parser: HogQLParser) {}

  static async load(): Promise<Syntax> {
    // The parser's module is imported here, not with this one: pull reads no code, and never loads it.
    loading ??= import('@posthog/hogql-parser').then((parser) => parser.default());
    try {
      return new Syntax(await loading);
    } catch (error) {
      loading = undefined;
      throw error;
    }
  }

  /** A Hog program (a hog function's `hog`). */
  program(code: string): SyntaxProblem | undefined {
    return this.check('p', code, () => this.parser.parseProgram(code, true), 0);
  }

  /** A HogQL SELECT (a SQL insight's query); `{variables.x}` placeholders are allowed. */
  select(sql: string): SyntaxProblem | undefined {
    return this.check('s', sql, () => this.parser.parseSelect(sql, true), 0);
  }

  /** A Hog template string as PostHog compiles input values: `Hello {event.event}`. */
  template(text: string): SyntaxProblem | undefined {
    // The template grammar wants the F' prefix and reads to the end; offsets shift by its two characters.
    return this.check('t', text, () => this.parser.parseFullTemplateString(`F'${text}`, true), 2);
  }

  private check(kind: string, text: string, parse: () => string, shift: number): SyntaxProblem | undefined {
    const key = `${kind}\u0000${text}`;
    let outcome = seen.get(key);
    if (outcome === undefined) {
      outcome = toProblem(parse(), shift, text);
      if (seen.size >= MAX_SEEN) seen.clear();
      seen.set(key, outcome);
    }
    return outcome ?? undefined;
  }
}

function toProblem(raw: string, shift: number, text: string): SyntaxProblem | null {
  // Errors are small objects; a successful parse is an AST we do not need to read.
  if (!raw.includes('"error":true')) return null;
  let parsed: { error?: boolean; message?: string; start?: { offset?: number } };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    return { message: 'the parser gave an unreadable answer', offset: 0 };
  }
  if (parsed.error !== true) return null;
  const offset = Math.min(Math.max(0, (parsed.start?.offset ?? 0) - shift), text.length);
  return readableProblem(parsed.message ?? 'syntax error', text, offset);
}

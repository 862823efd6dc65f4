import type { HogQLParser } from '@posthog/hogql-parser';
import { readableProblem } from './syntax-message.js';

/** A syntax error in embedded code, at a character offset of that code. */
export interface SyntaxProblem {
  message: string;
  offset: number;
}

/** What a parse of one text concluded: its problem, or null when it parses. */
export type Verdict = SyntaxProblem | null;

/** The grammars embedded code is written in: a Hog program, a HogQL SELECT, a Hog template string. */
export type Grammar = 'program' | 'select' | 'template';

/**
 * What a kind's check asks of PostHog's Hog and HogQL parser. Each answers the text's
 * problem, or undefined when it parses (or, for an answer from a SyntaxTable, when the text
 * has not been parsed yet).
 */
export interface SyntaxCheck {
  /** A Hog program (a hog function's `hog`). */
  program(code: string): SyntaxProblem | undefined;
  /** A HogQL SELECT (a SQL insight's query); `{variables.x}` placeholders are allowed. */
  select(sql: string): SyntaxProblem | undefined;
  /** A Hog template string as PostHog compiles input values: `Hello {event.event}`. */
  template(text: string): SyntaxProblem | undefined;
}

/** The parser's method for a grammar, and the text as that method wants it. */
export interface ParserCall {
  method: 'parseProgram' | 'parseSelect' | 'parseFullTemplateString';
  input: string;
}

export function parserCall(grammar: Grammar, text: string): ParserCall {
  switch (grammar) {
    case 'program':
      return { method: 'parseProgram', input: text };
    case 'select':
      return { method: 'parseSelect', input: text };
    case 'template':
      // The template grammar wants the F' prefix and reads to the end (verdictOf shifts offsets back).
      return { method: 'parseFullTemplateString', input: `F'${text}` };
  }
}

/**
 * The verdict in the parser's answer to `parserCall(grammar, text)`: given only the answers
 * that hold `"error":true` (a successful parse is an AST nobody here reads), or the whole answer.
 */
export function verdictOf(grammar: Grammar, text: string, raw: string | null): Verdict {
  if (raw === null || !raw.includes('"error":true')) return null;
  let parsed: { error?: boolean; message?: string; start?: { offset?: number } };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    return { message: 'the parser gave an unreadable answer', offset: 0 };
  }
  if (parsed.error !== true) return null;
  const shift = grammar === 'template' ? 2 : 0;
  const offset = Math.min(Math.max(0, (parsed.start?.offset ?? 0) - shift), text.length);
  return readableProblem(parsed.message ?? 'syntax error', text, offset);
}

let loading: Promise<HogQLParser> | undefined;

/**
 * PostHog's own Hog and HogQL parser (WASM) in this thread, so that checks reject exactly
 * what PostHog would: for one file (`hogsync test`). Checks of many files parse in worker
 * threads instead (kinds/syntax-workers.ts), with their answers kept on disk.
 */
export class Syntax implements SyntaxCheck {
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

  program(code: string): SyntaxProblem | undefined {
    return this.check('program', code);
  }

  select(sql: string): SyntaxProblem | undefined {
    return this.check('select', sql);
  }

  template(text: string): SyntaxProblem | undefined {
    return this.check('template', text);
  }

  private check(grammar: Grammar, text: string): SyntaxProblem | undefined {
    const { method, input } = parserCall(grammar, text);
    return verdictOf(grammar, text, this.parser[method](input, true)) ?? undefined;
  }
}

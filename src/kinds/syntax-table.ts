import { createHash } from 'node:crypto';
import type { Grammar, SyntaxCheck, SyntaxProblem, Verdict } from './syntax.js';

/** One text a check wants parsed, with the key its verdict goes by. */
export interface CodeText {
  grammar: Grammar;
  text: string;
  /** A hash of grammar and text: the verdict's name here and in the cache on disk. */
  key: string;
}

function codeKey(grammar: Grammar, text: string): string {
  // 128 bits of SHA-256: no two texts of a project meet, and the cache file stays small.
  return createHash('sha256').update(`${grammar}\u0000${text}`).digest('hex').slice(0, 32);
}

/**
 * Parse verdicts by text, filled before or after the checks ask. A check that asks about a
 * text with no verdict yet hears "parses"; every text asked about is written down under the
 * asker's name (a file), so that checks run once without parsing anything, and only the texts of
 * the files that matter are parsed afterwards (engine/file-checks.ts).
 */
export class SyntaxTable {
  private readonly verdicts = new Map<string, Verdict>();
  private readonly asked = new Map<string, Map<string, CodeText>>();

  /** The answers for one asker. */
  checker(asker: string): SyntaxCheck {
    const ask = (grammar: Grammar, text: string): SyntaxProblem | undefined => {
      const key = codeKey(grammar, text);
      const mine = this.asked.get(asker) ?? new Map<string, CodeText>();
      this.asked.set(asker, mine);
      mine.set(key, { grammar, text, key });
      return this.verdicts.get(key) ?? undefined;
    };
    return { program: (code) => ask('program', code), select: (sql) => ask('select', sql), template: (text) => ask('template', text) };
  }

  /** The texts these askers asked about that have no verdict yet, each once. */
  unknown(askers: Iterable<string>): CodeText[] {
    const out = new Map<string, CodeText>();
    for (const asker of askers)
      for (const code of this.asked.get(asker)?.values() ?? []) if (!this.verdicts.has(code.key)) out.set(code.key, code);
    return [...out.values()];
  }

  /** Whether a text this asker asked about is known not to parse. */
  failed(asker: string): boolean {
    for (const key of this.asked.get(asker)?.keys() ?? []) if (this.verdicts.get(key)) return true;
    return false;
  }

  learn(key: string, verdict: Verdict): void {
    this.verdicts.set(key, verdict);
  }
}

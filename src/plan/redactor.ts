import { canonicalJson, type Json } from '../json.js';

// The one secret rule the CLI needs before any command is loaded (it masks all output from the
// start), kept apart from secrets.ts so that masking does not load the kinds that file serves.

/**
 * Values that must never be printed: secret values read back from PostHog, and every value
 * a `${VAR}`, `vars:` or `HOGSYNC_SECRET_*` supplied. The CLI masks them in everything it
 * writes to stdout and stderr, errors and server answers included.
 */
export class Redactor {
  private readonly hidden = new Set<string>();
  private pattern: RegExp | undefined;

  /** Values shorter than this are left alone: masking "EU" everywhere would make output unreadable, and hides nothing. */
  static readonly MIN_LENGTH = 4;

  register(value: Json | undefined): void {
    if (value === undefined || value === null) return;
    const text = typeof value === 'string' ? value : canonicalJson(value);
    if (text.length < Redactor.MIN_LENGTH || this.hidden.has(text)) return;
    this.hidden.add(text);
    // JSON output escapes quotes and backslashes: mask that form too.
    const escaped = JSON.stringify(text).slice(1, -1);
    if (escaped !== text) this.hidden.add(escaped);
    this.pattern = undefined;
  }

  redact(text: string): string {
    if (this.hidden.size === 0) return text;
    this.pattern ??= new RegExp(
      [...this.hidden]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, '********');
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Checks that a 2xx answer is what the caller relies on before anyone believes it: JSON, and
// of the expected shape. The problems are phrased for MalformedAnswerError and never quote an
// HTML page or a body (an echoing server could put anything in one).
import { AmbiguousWriteError, MalformedAnswerError } from '../errors.js';

/**
 * What a caller expects of a 2xx answer:
 * - `json`: any JSON value (the default); an empty body only with 204/205;
 * - `object`: a JSON object; `created`: an object with an `id` (a string or a number);
 * - `page`: a DRF list page `{count: int >= 0, next: string | null, results: array of objects}`;
 * - `results`: a whole list in one answer, not paginated (`{results: array of objects}`: PostHog's action list);
 * - `array`: a bare JSON array;
 * - a function returning a problem (a phrase like "totals is not an object") or undefined.
 */
export type AnswerShape = 'json' | 'object' | 'created' | 'page' | 'results' | 'array' | ((body: unknown) => string | undefined);

export type Checked = { ok: true; value: unknown } | { ok: false; problem: string };

export function checkAnswer(text: string, status: number, contentType: string | null, shape: AnswerShape = 'json'): Checked {
  if (text.trim() === '') {
    if (status === 204 || status === 205) return { ok: true, value: null };
    return { ok: false, problem: 'the body is empty' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: notJson(text, contentType, e) };
  }
  const problem = shapeProblem(value, shape);
  return problem ? { ok: false, problem } : { ok: true, value };
}

function notJson(text: string, contentType: string | null, error: unknown): string {
  if (looksLikeHtml(text, contentType)) return `not JSON but ${summarizeBody(text, contentType)}`;
  const message = error instanceof Error ? error.message : '';
  if (/end of (JSON )?input|unterminated/i.test(message)) return `the JSON is cut off after ${text.length} bytes`;
  return `not valid JSON (${text.length} bytes${contentType ? ` of ${contentType.split(';')[0]}` : ''})`;
}

function shapeProblem(value: unknown, shape: AnswerShape): string | undefined {
  if (typeof shape === 'function') return shape(value);
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  switch (shape) {
    case 'json':
      return undefined;
    case 'array':
      return Array.isArray(value) ? undefined : `expected a list, got ${typeName(value)}`;
    case 'object':
      return isObject ? undefined : `expected an object, got ${typeName(value)}`;
    case 'created':
      if (!isObject) return `expected the created object, got ${typeName(value)}`;
      return idOf(value) === undefined ? 'the created object has no id' : undefined;
    case 'page':
      return pageProblem(value);
    case 'results': {
      if (!isObject) return `expected a list, got ${typeName(value)}`;
      const results = (value as { results?: unknown }).results;
      return Array.isArray(results) ? rowsProblem(results) : `the list has no results list (results: ${typeName(results)})`;
    }
  }
}

/** Every row of a list is an object: PostHog's serializers never answer anything else, and a `null` is no resource. */
function rowsProblem(rows: unknown[]): string | undefined {
  const at = rows.findIndex((r) => typeof r !== 'object' || r === null || Array.isArray(r));
  return at < 0 ? undefined : `row ${at + 1} of the list is ${typeName(rows[at])}, not an object`;
}

function pageProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `expected a list page, got ${typeName(value)}`;
  const page = value as Record<string, unknown>;
  if (!Array.isArray(page.results)) return `the list page has no results list (results: ${typeName(page.results)})`;
  if (typeof page.count !== 'number' || !Number.isInteger(page.count) || page.count < 0)
    return `the list page's count is not a whole number (${typeName(page.count)})`;
  if (page.next !== null && typeof page.next !== 'string')
    return `the list page's next is neither a link nor null (${typeName(page.next)})`;
  return rowsProblem(page.results);
}

/** The `id` of an object PostHog returned: a non-empty string or a finite number. */
export function idOf(value: unknown): string | number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  if (typeof id === 'number' && Number.isFinite(id)) return id;
  if (typeof id === 'string' && id !== '') return id;
  return undefined;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function looksLikeHtml(text: string, contentType: string | null): boolean {
  if (contentType && /html/i.test(contentType)) return true;
  return /^\s*<[a-z!?]/i.test(text);
}

/**
 * A body described without quoting it: `an HTML page ("502 Bad Gateway")` from its title, or
 * its size and type. Used for error details when PostHog's JSON envelope is missing.
 */
export function summarizeBody(text: string, contentType: string | null): string {
  if (looksLikeHtml(text, contentType)) {
    const title = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(text)?.[1] ?? /<h1[^>]*>([^<]{1,200})<\/h1>/i.exec(text)?.[1];
    const clean = title?.replace(/\s+/g, ' ').trim().slice(0, 80);
    return clean ? `an HTML page ("${clean}")` : 'an HTML page';
  }
  // A short plain-text line (Envoy's "upstream connect error…", nginx's "Bad Request") says what happened.
  const line = text.trim();
  if (line.length > 0 && line.length <= 200 && !/[\r\n]/.test(line)) return `"${line}"`;
  const type = contentType ? contentType.split(';')[0]?.trim() : undefined;
  return `${text.length} bytes that are not PostHog's JSON${type ? ` (${type})` : ''}`;
}

/**
 * The error for an answer that cannot be used, raised by code that checks answers further (the
 * engine's `kind.remoteId(raw)`): for a POST the write may have happened, so it is ambiguous.
 * `problem` must not quote server text unless it went through the client's `redact`.
 */
export function unusableAnswer(method: string, path: string, status: number, problem: string): AmbiguousWriteError | MalformedAnswerError {
  if (method === 'POST') return new AmbiguousWriteError(method, path, `the answer could not be read: ${problem}`, false);
  return new MalformedAnswerError(method, path, status, problem);
}

// pydantic v2 (PostHog pins ~=2.12) validation errors as `str(exc.errors())` prints them: a
// Python repr of a list of dicts. PostHog's cohort API returns that text when it cannot turn
// the first error into one of its own messages (`CohortSerializer._cohort_error_message`).
import type { Json } from './json.js';

const PYDANTIC_VERSION = '2.12';

/** A Python value for repr: JSON, plus tuples (error locations) and exception instances (ctx). */
type PyValue = Json | PyTuple | PyException | { [key: string]: PyValue } | PyValue[];

class PyTuple {
  constructor(readonly items: Array<string | number>) {}
}

class PyException {
  constructor(
    readonly name: string,
    readonly message: string,
  ) {}
}

/** Python's `repr(str)`: single quotes unless the text has one and no double quote. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

function pyNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const s = String(n);
  return s.includes('e') ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
}

function pyRepr(v: PyValue | undefined): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyStrRepr(v);
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : `(${v.items.map(pyRepr).join(', ')})`;
  if (v instanceof PyException) return `${v.name}(${pyStrRepr(v.message)})`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`)
    .join(', ')}}`;
}

export type Loc = Array<string | number>;

/** One entry of `exc.errors()`. */
export interface PydanticError {
  type: string;
  loc: Loc;
  msg: string;
  input: Json | undefined;
  ctx?: { [key: string]: PyValue };
}

export function pydanticError(
  type: string,
  loc: Loc,
  msg: string,
  input: Json | undefined,
  ctx?: { [key: string]: string },
): PydanticError {
  return { type, loc: [...loc], msg, input, ...(ctx ? { ctx } : {}) };
}

/** A `ValueError` raised in a model validator: pydantic prefixes the message and keeps the exception. */
export function valueError(loc: Loc, message: string, input: Json): PydanticError {
  return {
    type: 'value_error',
    loc: [...loc],
    msg: `Value error, ${message}`,
    input,
    ctx: { error: new PyException('ValueError', message) },
  };
}

/** `str(exc.errors())`. */
export function errorsRepr(errors: PydanticError[]): string {
  return pyRepr(
    errors.map((e) => {
      const d: { [key: string]: PyValue } = { type: e.type, loc: new PyTuple(e.loc), msg: e.msg, input: e.input ?? null };
      if (e.ctx) d.ctx = e.ctx;
      d.url = `https://errors.pydantic.dev/${PYDANTIC_VERSION}/v/${e.type}`;
      return d;
    }),
  );
}

/** `"'a', 'b' or 'c'"`: how pydantic lists literal choices and union tags. */
export function expectedList(values: string[], last = ' or '): string {
  const quoted = values.map((v) => pyStrRepr(v));
  return quoted.length < 2 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')}${last}${quoted[quoted.length - 1]}`;
}

// A small pydantic v2 model validator (lax Python mode, `extra="forbid"`): field types, required
// fields, extras, and `model_dump(exclude_none=True)` in field order. Enough for the cohort
// filter models of posthog/api/cohort.py.
import type { Json, JsonObject } from './json.js';
import { expectedList, pydanticError, type Loc, type PydanticError } from './pydantic-errors.js';

type FieldKind =
  | 'str'
  | 'int'
  | 'bool'
  | 'any'
  | 'list'
  | 'str|int'
  | { literal: string[] }
  | { custom: (v: Json, loc: Loc, errors: PydanticError[]) => Json | undefined };

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  /** Absent: the field is required. */
  default?: Json;
  /** `X | None`: null is accepted (and dropped by `exclude_none`). */
  optional?: boolean;
}

const BOOL_STRINGS: Record<string, boolean> = {
  '0': false,
  off: false,
  f: false,
  false: false,
  n: false,
  no: false,
  '1': true,
  on: true,
  t: true,
  true: true,
  y: true,
  yes: true,
};

function str(v: Json, loc: Loc, errors: PydanticError[]): Json | undefined {
  if (typeof v === 'string') return v;
  errors.push(pydanticError('string_type', loc, 'Input should be a valid string', v));
  return undefined;
}

/** Lax int: bools and integral floats convert, numeric strings parse. */
function int(v: Json, loc: Loc, errors: PydanticError[]): Json | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v;
    errors.push(pydanticError('int_from_float', loc, 'Input should be a valid integer, got a number with a fractional part', v));
    return undefined;
  }
  if (typeof v === 'string') {
    if (/^\s*[-+]?\d+\s*$/.test(v)) return parseInt(v, 10);
    errors.push(pydanticError('int_parsing', loc, 'Input should be a valid integer, unable to parse string as an integer', v));
    return undefined;
  }
  errors.push(pydanticError('int_type', loc, 'Input should be a valid integer', v));
  return undefined;
}

function bool(v: Json, loc: Loc, errors: PydanticError[]): Json | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (typeof v === 'string' && v.trim().toLowerCase() in BOOL_STRINGS) return BOOL_STRINGS[v.trim().toLowerCase()] as boolean;
  if (typeof v === 'string' || typeof v === 'number')
    errors.push(pydanticError('bool_parsing', loc, 'Input should be a valid boolean, unable to interpret input', v));
  else errors.push(pydanticError('bool_type', loc, 'Input should be a valid boolean', v));
  return undefined;
}

/** `Union[str, int]` in smart mode: an exact type wins, then lax int; otherwise both members fail. */
function strOrInt(v: Json, loc: Loc, errors: PydanticError[]): Json | undefined {
  if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) return v;
  const intErrors: PydanticError[] = [];
  const asInt = int(v, [...loc, 'int'], intErrors);
  if (asInt !== undefined) return asInt;
  str(v, [...loc, 'str'], errors);
  errors.push(...intErrors);
  return undefined;
}

function fieldValue(kind: FieldKind, v: Json, loc: Loc, errors: PydanticError[]): Json | undefined {
  if (kind === 'any') return v;
  if (kind === 'str') return str(v, loc, errors);
  if (kind === 'int') return int(v, loc, errors);
  if (kind === 'bool') return bool(v, loc, errors);
  if (kind === 'str|int') return strOrInt(v, loc, errors);
  if (kind === 'list') {
    if (Array.isArray(v)) return v;
    errors.push(pydanticError('list_type', loc, 'Input should be a valid list', v));
    return undefined;
  }
  if ('literal' in kind) {
    if (typeof v === 'string' && kind.literal.includes(v)) return v;
    const expected = expectedList(kind.literal);
    errors.push(pydanticError('literal_error', loc, `Input should be ${expected}`, v, { expected }));
    return undefined;
  }
  return kind.custom(v, loc, errors);
}

/**
 * Validates a dict against the fields: field errors in field order, then the forbidden extras.
 * Returns the dump (`exclude_none=True`) or undefined when any error was recorded.
 */
export function validateModel(input: JsonObject, fields: FieldSpec[], loc: Loc, errors: PydanticError[]): JsonObject | undefined {
  const before = errors.length;
  const out: JsonObject = {};
  for (const f of fields) {
    const present = Object.hasOwn(input, f.name);
    if (!present) {
      if (!('default' in f) && !f.optional) errors.push(pydanticError('missing', [...loc, f.name], 'Field required', input));
      else if (f.default !== undefined && f.default !== null) out[f.name] = f.default;
      continue;
    }
    const v = input[f.name] as Json;
    if (v === null && f.optional) continue;
    const value = fieldValue(f.kind, v, [...loc, f.name], errors);
    if (value !== undefined && value !== null) out[f.name] = value;
  }
  const known = new Set(fields.map((f) => f.name));
  for (const [k, v] of Object.entries(input)) {
    if (!known.has(k)) errors.push(pydanticError('extra_forbidden', [...loc, k], 'Extra inputs are not permitted', v));
  }
  return errors.length === before ? out : undefined;
}

/** A nested model field given something that is not a dict. */
export function modelTypeError(className: string, loc: Loc, input: Json): PydanticError {
  return pydanticError('model_type', loc, `Input should be a valid dictionary or instance of ${className}`, input, {
    class_name: className,
  });
}

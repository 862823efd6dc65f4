// DRF field semantics that PostHog's serializers inherit: what is accepted, how it is
// coerced, and the exact message and code of each refusal.
import { fail, ValidationFailure, type FieldError } from './errors.js';
import { isObject, pyTypeName, type Json, type JsonObject } from './json.js';

type Path = Array<string | number>;

export interface CharOptions {
  allowNull?: boolean;
  allowBlank?: boolean;
  maxLength?: number;
  /** DRF CharField trims by default; that is why `name` and `hog` come back trimmed. */
  trim?: boolean;
}

export function charField(value: unknown, path: Path, opts: CharOptions = {}): string | null {
  if (value === null) {
    if (opts.allowNull) return null;
    fail(path, 'This field may not be null.', 'null');
  }
  if (typeof value === 'boolean' || !(typeof value === 'string' || typeof value === 'number')) {
    fail(path, 'Not a valid string.', 'invalid');
  }
  let s = String(value);
  if (opts.trim !== false) s = s.trim();
  if (s === '') {
    if (opts.allowBlank) return '';
    fail(path, 'This field may not be blank.', 'blank');
  }
  if (opts.maxLength !== undefined && [...s].length > opts.maxLength) {
    fail(path, `Ensure this field has no more than ${opts.maxLength} characters.`, 'max_length');
  }
  return s;
}

const TRUE_VALUES = new Set(['t', 'T', 'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON', '1', 1, true]);
const FALSE_VALUES = new Set(['f', 'F', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF', '0', 0, false]);

export function booleanField(value: unknown, path: Path, allowNull = false): boolean | null {
  if (value === null && allowNull) return null;
  if (value === null) fail(path, 'This field may not be null.', 'null');
  if (TRUE_VALUES.has(value as string | number | boolean)) return true;
  if (FALSE_VALUES.has(value as string | number | boolean)) return false;
  fail(path, 'Must be a valid boolean.', 'invalid');
}

export interface IntOptions {
  allowNull?: boolean;
  min?: number;
  max?: number;
}

export function integerField(value: unknown, path: Path, opts: IntOptions = {}): number | null {
  if (value === null) {
    if (opts.allowNull) return null;
    fail(path, 'This field may not be null.', 'null');
  }
  let n: number;
  if (typeof value === 'number' && Number.isFinite(value) && Number.isInteger(value)) n = value;
  else if (typeof value === 'string' && /^\s*[-+]?\d+(\.0*)?\s*$/.test(value)) n = parseInt(value, 10);
  else if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else fail(path, 'A valid integer is required.', 'invalid');
  if (opts.max !== undefined && n > opts.max) fail(path, `Ensure this value is less than or equal to ${opts.max}.`, 'max_value');
  if (opts.min !== undefined && n < opts.min) fail(path, `Ensure this value is greater than or equal to ${opts.min}.`, 'min_value');
  return n;
}

export function choiceField<T extends string>(value: unknown, path: Path, choices: readonly T[], allowNull = false): T | null {
  if (value === null && allowNull) return null;
  if (value === null) fail(path, 'This field may not be null.', 'null');
  const s = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? pyStr(value) : JSON.stringify(value);
  const match = choices.find((c) => c === s);
  if (match === undefined) fail(path, `"${s}" is not a valid choice.`, 'invalid_choice');
  return match;
}

/** `str(x)` for the scalars DRF stringifies in choice lookups and messages. */
function pyStr(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

export function listField(value: unknown, path: Path): Json[] {
  if (!Array.isArray(value)) fail(path, `Expected a list of items but got type "${pyTypeName(value)}".`, 'not_a_list');
  return value as Json[];
}

export function dictField(value: unknown, path: Path): JsonObject {
  if (!isObject(value)) fail(path, `Expected a dictionary of items but got type "${pyTypeName(value)}".`, 'not_a_dict');
  return value;
}

/** A nested serializer refuses anything that is not a JSON object. */
export function nestedObject(value: unknown, path: Path): JsonObject {
  if (!isObject(value)) fail(path, `Invalid data. Expected a dictionary, but got ${pyTypeName(value)}.`, 'invalid');
  return value;
}

/**
 * Runs field validators in serializer field order and keeps every error, like DRF's
 * `to_internal_value`; the envelope reports the first one, raw errors show them all.
 */
export class ErrorCollector {
  private errors: FieldError[] = [];

  run(step: () => void): void {
    try {
      step();
    } catch (e) {
      if (e instanceof ValidationFailure) this.errors.push(...e.errors);
      else throw e;
    }
  }

  get failed(): boolean {
    return this.errors.length > 0;
  }

  throwIfAny(): void {
    if (this.errors.length) throw new ValidationFailure(this.errors);
  }
}

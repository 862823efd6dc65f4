import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import { didYouMean } from '../did-you-mean.js';
import type { Json } from '../json.js';
import type { ParsedYaml } from './yaml.js';

// Both paths are found from this module, two levels below the package root in src/store (tests)
// and dist/store (built) alike.
/** schemas/: the JSON Schemas, the source of truth. */
export const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));
/** dist/schemas/: each schema compiled to a standalone validator by `npm run build` (compile-schemas.ts). */
export const COMPILED_DIR = fileURLToPath(new URL('../../dist/schemas/', import.meta.url));

/**
 * How the validators are compiled: every error of a file at once (`allErrors`), each with the
 * schema it broke (`verbose`: describe() takes the known fields for "did you mean" and a pattern's
 * description from it); `strict: false` lets the schemas carry editor keywords ajv does not know.
 */
export const AJV_OPTIONS: Options = { allErrors: true, strict: false, verbose: true };

/** `hogsync.schema.json` → `hogsync.schema.cjs`: CommonJS, as ajv's standalone code requires its runtime helpers. */
export function compiledName(schemaFile: string): string {
  return schemaFile.replace(/\.json$/, '.cjs');
}

// The compiled validators are CommonJS, so one is loaded synchronously, and only when first used.
const require = createRequire(import.meta.url);
const compiled = new Map<string, ValidateFunction>();

function validator(schemaFile: string): ValidateFunction {
  let fn = compiled.get(schemaFile);
  if (!fn) {
    const path = `${COMPILED_DIR}${compiledName(schemaFile)}`;
    try {
      // The module exports ajv's validate function itself, with its `errors` property.
      fn = require(path) as ValidateFunction;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      throw new Error(`${path} is missing: schemas are compiled by "npm run build"`);
    }
    compiled.set(schemaFile, fn);
  }
  return fn;
}

export interface SchemaProblem {
  /** JSON Pointer of the offending value. */
  pointer: string;
  /** Report the position of the key rather than of its value (an unknown field). */
  atKey?: boolean;
  message: string;
}

/** Validates a value against a schema in schemas/, with one readable message per problem. */
export function checkSchema(schemaFile: string, value: Json, base = ''): SchemaProblem[] {
  const fn = validator(schemaFile);
  if (fn(value)) return [];
  return dedupe((fn.errors ?? []).filter(isUseful).map((e) => describe(e, base)));
}

/** Problems as `file:line:col: message`. */
export function locateProblems(problems: SchemaProblem[], parsed: ParsedYaml): string[] {
  return problems.map((p) => `${parsed.where(p.pointer, p.atKey)}: ${p.message}`);
}

// oneOf/anyOf/if wrappers repeat what their branches already said.
function isUseful(e: ErrorObject): boolean {
  return !['oneOf', 'anyOf', 'if'].includes(e.keyword);
}

function describe(e: ErrorObject, base: string): SchemaProblem {
  const at = `${base}${e.instancePath}`;
  const field = at.split('/').pop() || 'value';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const known = Object.keys((e.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      return {
        pointer: `${at}/${name}`,
        atKey: true,
        message: `unknown field "${name}"${known.length ? `;${didYouMean(name, known).replace(/^ Did/, ' did')}` : ''}`.replace(/;$/, ''),
      };
    }
    case 'required':
      return { pointer: at, message: `missing required field "${String(p.missingProperty)}"` };
    case 'type':
      return { pointer: at, message: `"${field}" must be ${article(String(p.type))}` };
    case 'enum':
      return {
        pointer: at,
        message: `"${field}" must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { pointer: at, message: `"${field}" must be ${JSON.stringify(p.allowedValue)}` };
    case 'pattern': {
      // The schema's description says what is expected better than a regular expression.
      const hint = typeof e.parentSchema?.description === 'string' ? e.parentSchema.description : `the format ${String(p.pattern)}`;
      return { pointer: at, message: `"${field}" is not valid: expected ${hint}` };
    }
    case 'propertyNames':
      return { pointer: `${at}/${String(p.propertyName)}`, atKey: true, message: `"${String(p.propertyName)}" is not a valid name here` };
    default:
      return { pointer: at, message: `"${field}" ${e.message ?? 'is invalid'}` };
  }
}

function article(type: string): string {
  const t = type.replace(/,/g, ' or ');
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function dedupe(problems: SchemaProblem[]): SchemaProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.pointer}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { didYouMean } from '../did-you-mean.js';
import type { Json } from '../json.js';
import type { ParsedYaml } from './yaml.js';

/** schemas/ at the package root, from src/store (tests) and dist/store (built) alike. */
const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const compiled = new Map<string, ValidateFunction>();

function validator(schemaFile: string): ValidateFunction {
  let fn = compiled.get(schemaFile);
  if (!fn) {
    const schema = JSON.parse(readFileSync(`${SCHEMA_DIR}${schemaFile}`, 'utf8')) as object;
    fn = ajv.compile(schema);
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
      return { pointer: `${at}/${name}`, atKey: true, message: `unknown field "${name}"${known.length ? `;${didYouMean(name, known).replace(/^ Did/, ' did')}` : ''}`.replace(/;$/, '') };
    }
    case 'required':
      return { pointer: at, message: `missing required field "${String(p.missingProperty)}"` };
    case 'type':
      return { pointer: at, message: `"${field}" must be ${article(String(p.type))}` };
    case 'enum':
      return { pointer: at, message: `"${field}" must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
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

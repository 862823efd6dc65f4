import { defineKind } from './define.js';
import type { JsonObject } from '../json.js';
import { dropDefaults, pick, text, trimString } from './normalize.js';


// InsightVariableSerializer (posthog-api.md §3.1): id, code_name, created_* are read-only.
const WRITABLE = ['name', 'type', 'default_value', 'values'] as const;

/**
 * PostHog's code_name derivation (§3.2): keep characters that are alphanumeric (Unicode
 * letters count, like Python's isalnum), spaces and underscores; spaces become
 * underscores; lower-case. The name is trimmed first.
 */
export function codeNameOf(name: string): string {
  return [...name.trim()]
    .filter((c) => /[\p{L}\p{N}_ ]/u.test(c))
    .join('')
    .replace(/ /g, '_')
    .toLowerCase();
}

function normalize(spec: JsonObject): JsonObject {
  const out = pick(spec, WRITABLE);
  const name = trimString(out.name);
  if (name !== undefined) out.name = name;
  // `values` only means something for List variables, where null is stored as [] (§3.1).
  if (out.type === 'List') {
    if (!Array.isArray(out.values)) out.values = [];
  } else if (out.values === null) delete out.values;
  return dropDefaults(out, { default_value: null, values: [] });
}

const insightVariable = defineKind({
  kind: 'InsightVariable',
  cliName: 'insight-variable',
  folder: 'insight-variables',
  apiPath: 'insight_variables/',
  pagination: 'page',
  rateBucket: 'crud',
  scope: 'insight_variable',
  deleteStyle: 'http',
  dependsOn: [],
  // code_name is unique per project, so a second variable with it could never be created.
  autoAdopt: true,
  createOnly: [],
  fieldOrder: ['name', 'type', 'default_value', 'values'],
  schema: 'insight-variable.schema.json',

  naturalKeyName: 'code_name',
  remoteId: (raw) => raw.id as string,
  keyHint: (raw) => (typeof raw.code_name === 'string' && raw.code_name ? raw.code_name : text(raw.name)),
  naturalKey: (spec, raw) => (raw ? text(raw.code_name) : codeNameOf(text(spec.name))) || undefined,

  toSpec: (raw) => normalize(raw),
  normalize,
  toBody(spec, _refs, mode) {
    const body: JsonObject = { ...spec };
    if (mode === 'update') {
      body.default_value ??= null;
      if (spec.type === 'List') body.values ??= [];
    }
    return body;
  },

  codePaths: () => [],
  varPaths: (spec) => (typeof spec.default_value === 'string' ? ['/default_value'] : []),
  secrets: () => [],
  references: () => [],
  foreignRefs: () => [],
});


export default insightVariable;

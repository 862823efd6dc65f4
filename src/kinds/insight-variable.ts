import { createHash } from 'node:crypto';
import { defineKind } from './define.js';
import type { JsonObject } from '../json.js';
import { dropDefaults, pick, text, trimString } from './normalize.js';

// InsightVariableSerializer (posthog-api.md §3.1, §10): id, code_name, created_* are read-only.
const WRITABLE = ['name', 'type', 'default_value', 'values', 'is_multi', 'values_query', 'values_query_connection_id'] as const;
/** Fields PostHog keeps for List variables only: it resets them on the other types (`InsightVariableSerializer.validate`). */
const LIST_ONLY = ['is_multi', 'values_query', 'values_query_connection_id'] as const;

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

/**
 * The key of a variable (DESIGN.md "Resource files"): its code_name wherever a code_name can be a
 * key (lower-case ASCII letters, digits and `_`, starting with a letter or digit, at most 100);
 * otherwise (`país`, `_internal`, a very long name) its ASCII letters and digits, `-`, and the
 * first 8 hex digits of the code_name's SHA-256: `pa-s-a5e60c4f`. A code_name has no `-`, so the
 * two forms never meet, and different code_names never share a key.
 */
function variableKey(codeName: string): string {
  if (/^[a-z0-9][a-z0-9_]{0,99}$/.test(codeName)) return codeName;
  const ascii = codeName
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 80)
    .replace(/[-_]+$/, '');
  const digest = createHash('sha256').update(codeName).digest('hex').slice(0, 8);
  return `${ascii || 'variable'}-${digest}`;
}

/** A key that PostHog could have derived as a code_name: `region_2`, but not `region-2`. */
function isCodeName(key: string): boolean {
  return key.length > 0 && codeNameOf(key) === key;
}

function normalize(spec: JsonObject): JsonObject {
  const out = pick(spec, WRITABLE);
  const name = trimString(out.name);
  if (name !== undefined) out.name = name;
  // `values` only means something for List variables, where null is stored as [] (§3.1).
  if (out.type === 'List') {
    if (!Array.isArray(out.values)) out.values = [];
    // A blank values query is stored as null, and without one the connection is dropped.
    if (typeof out.values_query === 'string' && !out.values_query.trim()) out.values_query = null;
    if (out.values_query === null || out.values_query === undefined) delete out.values_query_connection_id;
  } else {
    if (out.values === null) delete out.values;
    for (const f of LIST_ONLY) delete out[f];
  }
  return dropDefaults(out, { default_value: null, values: [], is_multi: false, values_query: null, values_query_connection_id: null });
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
  refsType: 'variables',
  idFormat: 'uuid',
  dependsOn: [],
  // code_name is unique per project, so a second variable with it could never be created.
  autoAdopt: true,
  createOnly: [],
  fieldOrder: ['name', 'type', 'default_value', 'values', 'is_multi', 'values_query', 'values_query_connection_id'],
  schema: 'insight-variable.schema.json',

  naturalKeyName: 'code_name',
  remoteId: (raw) => raw.id as string,
  keyHint: (raw) => (typeof raw.code_name === 'string' && raw.code_name ? variableKey(raw.code_name) : text(raw.name)),
  naturalKey: (spec, raw) => (raw ? text(raw.code_name) : codeNameOf(text(spec.name))) || undefined,
  // The key is the code_name (DESIGN.md "Resource files"): SQL insights use it as {variables.<key>}.
  naturalOfKey: (key) => (isCodeName(key) ? key : undefined),
  // PostHog derives code_name from the name at create only, so a variable renamed since is
  // created under a name that derives its code_name, then renamed (posthog-api.md §3.2).
  createAs(body, natural) {
    if (codeNameOf(text(body.name)) === natural) return undefined;
    return { create: { ...body, name: natural }, afterwards: { name: body.name ?? natural } };
  },

  toSpec: (raw) => pick(raw, WRITABLE),
  normalize,
  toBody(spec, _refs, mode) {
    const body: JsonObject = { ...spec };
    if (mode === 'update') {
      body.default_value ??= null;
      if (spec.type === 'List') {
        body.values ??= [];
        body.is_multi ??= false;
        body.values_query ??= null;
        body.values_query_connection_id ??= null;
      }
    }
    return body;
  },

  codePaths: () => [],
  varPaths: (spec) => (typeof spec.default_value === 'string' ? ['/default_value'] : []),
  secrets: () => [],
  // The data warehouse connection a values query runs against is an id of this project.
  links: (spec) =>
    typeof spec.values_query_connection_id === 'string'
      ? [{ type: 'connections', value: spec.values_query_connection_id, path: '/values_query_connection_id' }]
      : [],
});

export default insightVariable;

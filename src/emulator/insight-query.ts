// How an insight's `query` is checked on write and transformed on read (posthog-api.md §2.3, §3.3).
import { parseError } from './errors.js';
import type { HogParser } from './hog-parser.js';
import { clone, isObject, type Json, type JsonObject } from './json.js';
import type { StoredVariable } from './types.js';

/** Kinds a saved insight's top-level query may have (`_InsightQuerySchema`). */
const INSIGHT_KINDS = ['InsightVizNode', 'DataVisualizationNode', 'DataTableNode', 'HogQuery'];
const VIZ_SOURCES = ['TrendsQuery', 'FunnelsQuery', 'RetentionQuery', 'PathsQuery', 'StickinessQuery', 'LifecycleQuery'];

/** The read version of each query kind with schema migrations; other kinds are at version 1. */
export const LATEST_VERSIONS: Readonly<Record<string, number>> = { TrendsQuery: 2, RetentionQuery: 2, StickinessQuery: 2 };

function pydanticTagError(found: unknown, expected: string[], where: string): string {
  const tags = expected.map((k) => `'${k}'`).join(', ');
  if (found === undefined) return `1 validation error for QuerySchemaRoot\n${where}\n  Unable to extract tag using discriminator 'kind'`;
  return `1 validation error for QuerySchemaRoot\n${where}\n  Input tag '${String(found)}' found using 'kind' does not match any of the expected tags: ${tags}`;
}

/**
 * The `QuerySchemaParser` check, which runs before the serializer: a wrong top-level kind, a
 * wrong InsightVizNode/DataVisualizationNode source, or HogQL that does not parse is a 400
 * `parse_error`. (Unknown properties are not rejected: the emulator has no copy of the schema.)
 */
export function validateQuery(parser: HogParser, query: unknown): void {
  if (query === null) return;
  if (!isObject(query)) {
    throw parseError(`1 validation error for QuerySchemaRoot\n  Input should be a valid dictionary [type=dict_type, input_type=${typeof query}]`);
  }
  if (typeof query.kind !== 'string' || !INSIGHT_KINDS.includes(query.kind)) {
    throw parseError(pydanticTagError(query.kind, INSIGHT_KINDS, 'query'));
  }
  const source = query.source;
  if (query.kind === 'InsightVizNode' && (!isObject(source) || typeof source.kind !== 'string' || !VIZ_SOURCES.includes(source.kind))) {
    throw parseError(pydanticTagError(isObject(source) ? source.kind : undefined, VIZ_SOURCES, 'InsightVizNode.source'));
  }
  if (query.kind === 'DataVisualizationNode' && (!isObject(source) || source.kind !== 'HogQLQuery')) {
    throw parseError(pydanticTagError(isObject(source) ? source.kind : undefined, ['HogQLQuery'], 'DataVisualizationNode.source'));
  }
  checkHogQL(parser, query);
}

function checkHogQL(parser: HogParser, value: Json): void {
  if (Array.isArray(value)) return value.forEach((v) => checkHogQL(parser, v));
  if (!isObject(value)) return;
  if (value.kind === 'HogQLQuery') {
    if (typeof value.query !== 'string') {
      throw parseError('1 validation error for HogQLQuery\nquery\n  Field required [type=missing]');
    }
    const parsed = parser.select(value.query);
    if (!parsed.ok) throw parseError(`Syntax error at line ${parsed.line}, column ${parsed.column}: ${parsed.message}`);
  }
  for (const v of Object.values(value)) checkHogQL(parser, v);
}

/** `upgrade()`: every node with a `kind` reads back with its current schema `version`. */
function upgradeVersions(value: Json): void {
  if (Array.isArray(value)) return value.forEach(upgradeVersions);
  if (!isObject(value)) return;
  for (const v of Object.values(value)) upgradeVersions(v);
  if (typeof value.kind === 'string') {
    const latest = LATEST_VERSIONS[value.kind] ?? 1;
    const current = typeof value.version === 'number' ? value.version : 1;
    value.version = Math.max(current, latest);
  }
}

/**
 * `map_stale_to_latest`: a DataVisualizationNode's variables are re-keyed by code_name to this
 * project's variable ids; entries whose code_name has no variable here are dropped.
 */
function rekeyVariables(query: JsonObject, variables: StoredVariable[]): void {
  if (query.kind !== 'DataVisualizationNode' || !isObject(query.source)) return;
  const stale = query.source.variables;
  if (!isObject(stale)) return;
  const byCode = new Map(variables.map((v) => [v.code_name, v]));
  const latest: JsonObject = {};
  for (const entry of Object.values(stale)) {
    if (!isObject(entry)) continue;
    const match = typeof entry.code_name === 'string' ? byCode.get(entry.code_name) : undefined;
    if (!match) continue;
    latest[match.id] = { ...entry, code_name: match.code_name, variableId: match.id };
  }
  query.source.variables = latest;
}

/** The query as GET returns it; the stored JSON is never changed. */
export function readQuery(query: JsonObject | null, variables: StoredVariable[]): JsonObject | null {
  if (query === null) return null;
  const out = clone(query);
  upgradeVersions(out);
  rekeyVariables(out, variables);
  return out;
}

// How an insight's `query` is checked on write and transformed on read (insight.py
// `QuerySchemaParser`, `InsightBasicSerializer.to_representation`, `_query_variables_mapping`).
import { parseError } from './errors.js';
import type { HogParser } from './hog-parser.js';
import { clone, isObject, pyTruthy, type Json, type JsonObject } from './json.js';
import { queryFromFilters } from './query-from-filters.js';
import { upgradeQuery } from './query-upgrade.js';
import { validateQuerySchema } from './query-validation.js';
import type { StoredVariable } from './types.js';

/**
 * The parser check, which runs before the serializer and only for a truthy `query`: the pydantic
 * schema (unknown keys refused), then the emulator's HogQL syntax check of every HogQLQuery.
 */
export function validateQuery(parser: HogParser, query: unknown): void {
  if (!pyTruthy(query)) return;
  validateQuerySchema(query as Json);
  checkHogQL(parser, query as Json);
}

function checkHogQL(parser: HogParser, value: Json): void {
  if (Array.isArray(value)) return value.forEach((v) => checkHogQL(parser, v));
  if (!isObject(value)) return;
  if (value.kind === 'HogQLQuery' && typeof value.query === 'string') {
    const parsed = parser.select(value.query);
    if (!parsed.ok) throw parseError(`Syntax error at line ${parsed.line}, column ${parsed.column}: ${parsed.message}`);
  }
  for (const v of Object.values(value)) checkHogQL(parser, v);
}

/**
 * `map_stale_to_latest` (products/product_analytics/backend/api/insight_variable.py): variables
 * re-keyed by code_name to this project's variable ids; entries whose code_name has no variable
 * here are dropped, and an entry that is not an object fails like Python's `v.get` would (500).
 */
export function mapStaleToLatest(stale: JsonObject, variables: StoredVariable[]): JsonObject {
  const byCode = new Map(variables.map((v) => [v.code_name, v]));
  const latest: JsonObject = {};
  for (const entry of Object.values(stale)) {
    if (!isObject(entry)) throw new TypeError(`'${typeof entry}' object has no attribute 'get'`);
    const match = typeof entry.code_name === 'string' ? byCode.get(entry.code_name) : undefined;
    if (!match) continue;
    latest[match.id] = { ...entry, code_name: match.code_name, variableId: match.id };
  }
  return latest;
}

/** `_query_variables_mapping`: a DataVisualizationNode's variables through map_stale_to_latest. */
function rekeyVariables(query: JsonObject, variables: StoredVariable[]): void {
  if (query.kind !== 'DataVisualizationNode' || !isObject(query.source)) return;
  const stale = query.source.variables;
  if (!pyTruthy(stale) || !isObject(stale)) return;
  query.source.variables = mapStaleToLatest(stale, variables);
}

/**
 * `query` and `filters` as GET returns them. A stored query (any non-null value) or, failing
 * that, the query synthesised from legacy filters is upgraded and read with `filters: {}`; the
 * stored JSON is never changed.
 */
export function readQueryAndFilters(
  stored: { query: Json | null; filters: JsonObject },
  variables: StoredVariable[],
): { query: Json | null; filters: JsonObject } {
  const synthesised = pyTruthy(stored.query) ? null : queryFromFilters(stored.filters);
  // No query can be made only for an insight type with none (filters.insight names it): filters as stored.
  if (stored.query === null && synthesised === null) return { query: null, filters: clone(stored.filters) };
  const base = pyTruthy(stored.query) ? stored.query : synthesised;
  if (!isObject(base)) return { query: null, filters: {} };
  const query = upgradeQuery(base);
  rekeyVariables(query, variables);
  return { query, filters: {} };
}

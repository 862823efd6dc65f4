// An insight's query as a dashboard tile shows it: InsightSerializer.to_representation with a
// `dashboard` in its context (products/product_analytics/backend/api/insight.py) runs
// `apply_dashboard_filters_to_dict` and `apply_dashboard_variables_to_dict`
// (posthog/hogql_queries/apply_dashboard_filters.py). The filters go through each query runner's
// `apply_dashboard_filters` (posthog/hogql_queries/query_runner.py and the HogQL/events runners);
// PostHog then dumps the whole pydantic model, which also writes every unset field as null: the
// emulator applies the same changes but leaves unset fields out.
import { mapStaleToLatest } from './insight-query.js';
import { clone, isObject, pyTruthy, type Json, type JsonObject } from './json.js';
import type { StoredDashboard, StoredVariable } from './types.js';

const WRAPPER_KINDS = ['DataTableNode', 'DataVisualizationNode', 'InsightVizNode'];
const EVENT_LIST_KINDS = ['EventsQuery', 'SessionsQuery'];

function asList(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

function applyFilters(query: JsonObject, filters: JsonObject): JsonObject {
  if (typeof query.kind === 'string' && WRAPPER_KINDS.includes(query.kind) && isObject(query.source)) {
    return { ...query, source: applyFilters(query.source, filters) };
  }
  const props = asList(filters.properties);
  const hasDates = pyTruthy(filters.date_from) || pyTruthy(filters.date_to);
  const dateFrom = filters.date_from ?? null;
  const dateTo = filters.date_to ?? null;
  const out = clone(query);
  if (query.kind === 'HogQLQuery') {
    const hogqlFilters: JsonObject = isObject(out.filters) ? out.filters : {};
    out.filters = hogqlFilters;
    if (hasDates) {
      const range: JsonObject = isObject(hogqlFilters.dateRange) ? hogqlFilters.dateRange : {};
      hogqlFilters.dateRange = { ...range, date_from: dateFrom, date_to: dateTo, explicitDate: pyTruthy(filters.explicitDate) };
    }
    if (props.length) hogqlFilters.properties = [...asList(hogqlFilters.properties), ...props];
    return out;
  }
  if (typeof query.kind === 'string' && EVENT_LIST_KINDS.includes(query.kind)) {
    if (hasDates) Object.assign(out, { before: dateTo, after: dateFrom });
    if (props.length) out.properties = [...asList(out.properties), ...props];
    return out;
  }
  // QueryRunner.apply_dashboard_filters: insight queries (they have `properties` and `dateRange`).
  if (props.length) {
    const own = out.properties ?? null;
    if (pyTruthy(own)) {
      const first: Json = Array.isArray(own) ? { type: 'AND', values: own } : own;
      out.properties = { type: 'AND', values: [first, { type: 'AND', values: props }] };
    } else out.properties = props;
  }
  if (hasDates) out.dateRange = { ...(isObject(out.dateRange) ? out.dateRange : {}), date_from: dateFrom, date_to: dateTo };
  return out;
}

function applyVariables(query: JsonObject, overrides: JsonObject): JsonObject {
  if (typeof query.kind === 'string' && WRAPPER_KINDS.includes(query.kind) && isObject(query.source)) {
    return { ...query, source: applyVariables(query.source, overrides) };
  }
  if (query.kind !== 'HogQLQuery' || !isObject(query.variables)) return query;
  const variables = clone(query.variables);
  for (const [id, override] of Object.entries(overrides)) {
    const own = variables[id];
    if (!pyTruthy(own) || !isObject(own)) continue;
    variables[id] = { variableId: id, code_name: own.code_name ?? null, value: isObject(override) ? (override.value ?? null) : null };
  }
  return { ...query, variables };
}

/** The dashboard's `variables` as its serializer (get_variables) and its tiles see them. */
export function dashboardVariables(dashboard: StoredDashboard, variables: StoredVariable[]): JsonObject {
  return mapStaleToLatest(isObject(dashboard.variables) ? dashboard.variables : {}, variables);
}

/** The read query of an insight on `dashboard` (filters are only applied when truthy). */
export function queryOnDashboard(query: Json | null, dashboard: StoredDashboard, variables: StoredVariable[]): Json | null {
  if (!isObject(query)) return query;
  const filtered = pyTruthy(dashboard.filters) ? applyFilters(query, dashboard.filters) : query;
  const overrides = dashboardVariables(dashboard, variables);
  return pyTruthy(overrides) ? applyVariables(filtered, overrides) : filtered;
}

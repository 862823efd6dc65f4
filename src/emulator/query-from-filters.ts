// `Insight.query_from_filters` (products/product_analytics/backend/models/insight.py): an insight
// stored with legacy `filters` only reads back as `{"kind": "InsightVizNode", "source":
// filter_to_query(filters).model_dump(exclude_none=True), "full": true}`. This follows
// posthog/hogql_queries/legacy_compatibility/filter_to_query.py for the parts a sync tool meets
// (insight type, series from events/actions, dateRange, interval, properties, breakdown,
// trendsFilter display/formula/compare); the rest of the legacy filter vocabulary is not mapped.
import { clone, isObject, type Json, type JsonObject } from './json.js';

const QUERY_KIND: Record<string, string> = {
  TRENDS: 'TrendsQuery',
  FUNNELS: 'FunnelsQuery',
  RETENTION: 'RetentionQuery',
  PATHS: 'PathsQuery',
  LIFECYCLE: 'LifecycleQuery',
  STICKINESS: 'StickinessQuery',
};

/** `ChartDisplayType` members: other `display` values are dropped (`clean_display`). */
const DISPLAYS = new Set([
  'ActionsLineGraph',
  'ActionsBar',
  'ActionsUnstackedBar',
  'ActionsStackedBar',
  'ActionsAreaGraph',
  'ActionsLineGraphCumulative',
  'BoldNumber',
  'ActionsPie',
  'ActionsBarValue',
  'ActionsTable',
  'WorldMap',
  'CalendarHeatmap',
  'BoxPlot',
  'TwoDimensionalHeatmap',
]);

function insightType(filters: JsonObject): string {
  if (filters.insight === 'SESSIONS') return 'TRENDS';
  return typeof filters.insight === 'string' ? filters.insight : 'TRENDS';
}

/** Drops keys whose value is null/undefined, like `model_dump(exclude_none=True)`. */
function compact(o: Record<string, Json | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as JsonObject;
}

function entityList(value: Json | undefined, type: string): JsonObject[] {
  let list = value;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list) as Json;
    } catch {
      list = [];
    }
  }
  return Array.isArray(list) ? list.filter(isObject).map((e) => ({ ...e, type })) : [];
}

/** `_series`: actions then events, sorted by `order`, each an ActionsNode or EventsNode. */
function series(filters: JsonObject, kind: string): JsonObject[] {
  const entities = [...entityList(filters.actions, 'actions'), ...entityList(filters.events, 'events')];
  const order = (e: JsonObject) => (typeof e.order === 'number' && e.order ? e.order : -1);
  entities.sort((a, b) => order(a) - order(b));
  const includeMath = kind !== 'LifecycleQuery';
  return entities
    .filter((e) => e.id !== null && e.id !== undefined)
    .map((e) => {
      const shared: Record<string, Json | undefined> = { name: e.name, custom_name: e.custom_name, properties: e.properties };
      if (includeMath)
        Object.assign(shared, {
          math: e.math,
          math_property: e.math_property,
          math_hogql: e.math_hogql,
          math_group_type_index: e.math_group_type_index,
        });
      return e.type === 'actions'
        ? compact({ kind: 'ActionsNode', id: e.id as Json, ...shared })
        : compact({ kind: 'EventsNode', event: e.id as Json, ...shared });
    });
}

function properties(filters: JsonObject): Json | undefined {
  const raw = filters.properties;
  if (Array.isArray(raw) && raw.length) return { type: 'AND', values: [{ type: 'AND', values: clone(raw) }] };
  if (isObject(raw) && Object.keys(raw).length) return clone(raw);
  return undefined;
}

function breakdownFilter(filters: JsonObject, type: string): JsonObject | undefined {
  if (type !== 'TRENDS' && type !== 'FUNNELS') return undefined;
  let breakdownType = filters.breakdown_type;
  if (breakdownType === 'events') breakdownType = 'event';
  if (filters.breakdown !== undefined && filters.breakdown !== null && (breakdownType === undefined || breakdownType === null))
    breakdownType = 'event';
  const out = compact({
    breakdown_type: breakdownType,
    breakdown: filters.breakdown,
    breakdown_normalize_url: filters.breakdown_normalize_url,
    breakdown_group_type_index: filters.breakdown_group_type_index,
    breakdown_histogram_bin_count: type === 'TRENDS' ? filters.breakdown_histogram_bin_count : undefined,
  });
  return Object.keys(out).length ? out : undefined;
}

function trendsFilter(filters: JsonObject): JsonObject | undefined {
  const display = typeof filters.display === 'string' && DISPLAYS.has(filters.display) ? filters.display : undefined;
  const out = compact({
    smoothingIntervals: filters.smoothing_intervals,
    formula: filters.formula,
    display,
    showValuesOnSeries: filters.show_values_on_series,
    showPercentStackView: filters.show_percent_stack_view,
    aggregationAxisFormat: filters.aggregation_axis_format,
    aggregationAxisPrefix: filters.aggregation_axis_prefix,
    aggregationAxisPostfix: filters.aggregation_axis_postfix,
  });
  return Object.keys(out).length ? out : undefined;
}

/** The synthesised query, or null where `filter_to_query` raises (unknown insight type). */
export function queryFromFilters(filters: JsonObject): JsonObject | null {
  const type = insightType(filters);
  const kind = QUERY_KIND[type];
  if (!kind) return null;
  const dateRange = compact({ date_from: filters.date_from, date_to: filters.date_to });
  const withSeries = type !== 'RETENTION' && type !== 'PATHS';
  let interval = withSeries ? filters.interval : undefined;
  if (interval === 'minute') interval = 'hour';
  const source = compact({
    kind,
    dateRange: Object.keys(dateRange).length ? dateRange : undefined,
    interval,
    series: withSeries ? series(filters, kind) : undefined,
    samplingFactor: typeof filters.sampling_factor === 'number' ? filters.sampling_factor : undefined,
    filterTestAccounts: filters.filter_test_accounts,
    properties: properties(filters),
    breakdownFilter: breakdownFilter(filters, type),
    aggregation_group_type_index: type === 'STICKINESS' || type === 'LIFECYCLE' ? undefined : filters.aggregation_group_type_index,
    trendsFilter: type === 'TRENDS' ? trendsFilter(filters) : undefined,
    retentionFilter: type === 'RETENTION' ? {} : undefined,
    pathsFilter: type === 'PATHS' ? {} : undefined,
  });
  return { kind: 'InsightVizNode', source, full: true };
}

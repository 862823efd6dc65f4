// The properties PostHog's query schema declares for the node kinds a saved insight usually holds,
// read from frontend/src/queries/schema/schema-general.ts (interfaces with their `extends`
// chains flattened) and the property-filter interfaces of frontend/src/types.ts. The pydantic
// models generated from it (posthog/schema.py) use `extra="forbid"`, so any other key is refused.
// Kinds and sub-objects not listed here are passed unchecked.

/** Where a property's value goes next. */
export type ChildSpec =
  | { type: string }
  | { list: ChildSpec }
  | { map: ChildSpec }
  /** A union discriminated on `kind`: kind → type name. */
  | { kinds: Record<string, string> }
  /** `AnyPropertyFilter[] | PropertyGroupFilter` */
  | { properties: true };

export interface TypeDef {
  props: readonly string[];
  required?: readonly string[];
  children?: Readonly<Record<string, ChildSpec>>;
}

const NODE = ['kind', 'version'];
const WITH_RESPONSE = [...NODE, 'response'];
const DATA_NODE = [...WITH_RESPONSE, 'modifiers', 'tags'];
const ENTITY_NODE = [
  ...WITH_RESPONSE, 'name', 'custom_name', 'math', 'math_multiplier', 'math_property', 'math_property_type',
  'math_property_revenue_currency', 'math_hogql', 'math_group_type_index', 'properties', 'fixedProperties', 'optionalInFunnel',
];
const INSIGHTS_QUERY_BASE = [
  ...WITH_RESPONSE, 'dateRange', 'filterTestAccounts', 'properties', 'aggregation_group_type_index', 'samplingFactor',
  'dataColorTheme', 'modifiers', 'tags',
];
const INSIGHT_VIZ_VIEW_PROPS = [
  'full', 'showHeader', 'showTable', 'showCorrelationTable', 'showLastComputation', 'showLastComputationRefresh', 'showFilters',
  'showResults', 'embedded', 'suppressSessionAnalysisWarning', 'hidePersonsModal', 'hideTooltipOnScroll', 'vizSpecificOptions',
];
const DATA_TABLE_VIEW_PROPS = [
  'full', 'showEventFilter', 'showEventsFilter', 'showSearch', 'showPropertyFilter', 'showTestAccountFilters', 'showHogQLEditor',
  'showActions', 'showRecordingColumn', 'showDateRange', 'showExport', 'showReload', 'showCount', 'showElapsedTime', 'showTimings',
  'showColumnConfigurator', 'showPersistentColumnConfigurator', 'contextKey', 'showSavedQueries', 'showSavedFilters', 'showTableViews',
  'showAbsoluteTime', 'expandable', 'propertiesViaUrl', 'allowSorting', 'showOpenEditorButton', 'showResultsTable',
  'showSourceQueryOptions', 'embedded', 'context', 'defaultColumns',
];

/** `InsightQueryNode`: what an InsightVizNode may wrap. */
const INSIGHT_QUERY_KINDS: Record<string, string> = Object.fromEntries(
  ['TrendsQuery', 'FunnelsQuery', 'RetentionQuery', 'PathsQuery', 'StickinessQuery', 'LifecycleQuery', 'CalendarHeatmapQuery'].map((k) => [k, k]),
);

/** DataTableNode's `source` union; kinds without a TypeDef here map to '' (checked for kind only). */
const DATA_TABLE_SOURCE_KINDS: Record<string, string> = {
  ...Object.fromEntries(
    [
      'PersonsNode', 'ActorsQuery', 'GroupsQuery', 'WebOverviewQuery', 'WebStatsTableQuery', 'WebExternalClicksTableQuery', 'WebGoalsQuery',
      'WebVitalsQuery', 'WebVitalsPathBreakdownQuery', 'SessionAttributionExplorerQuery', 'SessionsQuery', 'RevenueAnalyticsGrossRevenueQuery',
      'RevenueAnalyticsMetricsQuery', 'RevenueAnalyticsMRRQuery', 'RevenueAnalyticsOverviewQuery', 'RevenueAnalyticsTopCustomersQuery',
      'RevenueExampleEventsQuery', 'RevenueExampleDataWarehouseTablesQuery', 'MarketingAnalyticsTableQuery',
      'MarketingAnalyticsAggregatedQuery', 'NonIntegratedConversionsTableQuery', 'ErrorTrackingQuery', 'ErrorTrackingIssueCorrelationQuery',
      'ExperimentFunnelsQuery', 'ExperimentTrendsQuery', 'TracesQuery', 'TraceQuery', 'EndpointsUsageTableQuery', 'AccountsQuery',
    ].map((k) => [k, '']),
  ),
  EventsNode: 'EventsNode',
  EventsQuery: 'EventsQuery',
  HogQLQuery: 'HogQLQuery',
};

const ENTITY_KINDS = { EventsNode: 'EventsNode', ActionsNode: 'ActionsNode' };
const PROPERTIES: ChildSpec = { properties: true };
const ENTITY_CHILDREN = { properties: { list: { type: 'PropertyFilter' } }, fixedProperties: { list: { type: 'PropertyFilter' } } };
const IQB_CHILDREN = { dateRange: { type: 'DateRange' }, properties: PROPERTIES };

export const TYPES: Readonly<Record<string, TypeDef>> = {
  InsightVizNode: {
    props: [...NODE, 'source', ...INSIGHT_VIZ_VIEW_PROPS],
    required: ['source'],
    children: { source: { kinds: INSIGHT_QUERY_KINDS } },
  },
  DataVisualizationNode: {
    props: [...NODE, 'source', 'display', 'chartSettings', 'tableSettings'],
    required: ['source'],
    children: { source: { type: 'HogQLQuery' }, chartSettings: { type: 'ChartSettings' }, tableSettings: { type: 'TableSettings' } },
  },
  DataTableNode: {
    props: [...WITH_RESPONSE, 'source', 'columns', 'hiddenColumns', 'pinnedColumns', 'tags', ...DATA_TABLE_VIEW_PROPS],
    required: ['source'],
    children: { source: { kinds: DATA_TABLE_SOURCE_KINDS } },
  },
  HogQuery: { props: [...DATA_NODE, 'code'] },
  HogQLQuery: {
    props: [...DATA_NODE, 'query', 'connectionId', 'sendRawQuery', 'filters', 'variables', 'values', 'explain', 'name'],
    required: ['query'],
    children: { filters: { type: 'HogQLFilters' }, variables: { map: { type: 'HogQLVariable' } } },
  },
  HogQLFilters: { props: ['properties', 'dateRange', 'filterTestAccounts'], children: { properties: { list: { type: 'PropertyFilter' } }, dateRange: { type: 'DateRange' } } },
  HogQLVariable: { props: ['variableId', 'code_name', 'value', 'isNull'], required: ['variableId', 'code_name'] },
  TrendsQuery: {
    props: [...INSIGHTS_QUERY_BASE, 'interval', 'series', 'trendsFilter', 'calendarHeatmapFilter', 'breakdownFilter', 'compareFilter', 'conversionGoal'],
    required: ['series'],
    children: {
      ...IQB_CHILDREN,
      series: { list: { kinds: { ...ENTITY_KINDS, DataWarehouseNode: 'DataWarehouseNode', GroupNode: 'GroupNode' } } },
      trendsFilter: { type: 'TrendsFilter' },
      calendarHeatmapFilter: { type: 'CalendarHeatmapFilter' },
      breakdownFilter: { type: 'BreakdownFilter' },
      compareFilter: { type: 'CompareFilter' },
    },
  },
  FunnelsQuery: {
    props: [...INSIGHTS_QUERY_BASE, 'interval', 'series', 'funnelsFilter', 'breakdownFilter', 'compareFilter'],
    required: ['series'],
    children: {
      ...IQB_CHILDREN,
      series: { list: { kinds: { ...ENTITY_KINDS, FunnelsDataWarehouseNode: 'FunnelsDataWarehouseNode', GroupNode: 'GroupNode' } } },
      funnelsFilter: { type: 'FunnelsFilter' },
      breakdownFilter: { type: 'BreakdownFilter' },
      compareFilter: { type: 'CompareFilter' },
    },
  },
  RetentionQuery: {
    props: [...INSIGHTS_QUERY_BASE, 'retentionFilter', 'breakdownFilter'],
    required: ['retentionFilter'],
    children: { ...IQB_CHILDREN, retentionFilter: { type: 'RetentionFilter' }, breakdownFilter: { type: 'BreakdownFilter' } },
  },
  PathsQuery: {
    props: [...INSIGHTS_QUERY_BASE, 'pathsFilter', 'funnelPathsFilter'],
    required: ['pathsFilter'],
    children: { ...IQB_CHILDREN, pathsFilter: { type: 'PathsFilter' } },
  },
  StickinessQuery: {
    props: [...INSIGHTS_QUERY_BASE.filter((p) => p !== 'aggregation_group_type_index'), 'interval', 'intervalCount', 'series', 'stickinessFilter', 'compareFilter'],
    required: ['series'],
    children: {
      ...IQB_CHILDREN,
      series: { list: { kinds: { ...ENTITY_KINDS, DataWarehouseNode: 'DataWarehouseNode' } } },
      stickinessFilter: { type: 'StickinessFilter' },
      compareFilter: { type: 'CompareFilter' },
    },
  },
  LifecycleQuery: {
    props: [...INSIGHTS_QUERY_BASE, 'interval', 'series', 'lifecycleFilter', 'customAggregationTarget'],
    required: ['series'],
    children: {
      ...IQB_CHILDREN,
      series: { list: { kinds: { ...ENTITY_KINDS, LifecycleDataWarehouseNode: 'LifecycleDataWarehouseNode' } } },
      lifecycleFilter: { type: 'LifecycleFilter' },
    },
  },
  CalendarHeatmapQuery: {
    props: [...INSIGHTS_QUERY_BASE, 'interval', 'series', 'calendarHeatmapFilter', 'conversionGoal'],
    required: ['series'],
    children: {
      ...IQB_CHILDREN,
      series: { list: { kinds: { ...ENTITY_KINDS, DataWarehouseNode: 'DataWarehouseNode' } } },
      calendarHeatmapFilter: { type: 'CalendarHeatmapFilter' },
    },
  },
  EventsNode: { props: [...ENTITY_NODE, 'event', 'limit', 'orderBy'], children: ENTITY_CHILDREN },
  ActionsNode: { props: [...ENTITY_NODE, 'id'], required: ['id'], children: ENTITY_CHILDREN },
  DataWarehouseNode: {
    props: [...ENTITY_NODE, 'id', 'id_field', 'table_name', 'timestamp_field', 'distinct_id_field', 'dw_source_type'],
    required: ['id', 'id_field', 'table_name', 'timestamp_field', 'distinct_id_field'],
    children: ENTITY_CHILDREN,
  },
  FunnelsDataWarehouseNode: {
    props: [...ENTITY_NODE, 'id', 'id_field', 'table_name', 'timestamp_field', 'aggregation_target_field', 'dw_source_type'],
    children: ENTITY_CHILDREN,
  },
  LifecycleDataWarehouseNode: {
    props: [...ENTITY_NODE, 'id', 'table_name', 'timestamp_field', 'aggregation_target_field', 'created_at_field'],
    children: ENTITY_CHILDREN,
  },
  GroupNode: {
    props: [...ENTITY_NODE, 'operator', 'nodes', 'limit', 'orderBy'],
    children: { ...ENTITY_CHILDREN, nodes: { list: { kinds: { ...ENTITY_KINDS, DataWarehouseNode: 'DataWarehouseNode' } } } },
  },
  FunnelExclusionEventsNode: { props: [...ENTITY_NODE, 'event', 'limit', 'orderBy', 'funnelFromStep', 'funnelToStep'], children: ENTITY_CHILDREN },
  FunnelExclusionActionsNode: { props: [...ENTITY_NODE, 'id', 'funnelFromStep', 'funnelToStep'], children: ENTITY_CHILDREN },
  EventsQuery: {
    props: [
      ...DATA_NODE, 'source', 'select', 'where', 'properties', 'fixedProperties', 'filterTestAccounts', 'event', 'events', 'limit', 'offset',
      'actionId', 'actionSteps', 'personId', 'before', 'after', 'orderBy',
    ],
    required: ['select'],
    children: { properties: { list: { type: 'PropertyFilter' } } },
  },
  DateRange: { props: ['date_from', 'date_to', 'explicitDate'] },
  CompareFilter: { props: ['compare', 'compare_to'] },
  CalendarHeatmapFilter: { props: ['bucketBySessionStart'] },
  BreakdownFilter: {
    props: [
      'breakdown_type', 'breakdown_limit', 'breakdown', 'breakdown_normalize_url', 'breakdown_path_cleaning', 'breakdowns',
      'breakdown_group_type_index', 'breakdown_histogram_bin_count', 'breakdown_hide_other_aggregation',
    ],
    children: { breakdowns: { list: { type: 'Breakdown' } } },
  },
  Breakdown: { props: ['type', 'property', 'normalize_url', 'group_type_index', 'histogram_bin_count'], required: ['property'] },
  TrendsFilter: {
    props: [
      'smoothingIntervals', 'formula', 'formulas', 'formulaNodes', 'display', 'showLegend', 'legendPosition', 'showAlertThresholdLines',
      'breakdown_histogram_bin_count', 'aggregationAxisFormat', 'aggregationAxisPrefix', 'aggregationAxisPostfix', 'decimalPlaces',
      'minDecimalPlaces', 'xAxisLabel', 'yAxisLabel', 'showValuesOnSeries', 'showLabelsOnSeries', 'showPercentStackView',
      'stackBreakdownValues', 'yAxisScaleType', 'showMultipleYAxes', 'hiddenLegendIndexes', 'resultCustomizationBy',
      'resultCustomizations', 'goalLines', 'showConfidenceIntervals', 'confidenceLevel', 'showTrendLines', 'showMovingAverage',
      'movingAverageIntervals', 'detailedResultsAggregationType', 'excludeBoxPlotOutliers', 'hideWeekends', 'showAnnotations',
      'metricShowChange', 'metricChangeIncreaseColor', 'metricChangeDecreaseColor', 'metricColorByDirection', 'metricLineIncreaseColor',
      'metricLineDecreaseColor', 'metricSummary',
    ],
    children: { goalLines: { list: { type: 'GoalLine' } } },
  },
  FunnelsFilter: {
    props: [
      'exclusions', 'layout', 'binCount', 'breakdownAttributionType', 'breakdownAttributionValue', 'funnelAggregateByHogQL',
      'customAggregationTarget', 'funnelToStep', 'funnelFromStep', 'funnelOrderType', 'funnelVizType', 'funnelWindowInterval',
      'funnelWindowIntervalUnit', 'hiddenLegendBreakdowns', 'funnelStepReference', 'useUdf', 'resultCustomizations', 'goalLines',
      'showTrendLines', 'showLegend', 'legendPosition', 'showValuesOnSeries', 'breakdownSorting', 'showAnnotations',
      'hideIncompleteConversionWindowPeriods',
    ],
    children: {
      exclusions: { list: { kinds: { EventsNode: 'FunnelExclusionEventsNode', ActionsNode: 'FunnelExclusionActionsNode' } } },
      goalLines: { list: { type: 'GoalLine' } },
    },
  },
  RetentionFilter: {
    props: [
      'retentionType', 'retentionReference', 'totalIntervals', 'minimumOccurrences', 'returningEntity', 'targetEntity', 'period',
      'cumulative', 'timeWindowMode', 'retentionCustomBrackets', 'aggregationType', 'aggregationProperty', 'aggregationPropertyType',
      'customAggregationTarget', 'meanRetentionCalculation', 'display', 'dashboardDisplay', 'showTrendLines', 'selectedInterval',
      'goalLines', 'cohortLabelStartIndex',
    ],
  },
  PathsFilter: {
    props: [
      'edgeLimit', 'pathsHogQLExpression', 'includeEventTypes', 'startPoint', 'endPoint', 'pathGroupings', 'excludeEvents', 'stepLimit',
      'pathReplacements', 'localPathCleaningFilters', 'minEdgeWeight', 'maxEdgeWeight', 'showFullUrls', 'pathStartKey', 'pathEndKey',
      'pathDropoffKey',
    ],
  },
  StickinessFilter: {
    props: [
      'display', 'showLegend', 'legendPosition', 'showValuesOnSeries', 'showMultipleYAxes', 'hiddenLegendIndexes', 'stickinessCriteria',
      'computedAs', 'resultCustomizationBy', 'resultCustomizations',
    ],
  },
  LifecycleFilter: { props: ['showValuesOnSeries', 'showPercentagesOnSeries', 'toggledLifecycles', 'showLegend', 'legendPosition', 'stacked'] },
  GoalLine: { props: ['label', 'value', 'borderColor', 'displayLabel', 'displayIfCrossed', 'position'] },
  ChartSettings: {
    props: [
      'xAxis', 'xAxisLabel', 'yAxis', 'goalLines', 'yAxisAtZero', 'leftYAxisSettings', 'rightYAxisSettings', 'stackBars100',
      'seriesBreakdownColumn', 'showXAxisTicks', 'showXAxisBorder', 'showYAxisBorder', 'showLegend', 'showValuesOnSeries', 'showPieTotal',
      'showTotalRow', 'showNullsAsZero', 'heatmap', 'pie', 'resultCustomizations',
    ],
    children: { goalLines: { list: { type: 'GoalLine' } } },
  },
  TableSettings: { props: ['columns', 'conditionalFormatting', 'pinnedColumns', 'transpose'] },
  /** The union of keys the property-filter interfaces declare (BasePropertyFilter + operator + group/cohort extras). */
  PropertyFilter: { props: ['key', 'value', 'label', 'type', 'operator', 'group_type_index', 'cohort_name', 'group_key_names'] },
  PropertyGroupFilter: { props: ['type', 'values'], required: ['type', 'values'] },
};

/** Property-filter `type`s whose interfaces are known; others are passed unchecked. */
export const CHECKED_PROPERTY_FILTER_TYPES = new Set([
  'event', 'person', 'element', 'session', 'cohort', 'group', 'hogql', 'feature', 'flag', 'data_warehouse',
  'data_warehouse_person_property', 'event_metadata', 'revenue_analytics',
]);

/** `QuerySchema` (the union `QuerySchemaRoot` validates against): every node kind a query may be. */
export const QUERY_SCHEMA_KINDS = [
  'EventsNode', 'ActionsNode', 'PersonsNode', 'DataWarehouseNode', 'FunnelsDataWarehouseNode', 'LifecycleDataWarehouseNode', 'EventsQuery',
  'SessionsQuery', 'ActorsQuery', 'GroupsQuery', 'InsightActorsQuery', 'InsightActorsQueryOptions', 'SessionsTimelineQuery', 'HogQuery',
  'HogQLQuery', 'HogQLMetadata', 'HogQLAutocomplete', 'SessionAttributionExplorerQuery', 'RevenueExampleEventsQuery',
  'RevenueExampleDataWarehouseTablesQuery', 'ErrorTrackingQuery', 'ErrorTrackingSimilarIssuesQuery', 'ErrorTrackingBreakdownsQuery',
  'ErrorTrackingIssueCorrelationQuery', 'ExperimentFunnelsQuery', 'ExperimentTrendsQuery', 'ExperimentQuery', 'ExperimentExposureQuery',
  'DocumentSimilarityQuery', 'WebOverviewQuery', 'WebStatsTableQuery', 'WebExternalClicksTableQuery', 'WebGoalsQuery', 'WebVitalsQuery',
  'WebVitalsPathBreakdownQuery', 'WebPageURLSearchQuery', 'WebAnalyticsExternalSummaryQuery', 'WebNotableChangesQuery',
  'RevenueAnalyticsGrossRevenueQuery', 'RevenueAnalyticsMetricsQuery', 'RevenueAnalyticsMRRQuery', 'RevenueAnalyticsOverviewQuery',
  'RevenueAnalyticsTopCustomersQuery', 'MarketingAnalyticsTableQuery', 'MarketingAnalyticsAggregatedQuery',
  'NonIntegratedConversionsTableQuery', 'DataVisualizationNode', 'DataTableNode', 'SavedInsightNode', 'InsightVizNode', 'TrendsQuery',
  'FunnelsQuery', 'RetentionQuery', 'PathsQuery', 'StickinessQuery', 'LifecycleQuery', 'FunnelCorrelationQuery', 'DatabaseSchemaQuery',
  'RecordingsQuery', 'LogsQuery', 'LogAttributesQuery', 'LogValuesQuery', 'TraceSpansQuery', 'TraceSpansAggregationQuery',
  'TraceSpansTreeQuery', 'TraceSpansAttributeBreakdownQuery', 'SuggestedQuestionsQuery', 'TeamTaxonomyQuery', 'EventTaxonomyQuery',
  'ActorsPropertyTaxonomyQuery', 'TracesQuery', 'TraceQuery', 'TraceNeighborsQuery', 'VectorSearchQuery', 'UsageMetricsQuery',
  'AccountsQuery', 'EndpointsUsageOverviewQuery', 'EndpointsUsageTableQuery', 'EndpointsUsageTrendsQuery', 'MCPHarnessBreakdownQuery',
  'MCPToolTopUsersQuery', 'MCPToolFailuresQuery', 'MCPToolStatsQuery', 'MCPToolDailyStatsQuery', 'MCPToolDescriptionsQuery',
  'MCPToolSampleIntentsQuery', 'MCPToolNeighborsQuery', 'PropertyValuesQuery',
] as const;

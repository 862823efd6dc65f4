// `validate_alert_config` (products/alerts/backend/evaluation/validation.py) and the detector
// checks of `AlertSerializer.validate_detector_config` (products/alerts/backend/api/alert.py).
// A `ValueError` there becomes the alert API's 400 with `attr: null` (one message in AlertConfigError).
import { fail } from './errors.js';
import { isObject, type Json, type JsonObject } from './json.js';
import {
  ALERT_CONDITION,
  DETECTOR_CONFIG,
  FUNNELS_ALERT_CONFIG,
  HOGQL_ALERT_CONFIG,
  INSIGHT_THRESHOLD,
  parseModel,
  parseUnion,
  pyStr,
  TRENDS_ALERT_CONFIG,
} from './alert-models.js';

export class AlertConfigError extends Error {}

/** THRESHOLD_BOUNDS_REQUIRED_MESSAGE: the API reports it under `threshold.configuration`. */
export const BOUNDS_REQUIRED = 'At least one threshold bound (lower or upper) must be provided.';

export const CALCULATION_INTERVALS = ['real_time', 'every_15_minutes', 'hourly', 'daily', 'weekly', 'monthly'] as const;

const WRAPPER_NODE_KINDS = ['DataTableNode', 'DataVisualizationNode', 'InsightVizNode'];
/** posthog/tasks/alerts/utils.py NON_TIME_SERIES_DISPLAY_TYPES (the newest adds ActionsDonut). */
const NON_TIME_SERIES_DISPLAYS = ['BoldNumber', 'ActionsPie', 'ActionsDonut', 'ActionsBarValue', 'ActionsTable', 'WorldMap'];
/** dispatcher.py DETECTOR_EXTRACTORS: the kinds anomaly detection can read. */
const DETECTOR_KINDS = ['TrendsQuery', 'HogQLQuery'];

const error = (message: string): never => {
  throw new AlertConfigError(message);
};

interface Context {
  config: JsonObject;
  query: JsonObject;
  kind: string | undefined;
  condition: string;
  threshold: Json | undefined;
  bounds: boolean;
  detector: Json;
}

function isNonTimeSeriesTrend(query: JsonObject): boolean {
  const filter = query.trendsFilter;
  return isObject(filter) && typeof filter.display === 'string' && NON_TIME_SERIES_DISPLAYS.includes(filter.display);
}

function thresholdHasBounds(threshold: Json | undefined): boolean {
  const parsed = threshold === undefined || threshold === null ? undefined : parseModel(INSIGHT_THRESHOLD, threshold).value;
  const bounds = parsed?.bounds;
  return isObject(bounds) && (bounds.lower !== null || bounds.upper !== null);
}

function requireBounds(ctx: Context): void {
  if (ctx.bounds && !thresholdHasBounds(ctx.threshold)) error(BOUNDS_REQUIRED);
}

/** `_validate_condition_threshold_compatibility`: the parsed threshold, when there is one. */
function compatibleThreshold(ctx: Context): JsonObject | undefined {
  if (ctx.threshold === undefined || ctx.threshold === null) return undefined;
  const parsed = parseModel(INSIGHT_THRESHOLD, ctx.threshold).value;
  if (!parsed) return error(`Alert has invalid threshold configuration: ${pyStr(ctx.threshold)}`);
  if (ctx.condition === 'absolute_value' && parsed.type !== 'absolute') {
    error('Absolute value alerts require an absolute threshold, but a percentage threshold was configured');
  }
  return parsed;
}

function checkOngoing(ctx: Context, threshold: JsonObject | undefined, ongoing: Json): void {
  if (!threshold || ongoing !== true || !['absolute_value', 'relative_increase'].includes(ctx.condition)) return;
  const bounds = threshold.bounds;
  if (!isObject(bounds) || bounds.upper === null) {
    error(`check_ongoing_interval is only supported for alert condition ${ctx.condition} when upper threshold is specified`);
  }
}

function trends(ctx: Context): void {
  const config = parseModel(TRENDS_ALERT_CONFIG, ctx.config).value ?? error(`Alert has invalid TrendsAlertConfig: ${pyStr(ctx.config)}`);
  if (ctx.kind !== 'TrendsQuery') error(`Alert's insight query kind '${ctx.kind ?? 'None'}' is not supported (only TrendsQuery)`);
  if (ctx.detector !== null && isNonTimeSeriesTrend(ctx.query)) error("Anomaly detection isn't supported for non time series trends");
  if (ctx.condition !== 'absolute_value' && isNonTimeSeriesTrend(ctx.query)) {
    error(`Relative alert condition '${ctx.condition}' is not compatible with non time series trends`);
  }
  const filter = isObject(ctx.query.trendsFilter) ? ctx.query.trendsFilter : {};
  const formulaNodes = Array.isArray(filter.formulaNodes) && filter.formulaNodes.length ? filter.formulaNodes : undefined;
  const count = formulaNodes ? formulaNodes.length : Array.isArray(ctx.query.series) ? ctx.query.series.length : 0;
  const index = config.series_index as number;
  if (index >= count) error(`series_index ${index} is out of range (query has ${count} series)`);
  checkOngoing(ctx, compatibleThreshold(ctx), config.check_ongoing_interval as Json);
  requireBounds(ctx);
}

function hogql(ctx: Context): void {
  if (ctx.kind !== 'HogQLQuery') error(`SQL alert config requires a HogQLQuery insight, got '${ctx.kind ?? 'None'}'`);
  const config = parseModel(HOGQL_ALERT_CONFIG, ctx.config).value ?? error(`Alert has invalid HogQLAlertConfig: ${pyStr(ctx.config)}`);
  if (config.evaluation === 'any_row' && ctx.condition !== 'absolute_value')
    error('Any-row SQL alerts only support absolute value conditions');
  if (ctx.detector !== null && config.evaluation === 'any_row') {
    error("Anomaly detection isn't supported for any-row SQL alerts — use last-row or first-row");
  }
  compatibleThreshold(ctx);
  requireBounds(ctx);
}

/** funnel_strategies.py: `strategy_for_viz` and the steps funnel's `validate_config`. */
function funnels(ctx: Context): void {
  if (ctx.kind !== 'FunnelsQuery') error(`Funnel alert config requires a FunnelsQuery insight, got '${ctx.kind ?? 'None'}'`);
  const config = parseModel(FUNNELS_ALERT_CONFIG, ctx.config).value ?? error(`Alert has invalid FunnelsAlertConfig: ${pyStr(ctx.config)}`);
  const viz = isObject(ctx.query.funnelsFilter) ? ctx.query.funnelsFilter.funnelVizType : undefined;
  const vizType = typeof viz === 'string' && viz ? viz : 'steps';
  if (vizType !== 'steps' && vizType !== 'trends') error(`Funnel alerts aren't supported for the '${pyStr(viz ?? null)}' visualization.`);
  if (ctx.condition !== 'absolute_value' && vizType === 'steps') error('This funnel only supports absolute value conditions');
  if (vizType === 'steps') {
    const step = config.funnel_step as number | null;
    const steps = Array.isArray(ctx.query.series) ? ctx.query.series.length : 0;
    if (step !== null && step < 0) error(`funnel_step must be >= 0, got ${step}`);
    if (step !== null && step >= steps) error(`funnel_step ${step} is out of range (funnel has ${steps} steps)`);
    if (config.metric === 'conversion_from_previous' && step === 0) {
      error('conversion_from_previous is undefined at the first step; use conversion_from_start instead');
    }
  }
  compatibleThreshold(ctx);
  requireBounds(ctx);
}

/** MetricsQuery insights cannot be stored here (the emulator's query schema has no MetricsQuery), so only the kind check can run. */
function metrics(ctx: Context): void {
  if (ctx.kind !== 'MetricsQuery') error(`Metrics alert config requires a MetricsQuery insight, got '${ctx.kind ?? 'None'}'`);
  compatibleThreshold(ctx);
  requireBounds(ctx);
}

const VALIDATORS: Record<string, (ctx: Context) => void> = {
  HogQLAlertConfig: hogql,
  TrendsAlertConfig: trends,
  FunnelsAlertConfig: funnels,
  MetricsAlertConfig: metrics,
};

export interface AlertConfigInput {
  /** The insight's query, upgraded (`upgrade_query`). */
  query: JsonObject;
  condition: Json;
  config: Json;
  threshold: Json | undefined;
  interval: string;
  detector: Json;
  requireBounds: boolean;
}

/** Throws AlertConfigError with the message PostHog's ValueError carries. */
export function validateAlertConfig(input: AlertConfigInput): void {
  if (!(CALCULATION_INTERVALS as readonly string[]).includes(input.interval)) error(`Invalid calculation interval: ${input.interval}`);
  const condition = parseModel(ALERT_CONDITION, input.condition).value ?? error(`Alert has invalid condition: ${pyStr(input.condition)}`);
  const configType = isObject(input.config) ? input.config.type : undefined;
  let query = input.query;
  if (typeof query.kind === 'string' && WRAPPER_NODE_KINDS.includes(query.kind) && isObject(query.source)) query = query.source;
  const kind = typeof query.kind === 'string' ? query.kind : undefined;
  if (input.detector !== null && !DETECTOR_KINDS.includes(String(kind)))
    error(`Anomaly detection alerts aren't supported for ${kind ?? 'None'} insights`);
  const validator = typeof configType === 'string' ? VALIDATORS[configType] : undefined;
  if (!validator) return error(`Unsupported alert config type: ${pyStr(input.config)}`);
  validator({
    config: isObject(input.config) ? input.config : {},
    query,
    kind,
    condition: condition.type as string,
    threshold: input.threshold,
    bounds: input.requireBounds && input.detector === null,
    detector: input.detector,
  });
}

/** `_validate_detector_params`: PARAM_RANGES as (min, max, label), written as Python prints the bounds. */
const PARAM_RANGES: Record<string, [number, number, string, string]> = {
  threshold: [0, 1, 'Sensitivity threshold', '0.0 and 1.0'],
  window: [5, 1000, 'Window size', '5 and 1000'],
  n_estimators: [10, 500, 'Number of trees', '10 and 500'],
  n_neighbors: [1, 50, 'Number of neighbors', '1 and 50'],
  n_bins: [5, 50, 'Number of bins', '5 and 50'],
  multiplier: [0.5, 10, 'IQR multiplier', '0.5 and 10.0'],
  training_offset_n: [1, 500, 'Training offset', '1 and 500'],
};

/** A comparison Python makes with `<`: a string or a container there is a TypeError, so a 500. */
function num(v: Json): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return Number(v);
  throw new TypeError(`'<' not supported between instances of '${typeof v}' and 'int'`);
}

function checkParams(config: JsonObject): void {
  for (const [param, [min, max, label, between]] of Object.entries(PARAM_RANGES)) {
    const v = config[param];
    if (v !== undefined && v !== null && (num(v) < min || num(v) > max)) fail(['detector_config'], `${label} must be between ${between}.`);
  }
  const pre = config.preprocessing;
  if (!isObject(pre)) return;
  const check = (key: string, hi: number, message: string) => {
    const v = pre[key];
    if (v !== undefined && v !== null && (num(v) < 0 || num(v) > hi)) fail(['detector_config'], message);
  };
  check('smooth_n', 30, 'Smoothing window must be between 0 and 30.');
  check('lags_n', 10, 'Lag features must be between 0 and 10.');
}

/** `validate_detector_config`: null stays null; otherwise the union's `model_dump()` is what is stored. */
export function validateDetectorConfig(value: Json): Json {
  if (value === null) return null;
  const parsed = parseUnion(DETECTOR_CONFIG, value).value;
  if (!parsed) return fail(['detector_config'], 'Invalid detector configuration.');
  if (parsed.type === 'ensemble') {
    const subs = parsed.detectors as JsonObject[];
    if (subs.length < 2) fail(['detector_config'], 'Ensemble detector requires at least 2 sub-detectors.');
    subs.forEach(checkParams);
  } else if (isObject(value)) checkParams(value);
  return parsed;
}

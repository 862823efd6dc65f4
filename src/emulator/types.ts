// Public and stored shapes of the emulator. Stored rows use PostHog's field names so the raw
// store (`project(id)`, `GET /_emulator/projects/:id`) reads like the real database rows.
import type { Json, JsonObject } from './json.js';

/**
 * A seed item is what a client would POST, plus the few fixed values a seed may pin. An insight
 * may also carry `alerts`: each what a client would POST to `/alerts/` (any writable field; the
 * insight is the parent) plus optional `id` (UUID) and `created_at`, created through the alerts
 * API's validation (`subscribed_users`, `condition` and `config` have defaults, see insight-alerts.ts).
 */
type SeedInsight = JsonObject & { id?: number; short_id?: string; created_at?: string };
type SeedVariable = JsonObject & { id?: string; created_at?: string };
/**
 * A hog function as POSTed (secret inputs with their plain values), plus optional `logs` and
 * `metrics` rows. Their `timestamp` may be relative to seeding time (`-3h`, `-2d`, `-15m`).
 */
type SeedHogFunction = JsonObject & { id?: string; created_at?: string };
type SeedAction = JsonObject & { id?: number; created_at?: string };
type SeedCohort = JsonObject & { id?: number; created_at?: string };

export interface SeedProject {
  id: number;
  name: string;
  insights?: SeedInsight[];
  insight_variables?: SeedVariable[];
  hog_functions?: SeedHogFunction[];
  /**
   * Actions as POSTed to `actions/` (the old `{id, name}` form is one), plus optional fixed
   * `id` and `created_at`.
   */
  actions?: SeedAction[];
  /** Cohorts as POSTed to `cohorts/`, plus optional `id` and `created_at`; seeded after actions, in order. */
  cohorts?: SeedCohort[];
  /** Dashboards (what a client would POST, with their tiles), seeded before the insights. */
  dashboards?: SeedDashboard[];
  /** The organisation has the paid TAGGING feature (default true). */
  tagging?: boolean;
  /**
   * The PostHog serving this project has hog-function drafts and revisions (default true): its
   * hog-function answers carry `version`, `draft` and `draft_updated_at`, and an update with a
   * stale `base_updated_at` is refused (409). `false` models an older or self-hosted PostHog
   * (products/cdp/backend/api/hog_function.py at 97b1610): none of those fields, and
   * `base_updated_at` dropped unread like any unknown key, so the last writer wins. Set per
   * project, so that one emulator can stand for an old self-hosted instance and a current one.
   */
  hog_function_drafts?: boolean;
  /**
   * PostHog feature flags enabled for the team. Default `["logs-transformations",
   * "hogql-insight-alerts", "funnel-insight-alerts"]` (creating `transformation_log` functions, and
   * alerts on SQL and funnel insights, are gated on them); `[]` models a team without any.
   */
  feature_flags?: string[];
  /** The organisation's alert entitlements (default: alerts without limit, no add-ons). */
  alert_plan?: AlertPlan;
}

/**
 * The alert features of the organisation's plan (`AvailableFeature` ALERTS, HIGH_FREQUENCY_ALERTS,
 * REAL_TIME_ALERTS, as `AlertConfiguration.check_alert_limit` and the interval gates read them).
 */
export interface AlertPlan {
  /** ALERTS: `true` (default) without limit, a number as its limit, `false` for none (the free tier's 5). */
  alerts?: boolean | number;
  /** HIGH_FREQUENCY_ALERTS, which `every_15_minutes` needs (default false). */
  high_frequency?: boolean;
  /** REAL_TIME_ALERTS, which `real_time` needs: `false` (default), `true`, or a limit of enabled ones. */
  real_time?: boolean | number;
}

/**
 * A dashboard as POSTed (name, description, pinned, tags, filters, …; `variables` as a PATCH sets
 * them), plus an optional fixed `id`, `created_at` and `creation_mode` (`default`, `template`,
 * `duplicate` or `unlisted`: unlisted ones do not count for `?saved=true`), and optional `tiles`:
 * `[{insight: <seed insight id>, layouts?, color?, …}, {text: {body}, layouts?, …}]`, applied once
 * the project's insights exist.
 */
type SeedDashboard = JsonObject & { id?: number; created_at?: string; creation_mode?: string; tiles?: JsonObject[] };

export interface SeedDoc {
  projects: SeedProject[];
}

export interface RequestLogEntry {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** 0 when the socket was destroyed without an answer (reset-after-commit fault). */
  status: number;
  bucket: 'insights' | 'crud' | null;
  /** A short fingerprint of the personal API key used, never the key. */
  key: string | null;
  startedAt: string;
  durationMs: number;
  /** A write took effect. */
  committed: boolean;
  /** When the write took effect (ISO time); with `commitDelayMs` this can be long after the client gave up. */
  committedAt?: string;
  /** Which injected fault shaped this answer, if any (the last one applied). */
  fault?: FaultName;
}

type FaultName =
  | 'fail'
  | 'reset_after_commit'
  | 'error_after_commit'
  | 'redirect'
  | 'malformed'
  | 'malformed_after_commit'
  | 'endless_list'
  | 'echo_error'
  | 'delayed_commit'
  | 'padded';

/** A `Dashboard` row (products/dashboards/backend/models/dashboard.py). */
export interface StoredDashboard {
  id: number;
  name: string | null;
  description: string;
  pinned: boolean;
  created_at: string;
  created_by: number | null;
  deleted: boolean;
  last_accessed_at: string | null;
  last_refresh: string | null;
  /** Written raw from the request body (any JSON object). */
  filters: JsonObject;
  variables: JsonObject | null;
  breakdown_colors: Json;
  data_color_theme_id: number | null;
  creation_mode: string;
  restriction_level: number;
  quick_filter_ids: string[] | null;
  tags: string[];
}

/**
 * A `DashboardTile` row (products/dashboards/backend/models/dashboard_tile.py): exactly one of
 * insight, text or button tile.
 */
export interface StoredTile {
  id: number;
  dashboard_id: number;
  insight_id: number | null;
  text_id: number | null;
  button_tile_id: string | null;
  layouts: Json;
  color: string | null;
  filters_overrides: Json;
  show_description: boolean | null;
  transparent_background: boolean | null;
  /** Nullable with no default: a new tile reads `null`, a re-added soft-deleted one `false`. */
  deleted: boolean | null;
}

/** A text tile's `Text` row. */
export interface StoredText {
  id: number;
  body: string | null;
  created_by: number | null;
  last_modified_at: string;
  last_modified_by: number | null;
}

/** A `ButtonTile` row (UUID primary key). */
export interface StoredButtonTile {
  id: string;
  url: string;
  text: string;
  placement: string;
  style: string;
  created_by: number | null;
  last_modified_at: string;
  last_modified_by: number | null;
}

/** A `Threshold` row (products/alerts/backend/models/alert.py); `configuration` is stored as sent. */
interface StoredThreshold {
  id: string;
  created_at: string;
  name: string;
  configuration: Json;
}

/** An `AlertCheck` row: the emulator evaluates nothing, so only the ones a snooze change writes. */
export interface StoredAlertCheck {
  id: string;
  created_at: string;
  state: string;
}

/** An `AlertConfiguration` on an insight (products/alerts/backend/models/alert.py). */
export interface StoredAlert {
  id: string;
  insight_id: number;
  name: string;
  /** `AlertSubscription` rows, as user ids. */
  subscribed_users: number[];
  threshold: StoredThreshold | null;
  condition: Json;
  config: Json;
  detector_config: Json;
  calculation_interval: string;
  /** `Firing`, `Not firing`, `Errored` or `Snoozed`. */
  state: string;
  enabled: boolean;
  snoozed_until: string | null;
  skip_weekend: boolean | null;
  schedule_restriction: JsonObject | null;
  investigation_agent_enabled: boolean;
  investigation_gates_notifications: boolean;
  investigation_inconclusive_action: string;
  next_check_at: string | null;
  checks: StoredAlertCheck[];
  created_by: number | null;
  created_at: string;
}

export interface StoredInsight {
  id: number;
  short_id: string;
  name: string | null;
  derived_name: string | null;
  description: string | null;
  filters: JsonObject;
  query: JsonObject | null;
  order: number | null;
  deleted: boolean;
  tags: string[];
  favorited: boolean;
  saved: boolean;
  is_sample: boolean;
  created_at: string;
  created_by: number | null;
  updated_at: string;
  last_modified_at: string;
  last_modified_by: number | null;
  /** The latest `InsightViewed` row (creating through the API records one). */
  last_viewed_at: string | null;
}

export interface StoredVariable {
  id: string;
  name: string;
  type: string;
  default_value: Json;
  values: Json;
  is_multi: boolean;
  values_query: string | null;
  values_query_connection_id: string | null;
  code_name: string;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface StoredHogFunction {
  id: string;
  type: string;
  name: string | null;
  description: string;
  enabled: boolean;
  deleted: boolean;
  hog: string;
  bytecode: Json;
  transpiled: string | null;
  inputs_schema: JsonObject[];
  /** Non-secret inputs, with their compiled `bytecode`/`order`. */
  inputs: JsonObject;
  /** Secret inputs in plain text (the real API encrypts them with Fernet). */
  encrypted_inputs: JsonObject;
  filters: JsonObject;
  masking: JsonObject | null;
  mappings: JsonObject[] | null;
  icon_url: string | null;
  template_id: string | null;
  execution_order: number | null;
  batch_export_id: string | null;
  /** Bumped whenever the live config (hog, inputs_schema, inputs, filters, mappings, masking) changes. */
  version: number;
  created_at: string;
  created_by: number | null;
  updated_at: string;
}

/** An `Action` row (products/actions/backend/models/action.py); steps as `asdict(ActionStepJSON)`. */
export interface StoredAction {
  id: number;
  name: string | null;
  description: string;
  tags: string[];
  post_to_slack: boolean;
  slack_message_format: string;
  steps: JsonObject[];
  created_at: string;
  created_by: number | null;
  deleted: boolean;
  last_calculated_at: string;
  pinned_at: string | null;
  bytecode: Json;
  bytecode_error: string | null;
  updated_at: string;
}

/** A `Cohort` row (products/cohorts/backend/models/cohort.py). */
export interface StoredCohort {
  id: number;
  name: string | null;
  description: string;
  groups: Json;
  deleted: boolean;
  filters: Json;
  query: JsonObject | null;
  version: number | null;
  pending_version: number | null;
  count: number | null;
  is_calculating: boolean;
  created_by: number | null;
  created_at: string;
  last_calculation: string | null;
  errors_calculating: number;
  is_static: boolean;
  cohort_type: string | null;
  /** Emulator bookkeeping: a calculation was queued; the worker finishes it before the next read. */
  calculation_queued: boolean;
}

export interface StoredLogEntry {
  log_source_id: string;
  instance_id: string;
  timestamp: string;
  level: string;
  message: string;
}

export interface StoredMetric {
  app_source_id: string;
  instance_id: string | null;
  timestamp: string;
  metric_name: string;
  metric_kind: string;
  count: number;
}

export interface ProjectStore {
  id: number;
  name: string;
  tagging: boolean;
  /** See SeedProject.hog_function_drafts. */
  hogFunctionDrafts: boolean;
  featureFlags: string[];
  /** Absent: the default plan (see AlertPlan). */
  alertPlan?: AlertPlan;
  actions: StoredAction[];
  cohorts: StoredCohort[];
  dashboards: StoredDashboard[];
  insights: StoredInsight[];
  dashboardTiles: StoredTile[];
  dashboardTexts: StoredText[];
  buttonTiles: StoredButtonTile[];
  alerts: StoredAlert[];
  insightVariables: StoredVariable[];
  hogFunctions: StoredHogFunction[];
  hogFunctionLogs: StoredLogEntry[];
  hogFunctionMetrics: StoredMetric[];
}

export interface Faults {
  latencyMs: number;
  latencyJitterMs: number;
  /** Extra latency per item in an answer (per row of a list page, 1 for one object). */
  latencyPerItemMs?: number;
  /**
   * The same for rows in PostHog's light serializer (`?basic=true`: InsightBasicSerializer,
   * "simplified serializer to speed response times when loading large amounts of objects", in
   * products/product_analytics/backend/api/insight.py), which skips InsightSerializer's per-row
   * result, cache, permission and alert fields. Default: latencyPerItemMs.
   */
  latencyPerBasicItemMs?: number;
  failRate: number;
  failStatus: number;
  resetAfterCommitRate: number;
  errorAfterCommitRate: number;
  seed?: number;
  /** Answer matching requests with a redirect instead of serving them. */
  redirect?: RedirectFault | null;
  /** Answer a share of requests 2xx with a body a client cannot use. */
  malformed?: MalformedFault | null;
  /** List pages that never end: a `next` on every page and/or an inflated `count`. */
  endlessLists?: EndlessListFault | null;
  /** Error answers (4xx/5xx) whose `detail` repeats the request body verbatim, as some proxies do. */
  echoErrors?: boolean;
  /** Writes wait this long before they run and commit (the answer comes after that). */
  commitDelayMs?: number;
  /** Every answer is padded with trailing whitespace (still valid JSON) to at least this many MB. */
  padMb?: number;
  /** The key is revoked part-way through: later matching requests fail authentication (401). */
  revokedKey?: RevokedKeyFault | null;
}

/** Faults whose value is a plain number (the emulator command's flags set these). */
export type NumericFaultName =
  | 'latencyMs'
  | 'latencyJitterMs'
  | 'latencyPerItemMs'
  | 'latencyPerBasicItemMs'
  | 'failRate'
  | 'failStatus'
  | 'resetAfterCommitRate'
  | 'errorAfterCommitRate'
  | 'seed';

export interface RedirectFault {
  /** 301, 302, 303, 307 or 308. */
  status: number;
  /** Origin the Location points at (`https://eu.posthog.example`); omitted: this emulator (a same-origin redirect). */
  to?: string;
  /** Methods that are redirected (default: all). */
  methods?: string[];
  /** Only paths matching this regular expression are redirected (default: every /api path). */
  path?: string;
  /**
   * Redirects in a row before the request is served (default 1). The Location carries the count in
   * a `_emulator_hop` query parameter, which the emulator strips before serving.
   */
  hops?: number;
}

export type MalformedKind = 'html' | 'invalid_json' | 'truncated' | 'null_results' | 'null_row' | 'no_id' | 'misrouted';

export interface MalformedFault {
  /** Share of matching requests (0..1), rolled with the fault dice. */
  rate: number;
  /**
   * `html`: a 200 HTML page; `invalid_json`: JSON with a syntax error; `truncated`: the JSON cut in half
   * (with a matching Content-Length); `null_results`: a list page with `results: null`; `null_row`: a list
   * page with a `null` before its rows; `no_id`: an object without its `id`; `misrouted`: what a proxy that
   * does not pass the path on to PostHog answers, an empty list page for a list and its HTML 404 page
   * for anything else.
   */
  kind: MalformedKind;
  /**
   * true: only writes are garbled, after they committed (the resource exists although the answer is garbage).
   * false (default): a matching write is not executed at all and is answered with its own body garbled;
   * a matching read is served and its answer garbled.
   */
  afterCommit?: boolean;
  /** Methods affected (default: all). */
  methods?: string[];
  /** Only paths matching this regular expression (default: every /api path). */
  path?: string;
}

interface RevokedKeyFault {
  /** Matching requests that still authenticate before the revocation takes effect (default 0). */
  after?: number;
  /** Methods affected (default: all), e.g. `["POST", "PATCH"]` for a key revoked as the writes begin. */
  methods?: string[];
  /** Only paths matching this regular expression (default: every /api path). */
  path?: string;
}

export interface EndlessListFault {
  /** `repeat`: every page's `next` points at that same page; `increasing`: at the following page, forever. */
  next?: 'repeat' | 'increasing';
  /** Announce this `count` (e.g. 1e9) instead of the real one. */
  count?: number;
}

export interface RateLimitSettings {
  enabled: boolean;
  scale: number;
  buckets: Record<'insights' | 'crud', Array<{ limit: number; windowSeconds: number }>>;
}

export interface ApiKeyConfig {
  key: string;
  scopes: string[];
  projects?: number[];
}

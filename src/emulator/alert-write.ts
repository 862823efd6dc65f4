// AlertSerializer.validate / create / update (products/alerts/backend/api/alert.py) and the model
// rules they lean on (`AlertConfiguration.save`, `mark_for_recheck`, `check_alert_limit` and the
// interval entitlements in products/alerts/backend/models/alert.py).
import { AlertConfigError, BOUNDS_REQUIRED, validateAlertConfig } from './alert-config-checks.js';
import { alertFields, enforceAlertFlags, type AlertAttrs } from './alert-fields.js';
import { nextCheckAfterScheduleChange, parseIso, relativeDateParse } from './alert-time.js';
import { drfDate, nowDrf } from './dates.js';
import { fail } from './errors.js';
import { canonical, clone, isObject, pyTruthy, type Json } from './json.js';
import { upgradeQuery } from './query-upgrade.js';
import type { EmulatorStore } from './store.js';
import type { AlertPlan, ProjectStore, StoredAlert, StoredInsight } from './types.js';

export interface AlertWriteContext {
  store: EmulatorStore;
  project: ProjectStore;
  userId: number;
  /** The organisation's users (users.ts `organisationUsers`): the ids `subscribed_users` may hold. */
  users: readonly number[];
}

/** The default plan: the ALERTS feature without a limit, no high-frequency or real-time add-on. */
function planOf(project: ProjectStore): Required<AlertPlan> {
  return { alerts: true, high_frequency: false, real_time: false, ...project.alertPlan };
}

const FREE_TIER_ALERTS = 5;

/** `check_alert_limit`: every alert row of the team counts, even those of soft-deleted insights. */
function alertLimitMessage(project: ProjectStore): string | undefined {
  const { alerts } = planOf(project);
  const count = project.alerts.length;
  if (typeof alerts === 'number' && count >= alerts) return `Your team has reached the limit of ${alerts} alerts on your plan.`;
  if (alerts === false && count >= FREE_TIER_ALERTS) return `Your plan is limited to ${FREE_TIER_ALERTS} alerts.`;
  return undefined;
}

/** `AlertSerializer.validate`, given the field-validated attrs and, on update, the stored alert. */
function validate(ctx: AlertWriteContext, attrs: AlertAttrs, instance: StoredAlert | undefined, isPost: boolean): void {
  const { project } = ctx;
  const condition = 'condition' in attrs ? (attrs.condition as Json) : (instance?.condition ?? null);
  const config = 'config' in attrs ? (attrs.config as Json) : (instance?.config ?? null);
  const insight = attrs.insight ?? project.insights.find((i) => i.id === instance?.insight_id);
  if (!insight) return fail(['insight'], 'Insight is required.');
  // Object-level, so a PATCH without `insight` is checked too: its error has no attr.
  enforceAlertFlags(project, insight, []);
  if (!isObject(insight.query)) fail(['insight'], 'Insight has no valid query.');
  const threshold = attrs.threshold !== undefined ? attrs.threshold.configuration : instance?.threshold?.configuration;
  const interval = attrs.calculation_interval ?? instance?.calculation_interval ?? 'daily';
  const detector = 'detector_config' in attrs ? (attrs.detector_config as Json) : (instance?.detector_config ?? null);
  const requireBounds = detector === null && (!instance || 'threshold' in attrs || 'detector_config' in attrs);
  try {
    validateAlertConfig({ query: upgradeQuery(clone(insight.query)), condition, config, threshold, interval, detector, requireBounds });
  } catch (e) {
    if (!(e instanceof AlertConfigError)) throw e;
    if (e.message === BOUNDS_REQUIRED) fail(['threshold', 'configuration'], BOUNDS_REQUIRED);
    fail([], e.message);
  }
  const plan = planOf(project);
  if (interval === 'every_15_minutes' && !plan.high_frequency) {
    fail(['calculation_interval'], '15-minute alert intervals require a Boost, Scale, or Enterprise platform add-on.');
  }
  if (interval === 'real_time' && plan.real_time === false)
    fail(['calculation_interval'], 'Real-time alert intervals require a Scale or Enterprise plan.');
  const agent = attrs.investigation_agent_enabled ?? instance?.investigation_agent_enabled ?? false;
  if (agent && !pyTruthy('detector_config' in attrs ? attrs.detector_config : instance?.detector_config)) {
    fail(['investigation_agent_enabled'], 'Investigation agent is only supported for anomaly detection alerts.');
  }
  if ((attrs.investigation_gates_notifications ?? instance?.investigation_gates_notifications ?? false) && !agent) {
    fail(['investigation_gates_notifications'], 'Notification gating requires investigation_agent_enabled=true.');
  }
  // Only creation (a POST) counts alerts.
  if (!isPost) return;
  const limit = alertLimitMessage(project);
  if (limit) fail(['alert'], limit);
  if (interval === 'real_time' && typeof plan.real_time === 'number') {
    const live = project.alerts.filter((a) => a.calculation_interval === 'real_time' && a.enabled).length;
    if (live >= plan.real_time)
      fail(['calculation_interval'], `Your team has reached the limit of ${plan.real_time} real-time alerts on your plan.`);
  }
}

export interface CreateExtras {
  id?: string;
  created_at?: string;
}

export interface CreatedAlert {
  alert: StoredAlert;
  /** `snoozed_until` as sent: the create answer echoes the string Django was given, unparsed. */
  snoozedAsSent?: string;
}

/** POST: the threshold row first (`add_threshold`), then the alert, then one subscription per user. */
export function createAlertFromBody(ctx: AlertWriteContext, raw: unknown, extras: CreateExtras = {}): CreatedAlert {
  const attrs = alertFields(ctx.project, ctx.users, raw, false);
  validate(ctx, attrs, undefined, true);
  const insight = attrs.insight as StoredInsight;
  const snoozed = attrs.snoozed_until ?? null;
  // The model's DateTimeField parses the stored string: anything but an ISO date fails on save (a 500).
  const snoozedMs = snoozed === null ? null : parseIso(snoozed);
  if (snoozedMs === undefined) throw new Error(`“${String(snoozed)}” value has an invalid format.`);
  const t = attrs.threshold ?? {};
  const threshold = {
    id: ctx.store.nextUuid(),
    created_at: extras.created_at ?? nowDrf(),
    name: t.name ?? '',
    configuration: clone(t.configuration ?? {}),
  };
  const now = extras.created_at ?? nowDrf();
  const users = attrs.subscribed_users ?? [];
  const alert: StoredAlert = {
    id: extras.id ?? ctx.store.nextUuid(),
    insight_id: insight.id,
    name: attrs.name ?? '',
    subscribed_users: [...new Set(users)],
    threshold,
    condition: 'condition' in attrs ? clone(attrs.condition as Json) : {},
    config: 'config' in attrs ? clone(attrs.config as Json) : {},
    detector_config: attrs.detector_config ?? null,
    calculation_interval: attrs.calculation_interval ?? 'daily',
    state: 'Not firing',
    enabled: attrs.enabled ?? true,
    snoozed_until: snoozedMs === null ? null : drfDate(snoozedMs),
    skip_weekend: 'skip_weekend' in attrs ? (attrs.skip_weekend as boolean | null) : false,
    schedule_restriction: attrs.schedule_restriction ?? null,
    investigation_agent_enabled: attrs.investigation_agent_enabled ?? false,
    investigation_gates_notifications: attrs.investigation_gates_notifications ?? false,
    investigation_inconclusive_action: attrs.investigation_inconclusive_action ?? 'notify',
    next_check_at: null,
    checks: [],
    created_by: ctx.userId,
    created_at: now,
  };
  ctx.project.alerts.push(alert);
  // `AlertSubscription.objects.create` per user: a repeated user breaks unique_together (an
  // IntegrityError, so a 500) after the alert row was written.
  if (new Set(users).size !== users.length) throw new Error('duplicate key value violates unique constraint (user, alert_configuration)');
  return { alert, ...(snoozed !== null ? { snoozedAsSent: snoozed } : {}) };
}

/** PUT (partial = false) or PATCH, on an alert the viewset found. */
export function updateAlertFromBody(ctx: AlertWriteContext, alert: StoredAlert, raw: unknown, partial: boolean): void {
  const attrs = alertFields(ctx.project, ctx.users, raw, partial);
  validate(ctx, attrs, alert, false);
  const now = nowDrf();
  if ('snoozed_until' in attrs) {
    const until = attrs.snoozed_until ?? null;
    alert.state = until === null ? 'Not firing' : 'Snoozed';
    // Stored in UTC, as relative_date_parse(..., increase=True, always_truncate=True) reads it.
    alert.snoozed_until = until === null ? null : drfDate(relativeDateParse(until, { increase: true, alwaysTruncate: true }));
    alert.checks.push({ id: ctx.store.nextUuid(), created_at: now, state: alert.state });
  }
  let reset = false;
  const t = attrs.threshold;
  if (t && alert.threshold) {
    const before = canonical(alert.threshold.configuration);
    if (t.name !== undefined) alert.threshold.name = t.name;
    if (t.configuration !== undefined) alert.threshold.configuration = clone(t.configuration);
    reset = canonical(alert.threshold.configuration) !== before;
  } else if (t) {
    alert.threshold = { id: ctx.store.nextUuid(), created_at: now, name: t.name ?? '', configuration: clone(t.configuration ?? {}) };
    reset = true;
  }
  // Subscriptions of users no longer listed go; listed users keep theirs or get one (get_or_create).
  if (attrs.subscribed_users) {
    const wanted = attrs.subscribed_users;
    alert.subscribed_users = [
      ...alert.subscribed_users.filter((u) => wanted.includes(u)),
      ...wanted.filter((u) => !alert.subscribed_users.includes(u)),
    ];
    alert.subscribed_users = [...new Set(alert.subscribed_users)];
  }
  const intervalChanged = attrs.calculation_interval !== undefined && attrs.calculation_interval !== alert.calculation_interval;
  // mark_for_recheck: a threshold change also resets the state.
  if (reset || intervalChanged) {
    if (reset) alert.state = 'Not firing';
    alert.next_check_at = null;
  }
  const restrictionChanged =
    'schedule_restriction' in attrs && canonical(attrs.schedule_restriction) !== canonical(alert.schedule_restriction);
  // super().update: the remaining validated fields.
  if (attrs.insight) alert.insight_id = attrs.insight.id;
  if (attrs.name !== undefined) alert.name = attrs.name;
  if ('condition' in attrs) alert.condition = clone(attrs.condition as Json);
  if (attrs.enabled !== undefined) alert.enabled = attrs.enabled;
  if ('config' in attrs) alert.config = clone(attrs.config as Json);
  if ('detector_config' in attrs) alert.detector_config = attrs.detector_config as Json;
  if (attrs.calculation_interval !== undefined) alert.calculation_interval = attrs.calculation_interval;
  if ('skip_weekend' in attrs) alert.skip_weekend = attrs.skip_weekend as boolean | null;
  if ('schedule_restriction' in attrs) alert.schedule_restriction = attrs.schedule_restriction ?? null;
  if (attrs.investigation_agent_enabled !== undefined) alert.investigation_agent_enabled = attrs.investigation_agent_enabled;
  if (attrs.investigation_gates_notifications !== undefined)
    alert.investigation_gates_notifications = attrs.investigation_gates_notifications;
  if (attrs.investigation_inconclusive_action !== undefined)
    alert.investigation_inconclusive_action = attrs.investigation_inconclusive_action;
  // AlertConfiguration.save: a disabled alert is never firing (nor snoozed).
  if (!alert.enabled) alert.state = 'Not firing';
  if (restrictionChanged)
    alert.next_check_at = drfDate(nextCheckAfterScheduleChange(alert.calculation_interval, alert.schedule_restriction));
}

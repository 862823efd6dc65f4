// `AlertSerializer.to_representation` and `AlertCheckSerializer` (products/alerts/backend/api/alert.py),
// shared by the alerts API and the full insight serializer's `alerts` (`get_alerts`,
// products/product_analytics/backend/api/insight.py), so both answer the same shape.
import { isAlertable } from './insight-alerts.js';
import { clone, type JsonObject } from './json.js';
import { orderWithUnorderedTies } from './ordering.js';
import type { ProjectStore, StoredAlert, StoredAlertCheck, StoredInsight } from './types.js';
import { userBasic } from './users.js';

export interface AlertView {
  /** Set on list (its firing checks) and retrieve (the checks window); otherwise `checks` is absent. */
  checks?: StoredAlertCheck[];
  /** Retrieve only: `checks_total` is popped from the answer when unset. */
  checksTotal?: number;
  /** The list was searched: rows carry `search_match_type` (substring matches only: `exact`). */
  searched?: boolean;
  /** Draws for unordered rows (`subscribed_users` is an M2M with no ordering). */
  random?: () => number;
  /** The create answer echoes `snoozed_until` as it was sent. */
  snoozedAsSent?: string;
}

function checkOut(check: StoredAlertCheck): JsonObject {
  return {
    id: check.id,
    created_at: check.created_at,
    calculated_value: null,
    state: check.state,
    targets_notified: false,
    anomaly_scores: null,
    triggered_points: null,
    triggered_dates: null,
    interval: null,
    triggered_metadata: null,
    investigation_status: null,
    investigation_verdict: null,
    investigation_summary: null,
    investigation_notebook_short_id: null,
    notification_sent_at: null,
    notification_suppressed_by_agent: false,
  };
}

/**
 * One alert. `insight` is `InsightBasicSerializer(instance.insight)` built without a context, so
 * its `tags` are always `[]` (no request, so no licence) and `user_access_level` is null;
 * `last_value` (the latest check's value) is null, as no check here has a value.
 */
export function alertOut(alert: StoredAlert, insightBasic: JsonObject, view: AlertView = {}): JsonObject {
  const users = view.random ? orderWithUnorderedTies(alert.subscribed_users, view.random) : alert.subscribed_users;
  return {
    id: alert.id,
    created_by: userBasic(alert.created_by),
    created_at: alert.created_at,
    insight: { ...insightBasic, tags: [], user_access_level: null },
    name: alert.name,
    subscribed_users: users.map((u) => userBasic(u)),
    threshold: alert.threshold
      ? {
          id: alert.threshold.id,
          created_at: alert.threshold.created_at,
          name: alert.threshold.name,
          configuration: clone(alert.threshold.configuration),
        }
      : null,
    condition: clone(alert.condition),
    state: alert.state,
    enabled: alert.enabled,
    last_notified_at: null,
    last_checked_at: null,
    next_check_at: alert.next_check_at,
    ...(view.checks ? { checks: view.checks.map(checkOut) } : {}),
    ...(view.checksTotal !== undefined ? { checks_total: view.checksTotal } : {}),
    config: clone(alert.config),
    detector_config: clone(alert.detector_config),
    calculation_interval: alert.calculation_interval,
    snoozed_until: view.snoozedAsSent ?? alert.snoozed_until,
    skip_weekend: alert.skip_weekend,
    schedule_restriction: clone(alert.schedule_restriction),
    last_value: null,
    investigation_agent_enabled: alert.investigation_agent_enabled,
    investigation_gates_notifications: alert.investigation_gates_notifications,
    investigation_inconclusive_action: alert.investigation_inconclusive_action,
    ...(view.searched ? { search_match_type: 'exact' } : {}),
  };
}

export interface InsightAlertsContext {
  random?: () => number;
  /**
   * The insight's alerts as the viewset prefetched them before an update (`_prefetched_alerts`, a
   * `to_attr` prefetch DRF does not clear): a PATCH answer lists those, including the ones the
   * update just deleted, whose subscriptions are gone with them.
   */
  before?: StoredAlert[];
}

/** `get_alerts`: `[]` unless the query can carry alerts; the prefetch has no ordering. */
export function insightAlerts(
  project: ProjectStore,
  insight: StoredInsight,
  basic: JsonObject,
  ctx: InsightAlertsContext = {},
): JsonObject[] {
  if (!isAlertable(insight)) return [];
  const live = project.alerts.filter((a) => a.insight_id === insight.id);
  const rows = ctx.before ? ctx.before.map((a) => live.find((l) => l.id === a.id) ?? { ...a, subscribed_users: [] }) : live;
  const ordered = ctx.random ? orderWithUnorderedTies(rows, ctx.random) : rows;
  return ordered.map((a) => alertOut(a, basic, { ...(ctx.random ? { random: ctx.random } : {}) }));
}

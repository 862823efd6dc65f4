// The insight side of alerts: which insights can carry one (`Insight.alertable_query_kind`,
// products/product_analytics/backend/models/insight.py) and how alerts are deleted, by
// `InsightSerializer.update` (soft delete, or a query alerts no longer support) and by the alerts
// API's DELETE, with the `pre_delete` receiver that retires their notification destinations.
import { nowDrf } from './dates.js';
import { isObject, type Json, type JsonObject } from './json.js';
import type { ProjectStore, StoredAlert, StoredInsight } from './types.js';

const ALERTABLE_KINDS = ['TrendsQuery', 'HogQLQuery', 'FunnelsQuery', 'MetricsQuery'];

/** `alertable_query_kind`: the innermost `source` kind (wrappers unwrapped), when alerts support it. */
export function alertableKind(insight: StoredInsight): string | undefined {
  let node: unknown = insight.query;
  while (isObject(node) && isObject(node.source) && Object.keys(node.source).length) node = node.source;
  const kind = isObject(node) ? node.kind : undefined;
  return typeof kind === 'string' && ALERTABLE_KINDS.includes(kind) ? kind : undefined;
}

export function isAlertable(insight: StoredInsight): boolean {
  return alertableKind(insight) !== undefined;
}

/**
 * `cleanup_alert_hog_functions` (products/alerts/backend/activity_logging.py, `pre_delete` of
 * AlertConfiguration): live internal destinations whose filters contain `{"properties":
 * [{"key": "alert_id", "value": "<id>"}]}` are disabled and soft-deleted.
 */
function retireDestinations(project: ProjectStore, alertId: string): void {
  for (const fn of project.hogFunctions) {
    if (fn.type !== 'internal_destination' || fn.deleted) continue;
    const props = fn.filters.properties;
    const linked = Array.isArray(props) && props.some((p) => isObject(p) && p.key === 'alert_id' && p.value === alertId);
    if (!linked) continue;
    fn.enabled = false;
    fn.deleted = true;
    fn.updated_at = nowDrf();
  }
}

/** Hard-deletes the alerts `which` selects (`alert.delete()` each). */
export function removeAlerts(project: ProjectStore, which: (a: StoredAlert) => boolean): void {
  for (const a of project.alerts.filter(which)) retireDestinations(project, a.id);
  project.alerts = project.alerts.filter((a) => !which(a));
}

export function deleteAlerts(project: ProjectStore, insightId: number): void {
  removeAlerts(project, (a) => a.insight_id === insightId);
}

/** A stored alert from a state file written before the alerts API: the model's defaults fill the gaps. */
export function upgradeStoredAlert(raw: StoredAlert): StoredAlert {
  const t = raw.threshold as (JsonObject & { created_at?: string }) | null;
  const threshold = t
    ? {
        id: String(t.id),
        created_at: t.created_at ?? raw.created_at,
        name: String(t.name ?? ''),
        configuration: (t.configuration ?? {}) as Json,
      }
    : null;
  const defaults = {
    subscribed_users: [],
    detector_config: null,
    state: 'Not firing',
    snoozed_until: null,
    schedule_restriction: null,
    investigation_agent_enabled: false,
    investigation_gates_notifications: false,
    investigation_inconclusive_action: 'notify',
    next_check_at: null,
    checks: [],
  };
  return Object.assign(defaults, raw, { threshold });
}

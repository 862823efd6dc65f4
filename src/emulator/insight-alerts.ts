// Alerts on insights (products/alerts/backend/api/alert.py `AlertSerializer`): the emulator has no
// alerts API, but insights carry them in `alerts`, seeds and the controls can attach them, and
// insight writes delete them the way `InsightSerializer.update` does.
import { nowDrf } from './dates.js';
import { booleanField, charField, nestedObject } from './drf-fields.js';
import { fail } from './errors.js';
import { clone, isObject, type JsonObject } from './json.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredAlert, StoredInsight } from './types.js';
import { userBasic } from './users.js';

/** `Insight.alertable_query_kind`: the innermost `source` kind, when alerts support it. */
const ALERTABLE_KINDS = ['TrendsQuery', 'HogQLQuery', 'FunnelsQuery', 'MetricsQuery'];

export function isAlertable(insight: StoredInsight): boolean {
  let node: unknown = insight.query;
  if (!isObject(node)) return false;
  while (isObject(node) && isObject(node.source)) node = node.source;
  return isObject(node) && typeof node.kind === 'string' && ALERTABLE_KINDS.includes(node.kind);
}

export function deleteAlerts(project: ProjectStore, insightId: number): void {
  project.alerts = project.alerts.filter((a) => a.insight_id !== insightId);
}

const CALCULATION_INTERVALS = ['every_15_minutes', 'hourly', 'daily', 'weekly', 'monthly'];

export function createAlert(store: EmulatorStore, project: ProjectStore, insight: StoredInsight, raw: unknown, userId: number): StoredAlert {
  const body = nestedObject(raw, []);
  if (!isAlertable(insight)) fail(['insight'], 'Alerts are not supported for this insight.');
  const interval = body.calculation_interval ?? 'daily';
  if (typeof interval !== 'string' || !CALCULATION_INTERVALS.includes(interval)) {
    fail(['calculation_interval'], `"${String(interval)}" is not a valid choice.`, 'invalid_choice');
  }
  const alert: StoredAlert = {
    id: store.nextUuid(),
    insight_id: insight.id,
    name: (charField(body.name ?? '', ['name'], { allowBlank: true, maxLength: 255 }) as string) || '',
    condition: isObject(body.condition) ? clone(body.condition) : { type: 'absolute_value' },
    // ThresholdSerializer: {name, configuration}; the emulator mints the threshold's id.
    threshold: isObject(body.threshold)
      ? { id: store.nextUuid(), name: typeof body.threshold.name === 'string' ? body.threshold.name : '', configuration: clone(body.threshold.configuration ?? {}) }
      : null,
    config: isObject(body.config) ? clone(body.config) : null,
    calculation_interval: interval,
    enabled: 'enabled' in body ? (booleanField(body.enabled, ['enabled']) as boolean) : true,
    skip_weekend: 'skip_weekend' in body ? (booleanField(body.skip_weekend, ['skip_weekend']) as boolean) : false,
    created_by: userId,
    created_at: nowDrf(),
  };
  project.alerts.push(alert);
  return alert;
}

/** One entry of an insight's `alerts`; `insight` is the basic serializer of the insight itself. */
export function alertOut(alert: StoredAlert, insightBasic: JsonObject): JsonObject {
  return {
    id: alert.id,
    created_by: userBasic(alert.created_by),
    created_at: alert.created_at,
    insight: insightBasic,
    name: alert.name,
    subscribed_users: [],
    threshold: alert.threshold ? { ...clone(alert.threshold), created_at: alert.created_at } : null,
    condition: clone(alert.condition),
    state: 'Not firing',
    enabled: alert.enabled,
    last_notified_at: null,
    last_checked_at: null,
    next_check_at: null,
    checks: [],
    config: clone(alert.config),
    calculation_interval: alert.calculation_interval,
    snoozed_until: null,
    skip_weekend: alert.skip_weekend,
  };
}

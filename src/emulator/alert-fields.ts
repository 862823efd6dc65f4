// `AlertSerializer` field by field (products/alerts/backend/api/alert.py): DRF's field checks and
// the `validate_<field>` methods, in the serializer's field order, every error kept and the first
// one reported. Object-level checks (`validate`) are in alert-write.ts.
import { CALCULATION_INTERVALS, validateDetectorConfig } from './alert-config-checks.js';
import { INSIGHT_THRESHOLD, parseModel, pyStr } from './alert-models.js';
import { normalizeScheduleRestriction, ScheduleRestrictionError } from './alert-time.js';
import { booleanField, charField, choiceField, ErrorCollector, nestedObject } from './drf-fields.js';
import { fail } from './errors.js';
import { alertableKind } from './insight-alerts.js';
import { isObject, pyTypeName, type Json, type JsonObject } from './json.js';
import { renderIssues } from './query-validation.js';
import type { ProjectStore, StoredInsight } from './types.js';

export interface AlertAttrs {
  insight?: StoredInsight;
  name?: string;
  subscribed_users?: number[];
  /** ThresholdSerializer's validated data: only the keys sent. */
  threshold?: { name?: string; configuration?: Json };
  condition?: Json;
  enabled?: boolean;
  config?: Json;
  detector_config?: Json;
  calculation_interval?: string;
  snoozed_until?: string | null;
  skip_weekend?: boolean | null;
  schedule_restriction?: JsonObject | null;
  investigation_agent_enabled?: boolean;
  investigation_gates_notifications?: boolean;
  investigation_inconclusive_action?: string;
}

/** PrimaryKeyRelatedField: `queryset.get(pk=value)`, with Django's int() of the value. */
function primaryKey(value: Json, path: string[], exists: (id: number) => boolean): number {
  const n =
    typeof value === 'number'
      ? Math.trunc(value)
      : typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)
        ? parseInt(value, 10)
        : undefined;
  if (typeof value === 'boolean' || (value !== null && n === undefined)) {
    fail(path, `Incorrect type. Expected pk value, received ${pyTypeName(value)}.`, 'incorrect_type');
  }
  if (n === undefined || !exists(n)) fail(path, `Invalid pk "${pyStr(value)}" - object does not exist.`, 'does_not_exist');
  return n;
}

/**
 * `_enforce_alert_feature_flags`: the insight must carry alerts; SQL and funnel insights also need
 * their flag (`posthoganalytics.feature_enabled`, the team's feature flags here).
 */
export function enforceAlertFlags(project: ProjectStore, insight: StoredInsight, path: string[]): void {
  const kind = alertableKind(insight);
  if (kind === undefined) fail(path, 'Alerts are not supported for this insight.');
  if (kind === 'HogQLQuery' && !project.featureFlags.includes('hogql-insight-alerts'))
    fail(path, 'SQL insight alerts are not enabled for your account.');
  if (kind === 'FunnelsQuery' && !project.featureFlags.includes('funnel-insight-alerts'))
    fail(path, 'Funnel insight alerts are not enabled for your account.');
}

/** ThresholdSerializer: `name`, `configuration`, then `validate` → `Threshold.clean()`. */
function threshold(raw: Json, partial: boolean): { name?: string; configuration?: Json } {
  if (raw === null) fail(['threshold'], 'This field may not be null.', 'null');
  const body = nestedObject(raw, ['threshold']);
  const out: { name?: string; configuration?: Json } = {};
  const c = new ErrorCollector();
  if ('name' in body) c.run(() => (out.name = charField(body.name, ['threshold', 'name'], { allowBlank: true, maxLength: 255 }) as string));
  c.run(() => {
    if (!('configuration' in body)) {
      // A partial (PATCH) serializer skips missing nested fields instead of requiring them.
      if (!partial) fail(['threshold', 'configuration'], 'This field is required.', 'required');
      return;
    }
    if (body.configuration === null) fail(['threshold', 'configuration'], 'This field may not be null.', 'null');
    out.configuration = body.configuration as Json;
  });
  c.throwIfAny();
  // A Threshold built without `configuration` has the model default `{}`; Django's ValidationError
  // comes back as the nested serializer's non-field error.
  const parsed = parseModel(INSIGHT_THRESHOLD, out.configuration ?? {});
  if (!parsed.value)
    fail(['threshold', 'non_field_errors'], `Invalid threshold configuration: ${renderIssues(parsed.issues, 'InsightThreshold')}`);
  const bounds = parsed.value.bounds;
  if (isObject(bounds) && typeof bounds.lower === 'number' && typeof bounds.upper === 'number' && bounds.lower > bounds.upper) {
    fail(['threshold', 'non_field_errors'], 'Lower threshold must be less than upper threshold');
  }
  return out;
}

function subscribedUsers(raw: Json, users: readonly number[]): number[] {
  if (raw === null) fail(['subscribed_users'], 'This field may not be null.', 'null');
  // ManyRelatedField iterates whatever has __iter__ (a dict's keys); a string is refused.
  const items = Array.isArray(raw)
    ? raw
    : isObject(raw)
      ? Object.keys(raw)
      : fail(['subscribed_users'], `Expected a list of items but got type "${pyTypeName(raw)}".`, 'not_a_list');
  // `User.objects.filter(is_active=True)`: every user of the emulator is in the one organisation, so
  // `validate_subscribed_users` ("User does not belong to the same organization…") cannot fail here.
  return items.map((item) => primaryKey(item, ['subscribed_users'], (id) => users.includes(id)));
}

const present = (body: JsonObject, key: string) => Object.hasOwn(body, key);

/** `to_internal_value`: what a POST/PUT (partial = false) or PATCH sends, validated field by field. */
export function alertFields(project: ProjectStore, users: readonly number[], raw: unknown, partial: boolean): AlertAttrs {
  const body = nestedObject(raw, []);
  const out: AlertAttrs = {};
  const c = new ErrorCollector();
  const required = (key: string) => {
    if (!partial) c.run(() => fail([key], 'This field is required.', 'required'));
  };
  // TeamScopedPrimaryKeyRelatedField(Insight.objects.all()): live insights of this team only.
  if (present(body, 'insight')) {
    c.run(() => {
      // RelatedField turns '' into None.
      if (body.insight === null || body.insight === '') fail(['insight'], 'This field may not be null.', 'null');
      const id = primaryKey(body.insight as Json, ['insight'], (n) => project.insights.some((i) => i.id === n && !i.deleted));
      const insight = project.insights.find((i) => i.id === id) as StoredInsight;
      enforceAlertFlags(project, insight, ['insight']);
      out.insight = insight;
    });
  } else required('insight');
  if (present(body, 'name')) c.run(() => (out.name = charField(body.name, ['name'], { allowBlank: true, maxLength: 255 }) as string));
  if (present(body, 'subscribed_users')) c.run(() => (out.subscribed_users = subscribedUsers(body.subscribed_users as Json, users)));
  else required('subscribed_users');
  if (present(body, 'threshold')) c.run(() => (out.threshold = threshold(body.threshold as Json, partial)));
  else required('threshold');
  if (present(body, 'condition')) out.condition = body.condition as Json;
  if (present(body, 'enabled')) c.run(() => (out.enabled = booleanField(body.enabled, ['enabled']) as boolean));
  if (present(body, 'config')) out.config = body.config as Json;
  if (present(body, 'detector_config')) c.run(() => (out.detector_config = validateDetectorConfig(body.detector_config as Json)));
  if (present(body, 'calculation_interval')) {
    c.run(
      () => (out.calculation_interval = choiceField(body.calculation_interval, ['calculation_interval'], CALCULATION_INTERVALS) as string),
    );
  }
  if (present(body, 'snoozed_until')) {
    c.run(() => {
      const v = body.snoozed_until;
      if (v !== null && typeof v !== 'string') fail(['snoozed_until'], 'snoozed_until has to be passed in string format');
      out.snoozed_until = v as string | null;
    });
  }
  if (present(body, 'skip_weekend')) c.run(() => (out.skip_weekend = booleanField(body.skip_weekend, ['skip_weekend'], true)));
  if (present(body, 'schedule_restriction')) {
    c.run(() => {
      try {
        out.schedule_restriction = normalizeScheduleRestriction(body.schedule_restriction as Json);
      } catch (e) {
        if (e instanceof ScheduleRestrictionError) fail(['schedule_restriction'], 'Invalid schedule restriction.');
        throw e;
      }
    });
  }
  for (const key of ['investigation_agent_enabled', 'investigation_gates_notifications'] as const) {
    if (present(body, key)) c.run(() => (out[key] = booleanField(body[key], [key]) as boolean));
  }
  if (present(body, 'investigation_inconclusive_action')) {
    c.run(
      () =>
        (out.investigation_inconclusive_action = choiceField(
          body.investigation_inconclusive_action,
          ['investigation_inconclusive_action'],
          ['notify', 'suppress'],
        ) as string),
    );
  }
  c.throwIfAny();
  return out;
}

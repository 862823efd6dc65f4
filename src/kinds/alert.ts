import { isObject, type Json, type JsonObject } from '../json.js';
import { defineKind } from './define.js';
import { dropDefaults, fillDefaults, pick, sortedSet, text, trimString } from './normalize.js';
import type { Link } from './types.js';

// AlertSerializer (products/alerts/backend/api/alert.py) over AlertConfiguration
// (products/alerts/backend/models/alert.py; posthog-api-kinds.md §5): what a user sets up. State,
// checks, notification times and snoozing are what the alert does, not how it is configured.
const WRITABLE = [
  'insight',
  'name',
  'subscribed_users',
  'threshold',
  'condition',
  'config',
  'detector_config',
  'calculation_interval',
  'enabled',
  'skip_weekend',
  'schedule_restriction',
  'investigation_agent_enabled',
  'investigation_gates_notifications',
  'investigation_inconclusive_action',
] as const;

// The model's defaults.
const DEFAULTS: Record<string, Json> = {
  name: '',
  subscribed_users: [],
  condition: {},
  config: {},
  calculation_interval: 'daily',
  enabled: true,
  skip_weekend: false,
  investigation_agent_enabled: false,
  investigation_gates_notifications: false,
  investigation_inconclusive_action: 'notify',
};

/**
 * Sent on update for fields a file removed. Not the threshold: AlertSerializer.update would drop
 * it for `{}`, but ThresholdSerializer refuses `{}` first (no `type`), so the API cannot remove one.
 */
const CLEARED: Record<string, Json> = { ...DEFAULTS, detector_config: null, schedule_restriction: null };

/** PostHog stores a detector configuration with every field of its model, null where unset (pydantic's dump). */
function withoutNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === null ? [] : [[k, withoutNulls(v)]])));
}

function normalize(spec: JsonObject): JsonObject {
  const out = pick(spec, WRITABLE);
  const name = trimString(out.name);
  if (name !== undefined) out.name = name;
  // Subscribers are a set of users.
  if (Array.isArray(out.subscribed_users)) out.subscribed_users = sortedSet(out.subscribed_users);
  // ThresholdSerializer reads back `{id, created_at, name, configuration}`; the name is blank unless set.
  if (isObject(out.threshold)) out.threshold = dropDefaults(pick(out.threshold, ['name', 'configuration']), { name: '' });
  if (isObject(out.detector_config)) out.detector_config = withoutNulls(out.detector_config);
  return dropDefaults(out, DEFAULTS);
}

/** The id of a field PostHog reads back as an object (`insight` as InsightBasicSerializer, users as UserBasic). */
function idIn(v: Json | undefined): Json | undefined {
  return isObject(v) ? v.id : v;
}

const alert = defineKind({
  kind: 'Alert',
  cliName: 'alert',
  folder: 'alerts',
  apiPath: 'alerts/',
  pagination: 'offset',
  rateBucket: 'crud',
  scope: 'alert',
  // AlertViewSet has no ForbidDestroyModel: DELETE is for good.
  deleteStyle: 'http',
  refsType: 'alerts',
  idFormat: 'uuid',
  dependsOn: ['Insight'],
  autoAdopt: false,
  createOnly: [],
  unclearable: { threshold: 'ThresholdSerializer refuses an empty threshold' },
  // validate_alert_config checks these against each other: an update that changes one sends them all.
  updateTogether: [['threshold', 'condition', 'config', 'detector_config', 'calculation_interval']],
  fieldOrder: [
    'insight',
    'name',
    'enabled',
    'calculation_interval',
    'condition',
    'threshold',
    'config',
    'detector_config',
    'skip_weekend',
    'schedule_restriction',
    'subscribed_users',
  ],
  schema: 'alert.schema.json',
  naturalKeyName: 'insight and name',

  remoteId: (raw) => raw.id as string,
  keyHint: (raw) => text(raw.name) || `${text(isObject(raw.insight) ? raw.insight.name : '') || 'insight'} alert`,
  naturalKey: (spec) => (spec.insight === undefined ? undefined : `${String(spec.insight)}/${text(spec.name)}`),

  toSpec: (raw) => ({
    ...pick(raw, WRITABLE),
    insight: idIn(raw.insight) ?? null,
    subscribed_users: Array.isArray(raw.subscribed_users) ? raw.subscribed_users.map((u) => idIn(u) ?? null) : [],
  }),
  normalize,
  toBody(spec, _refs, mode) {
    // subscribed_users is required, even empty; so is a threshold on create.
    if (mode === 'create') return { subscribed_users: [], ...spec };
    return fillDefaults(spec, CLEARED);
  },

  codePaths: () => [],
  varPaths: () => [],
  secrets: () => [],
  links(spec) {
    const links: Link[] = [];
    if (typeof spec.insight === 'number' || typeof spec.insight === 'string')
      links.push({ type: 'insights', value: spec.insight, path: '/insight' });
    // Users are the same in every project of an organisation; refs.users maps them to another one.
    if (Array.isArray(spec.subscribed_users))
      spec.subscribed_users.forEach(
        (u, i) => typeof u === 'number' && links.push({ type: 'users', value: u, path: `/subscribed_users/${i}`, organizationWide: true }),
      );
    return links;
  },
});

export default alert;

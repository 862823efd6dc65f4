// Cohorts' deprecated `groups` (products/cohorts/backend/models/cohort.py): `CohortManager.create`
// expands each through `Group(**group).to_dict()`, `Cohort.properties` turns them (or `filters`)
// into a PropertyGroup (posthog/models/property/property.py) and rewrites old property forms in
// place, and `properties.to_dict()` is what a cohort without `filters` reads back.
import { ApiError, serverErrorBody } from './errors.js';
import { clone, isObject, pyTruthy, type Json, type JsonObject } from './json.js';

/** An unhandled Python exception in the view: Django's 500. */
const crash = (): never => {
  throw new ApiError(500, serverErrorBody());
};

const GROUP_KEYS = ['properties', 'action_id', 'event_id', 'label', 'days', 'count', 'count_operator', 'start_date', 'end_date'];

/**
 * `Group(**group).to_dict()`: unknown keys (TypeError), a group with neither properties nor an
 * action or event (ValueError) and string dates (`.isoformat()` on a str) all fail with a 500.
 */
export function expandGroups(groups: Json): Json {
  if (!pyTruthy(groups)) return groups;
  if (!Array.isArray(groups)) return crash();
  return groups.map((g) => {
    if (!isObject(g) || Object.keys(g).some((k) => !GROUP_KEYS.includes(k))) return crash();
    if (!pyTruthy(g.properties) && !pyTruthy(g.action_id) && !pyTruthy(g.event_id)) return crash();
    if (pyTruthy(g.start_date) || pyTruthy(g.end_date)) return crash();
    return Object.fromEntries(GROUP_KEYS.map((k) => [k, g[k] ?? null]));
  });
}

/**
 * The KLUDGE in `Cohort.properties`, run on every create and update (analytics read it): old
 * `{key: value}` property dicts become person properties, and list properties typed `event` (or
 * untyped) become `person`. The rewritten groups are what the row keeps.
 */
export function rewriteGroupProperties(groups: Json): Json {
  if (!Array.isArray(groups)) return groups;
  return groups.map((g) => {
    if (!isObject(g) || !pyTruthy(g.properties)) return g;
    const out = clone(g);
    const props = out.properties;
    if (Array.isArray(props)) {
      for (const p of props) if (isObject(p) && (p.type ?? 'event') === 'event') p.type = 'person';
    } else if (isObject(props) && !('type' in props) && !('values' in props)) {
      out.properties = Object.entries(props).map(([key, value]) => ({ key, value, type: 'person' }));
    }
    return out;
  });
}

const PROPERTY_ATTRS = [
  'key',
  'operator',
  'type',
  'group_type_index',
  'event_type',
  'operator_value',
  'time_value',
  'time_interval',
  'total_periods',
  'min_periods',
  'seq_event_type',
  'seq_event',
  'seq_time_value',
  'seq_time_interval',
  'negation',
];

/** `Property(**p).to_dict()`: its attributes that are not None, `value` last (set last in __init__). */
function propertyDict(p: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of PROPERTY_ATTRS) {
    let v = p[k];
    if (k === 'type') v = pyTruthy(v) ? v : 'event';
    if (k === 'negation' && v !== undefined && v !== null) v = ['y', 'yes', 't', 'true', 'on', '1'].includes(String(v).toLowerCase());
    if (v !== undefined && v !== null) out[k] = v;
  }
  const value = p.value ?? (p.operator === 'is_set' || p.operator === 'is_not_set' ? p.operator : null);
  if (value !== null) out.value = value;
  return out;
}

/** A filter's `properties` as `Filter(...).property_groups`, then `to_dict()`. */
function propertyGroupDict(props: Json): JsonObject {
  if (Array.isArray(props)) return props.length ? { type: 'AND', values: props.filter(isObject).map(propertyDict) } : {};
  if (isObject(props) && Array.isArray(props.values)) {
    const values = props.values.filter(isObject).map((v) => (Array.isArray(v.values) ? propertyGroupDict(v) : propertyDict(v)));
    return values.length ? { type: props.type ?? 'AND', values } : {};
  }
  return {};
}

/** `Cohort.properties.to_dict()` for a cohort whose `filters` are empty: built from `groups`. */
export function groupsPropertiesDict(groups: Json): JsonObject {
  if (!Array.isArray(groups) || !groups.length) return {};
  const values: JsonObject[] = [];
  for (const g of groups) {
    if (!isObject(g)) return {};
    if (pyTruthy(g.properties)) {
      const rewritten = (rewriteGroupProperties([g]) as JsonObject[])[0] as JsonObject;
      const dict = propertyGroupDict(rewritten.properties as Json);
      if (Object.keys(dict).length) values.push(dict);
    } else if (pyTruthy(g.action_id) || pyTruthy(g.event_id)) {
      const count = Math.max(0, Number.parseInt(String(g.count ?? 0), 10) || 0);
      values.push({
        type: 'AND',
        values: [
          propertyDict({
            key: (g.action_id || g.event_id) as Json,
            operator: g.count_operator ?? null,
            type: 'behavioral',
            event_type: pyTruthy(g.action_id) ? 'actions' : 'events',
            operator_value: count,
            time_value: g.days || 365,
            time_interval: 'day',
            value: count ? 'performed_event_multiple' : 'performed_event',
          }),
        ],
      });
    } else return {};
  }
  return { type: 'OR', values };
}

/** `cohort.properties.flat`, keeping only the `cohort` leaves (what `will_create_loops` follows). */
export function cohortLeaves(filters: Json, groups: Json): JsonObject[] {
  const root: Json = pyTruthy(filters) && isObject(filters) ? (filters.properties ?? null) : groupsPropertiesDict(groups);
  const out: JsonObject[] = [];
  const walk = (node: Json) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isObject(node)) return;
    if (Array.isArray(node.values) && (node.type === 'AND' || node.type === 'OR' || !('key' in node))) return node.values.forEach(walk);
    if (node.type === 'cohort') out.push(node);
  };
  walk(root);
  return out;
}

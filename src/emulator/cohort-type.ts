// `CohortSerializer.validate_cohort_type` through `CohortTypeValidationSerializer`
// (products/cohorts/backend/models/validation.py): an explicit `cohort_type` must be the type the
// filters imply (static, analytical, behavioral, person_property), so no client can name
// `realtime`, which only the server computes.
import { ApiError, fail, serverErrorBody } from './errors.js';
import { isObject, pyTruthy, type Json, type JsonObject } from './json.js';
import type { ProjectStore } from './types.js';

const ANALYTICAL_BEHAVIOURS = [
  'performed_event_first_time',
  'performed_event_regularly',
  'performed_event_sequence',
  'stopped_performing_event',
  'restarted_performing_event',
];
const PRIORITY: Record<string, number> = { static: 0, person_property: 1, behavioral: 2, analytical: 3 };

/** A `ValidationError` the type serializer raises that is not about `cohort_type` itself. */
class Undetermined extends Error {}

interface TypeData {
  is_static: boolean;
  query: Json;
  filters: Json;
}

function hasAnalytical(group: JsonObject): boolean {
  const values = Array.isArray(group.values) ? group.values : [];
  return values.some(
    (v) =>
      isObject(v) &&
      ((v.type === 'behavioral' && ANALYTICAL_BEHAVIOURS.includes(v.value as string)) ||
        ('type' in v && 'values' in v && hasAnalytical(v))),
  );
}

const highest = (a: string | null, b: string | null) =>
  a === null ? b : b === null ? a : (PRIORITY[a] as number) > (PRIORITY[b] as number) ? a : b;

function groupType(project: ProjectStore, group: JsonObject, visited: Set<number>): string | null {
  let max: string | null = null;
  for (const v of Array.isArray(group.values) ? group.values : []) {
    if (!isObject(v)) continue;
    max = highest(max, 'type' in v && 'values' in v ? groupType(project, v, visited) : leafType(project, v, visited));
  }
  return max;
}

function leafType(project: ProjectStore, leaf: JsonObject, visited: Set<number>): string {
  if (leaf.type === 'behavioral') return ANALYTICAL_BEHAVIOURS.includes(leaf.value as string) ? 'analytical' : 'behavioral';
  if (leaf.type === 'person') return 'person_property';
  if (leaf.type !== 'cohort') throw new Undetermined(`Unknown property type: ${String(leaf.type)}`);
  let value = leaf.value;
  if (!pyTruthy(value)) throw new Undetermined('Cohort filter has no value');
  if (Array.isArray(value)) {
    if (value.length !== 1) throw new Undetermined('Cohort filter must reference exactly one cohort');
    value = value[0] as Json;
  }
  const id = Number.parseInt(String(value), 10);
  // `int(value)` raising ValueError is not a DRF error: Django answers 500.
  if (Number.isNaN(id)) throw new ApiError(500, serverErrorBody());
  if (visited.has(id)) throw new Undetermined('Circular cohort reference detected');
  const referenced = project.cohorts.find((c) => c.id === id);
  if (!referenced) throw new Undetermined(`Referenced cohort ${id} not found`);
  return determine(
    project,
    { is_static: referenced.is_static, query: referenced.query, filters: referenced.filters },
    new Set([...visited, id]),
  );
}

function determine(project: ProjectStore, data: TypeData, visited: Set<number>): string {
  if (data.is_static) return 'static';
  if (pyTruthy(data.query)) return 'analytical';
  const properties = isObject(data.filters) ? data.filters.properties : undefined;
  if (!pyTruthy(data.filters) || !isObject(properties) || !pyTruthy(properties))
    throw new Undetermined('Cannot determine type: no valid filters found');
  if (hasAnalytical(properties)) return 'analytical';
  const found = groupType(project, properties, visited);
  if (found === null) throw new Undetermined('Cannot determine type: no valid filters found');
  return found;
}

/**
 * Runs only for a truthy `cohort_type`. Its error reads back on `cohort_type`; anything else the
 * type serializer refuses (unknown leaf types, missing referenced cohorts, filters it cannot read)
 * becomes "Invalid cohort type for the given filters".
 */
export function checkCohortType(project: ProjectStore, provided: string, data: { is_static: Json; query: Json; filters: Json }): void {
  if (data.filters !== null && data.filters !== undefined && !isObject(data.filters))
    fail(['cohort_type'], 'Invalid cohort type for the given filters');
  let required: string;
  try {
    required = determine(project, { is_static: pyTruthy(data.is_static), query: data.query, filters: data.filters }, new Set());
  } catch (e) {
    if (e instanceof Undetermined) fail(['cohort_type'], 'Invalid cohort type for the given filters');
    throw e;
  }
  if (provided !== required) fail(['cohort_type'], `Cohort type '${provided}' does not match the filters. Expected type: '${required}'`);
}

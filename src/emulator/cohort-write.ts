// CohortSerializer writes (posthog/api/cohort.py): field checks in Meta.fields order with
// `validate_filters`, `validate_query`, `validate_cohort_type`, then `create` / `update`.
// Calculations PostHog queues for its worker are marked `calculation_queued` and finished by the
// next read of cohorts (cohort-routes.ts), never during the write that queued them.
import { expandGroups, rewriteGroupProperties } from './cohort-groups.js';
import { cohortErrorMessage, realtimeSupported, validateCohortFilters } from './cohort-filters.js';
import { checkCohortType } from './cohort-type.js';
import { checkDeletable, willCreateLoops } from './cohort-usage.js';
import { nowDrf } from './dates.js';
import { booleanField, charField, choiceField, ErrorCollector, listField, nestedObject } from './drf-fields.js';
import { ApiError, fail, serverErrorBody, ValidationFailure } from './errors.js';
import { canonical, clone, isObject, pyTruthy, type Json, type JsonObject } from './json.js';
import { errorsRepr } from './pydantic-errors.js';
import { validateQuerySchema } from './query-validation.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredCohort } from './types.js';

const COHORT_TYPES = ['static', 'person_property', 'behavioral', 'realtime', 'analytical'] as const;

/** posthog/utils.py `str_to_bool`. */
const strToBool = (v: unknown) => pyTruthy(v as Json) && ['y', 'yes', 't', 'true', 'on', '1'].includes(String(v).toLowerCase());

/** `cohort_filters_have_values` [inferred, not read]: some leaf under `properties`. */
function filtersHaveValues(filters: Json): boolean {
  const leaf = (n: Json): boolean =>
    Array.isArray(n) ? n.some(leaf) : isObject(n) && (Array.isArray(n.values) ? n.values.some(leaf) : true);
  return (
    isObject(filters) && isObject(filters.properties) && Array.isArray(filters.properties.values) && filters.properties.values.some(leaf)
  );
}

interface CohortFields {
  name?: string | null;
  description?: string;
  groups?: Json;
  deleted?: boolean;
  filters?: Json;
  query?: JsonObject | null;
  is_static?: boolean;
  cohort_type?: string | null;
  personIds?: string[];
}

/** `validate_filters`: skipped for a static cohort without criteria; pydantic errors become one message. */
function validateFilters(project: ProjectStore, raw: Json, willBeStatic: boolean): Json {
  if (willBeStatic && !filtersHaveValues(raw)) return raw;
  if (!isObject(raw) || !('properties' in raw)) {
    // ValidationError({"detail": …, "type": …}) inside a field validator: two errors under `filters`.
    throw new ValidationFailure([
      { path: ['filters', 'detail'], detail: "Must contain a 'properties' key with type and values", code: 'invalid' },
      { path: ['filters', 'type'], detail: 'validation_error', code: 'invalid' },
    ]);
  }
  const result = validateCohortFilters(raw, project);
  if (!result.ok) fail(['filters'], cohortErrorMessage(result.errors) ?? errorsRepr(result.errors));
  return result.filters;
}

/** `validate_query`: falsy is null; a pydantic failure of the model is not a DRF error (500). */
function validateQuery(raw: Json): JsonObject | null {
  if (!pyTruthy(raw)) return null;
  if (!isObject(raw)) fail(['query'], 'Query must be a dictionary.');
  if (raw.kind !== 'ActorsQuery' && raw.kind !== 'HogQLQuery') {
    fail(
      ['query'],
      `Query must be an ActorsQuery or HogQLQuery. Got: ${raw.kind === undefined || raw.kind === null ? 'None' : String(raw.kind)}`,
    );
  }
  try {
    validateQuerySchema(raw);
  } catch {
    throw new ApiError(500, serverErrorBody());
  }
  return clone(raw);
}

function validate(project: ProjectStore, raw: unknown, instance: StoredCohort | undefined): CohortFields {
  const body = nestedObject(raw, ['non_field_errors']);
  const has = (k: string) => Object.hasOwn(body, k);
  const f: CohortFields = {};
  const c = new ErrorCollector();
  const willBeStatic = has('is_static') ? strToBool(body.is_static) : Boolean(instance?.is_static);
  if (has('name')) c.run(() => (f.name = charField(body.name, ['name'], { allowNull: true, allowBlank: true, maxLength: 400 })));
  if (has('description'))
    c.run(() => (f.description = charField(body.description, ['description'], { allowBlank: true, maxLength: 1000 }) as string));
  if (has('groups')) {
    c.run(() => {
      if (body.groups === null) fail(['groups'], 'This field may not be null.', 'null');
      f.groups = clone(body.groups as Json);
    });
  }
  if (has('deleted')) c.run(() => (f.deleted = booleanField(body.deleted, ['deleted']) as boolean));
  if (has('filters')) c.run(() => (f.filters = validateFilters(project, body.filters as Json, willBeStatic)));
  if (has('query')) c.run(() => (f.query = validateQuery(body.query as Json)));
  if (has('is_static')) c.run(() => (f.is_static = booleanField(body.is_static, ['is_static']) as boolean));
  if (has('cohort_type')) {
    c.run(() => {
      const value = body.cohort_type === '' ? '' : choiceField(body.cohort_type, ['cohort_type'], COHORT_TYPES, true);
      // validate_cohort_type reads the other values as sent (initial_data), else the stored ones.
      if (value) {
        checkCohortType(project, value, {
          is_static: has('is_static') ? (body.is_static as Json) : (instance?.is_static ?? false),
          query: has('query') ? (body.query as Json) : (instance?.query ?? null),
          filters: has('filters') ? (body.filters as Json) : (instance?.filters ?? null),
        });
      }
      f.cohort_type = value;
    });
  }
  if (has('_create_in_folder')) c.run(() => charField(body._create_in_folder, ['_create_in_folder'], { allowBlank: true }));
  if (has('_create_static_person_ids')) {
    c.run(() => {
      const ids = listField(body._create_static_person_ids, ['_create_static_person_ids']);
      const items = new ErrorCollector();
      f.personIds = ids.map((id, i) => {
        let out = '';
        items.run(() => (out = charField(id, ['_create_static_person_ids', i]) as string));
        return out;
      });
      items.throwIfAny();
    });
  }
  c.throwIfAny();
  return f;
}

/** `validate_filters_and_compute_realtime_support`: the stored form and the computed cohort type. */
function computeType(project: ProjectStore, filters: Json): { filters: Json; cohort_type: string | null } {
  const result = validateCohortFilters(filters as JsonObject, project);
  if (!result.ok) return { filters, cohort_type: null };
  return { filters: result.filters, cohort_type: realtimeSupported(result.filters.properties as Json) ? 'realtime' : null };
}

/** `increment_version_and_enqueue_calculate_cohort`. */
function enqueue(cohort: StoredCohort): void {
  cohort.pending_version = (cohort.pending_version ?? 0) + 1;
  if (!cohort.is_static) cohort.is_calculating = true;
  cohort.calculation_queued = true;
}

/** `insert_users_list_by_uuid`: the emulator has no persons, so every listed UUID is unknown. */
function insertNoPersons(cohort: StoredCohort): void {
  cohort.count = 0;
  cohort.is_calculating = false;
  cohort.last_calculation = nowDrf();
  cohort.errors_calculating = 0;
}

export interface CohortExtras {
  id?: number;
  created_at?: string;
}

/**
 * CohortSerializer.create. A dynamic cohort with a query is refused only after the row exists:
 * the row stays and the refusal is returned as `refusal`.
 */
export function createCohort(
  store: EmulatorStore,
  project: ProjectStore,
  raw: unknown,
  userId: number,
  extras: CohortExtras = {},
): { cohort: StoredCohort; refusal?: ValidationFailure } {
  const f = validate(project, raw, undefined);
  const isStatic = f.is_static ?? false;
  const hasCriteria = filtersHaveValues(f.filters ?? null);
  if (f.query && hasCriteria) fail([], 'Cannot set both query and filters at the same time.');
  let filters = f.filters ?? null;
  let cohortType = f.cohort_type ?? null;
  if (pyTruthy(filters) && !isStatic) ({ filters, cohort_type: cohortType } = computeType(project, filters));
  if (extras.id !== undefined && [...store.projects.values()].some((p) => p.cohorts.some((x) => x.id === extras.id)))
    throw new Error(`Cohort id ${extras.id} already exists`);
  const cohort: StoredCohort = {
    id: store.allocateCohortId(extras.id),
    name: f.name ?? null,
    description: f.description ?? '',
    groups: rewriteGroupProperties(expandGroups(f.groups ?? [])),
    deleted: f.deleted ?? false,
    filters,
    query: f.query ?? null,
    version: null,
    pending_version: null,
    count: null,
    is_calculating: !isStatic,
    created_by: userId,
    created_at: extras.created_at ?? nowDrf(),
    last_calculation: null,
    errors_calculating: 0,
    is_static: isStatic,
    cohort_type: cohortType,
    calculation_queued: false,
  };
  project.cohorts.push(cohort);
  const personIds = f.personIds ?? [];
  if (isStatic) {
    // _handle_static: listed persons first, else a query or criteria for the worker, else the
    // `[]` default of `_create_static_person_ids` (an empty static cohort).
    if (personIds.length || !(f.query || hasCriteria)) insertNoPersons(cohort);
    else Object.assign(cohort, { is_calculating: true, calculation_queued: true });
  } else if (cohort.query !== null) {
    return {
      cohort,
      refusal: new ValidationFailure([
        { path: [], detail: 'Cannot create a dynamic cohort with a query. Set is_static to true.', code: 'invalid' },
      ]),
    };
  } else enqueue(cohort);
  return { cohort };
}

/** CohortSerializer.update, in its order of effects; nothing is saved when it refuses. */
export function updateCohort(project: ProjectStore, cohort: StoredCohort, raw: unknown): void {
  const f = validate(project, raw, cohort);
  const existingHasCriteria = filtersHaveValues(cohort.filters);
  const filtersChanged = 'filters' in f && canonical(f.filters) !== canonical(cohort.filters);
  const next = clone(cohort);
  if (f.name !== undefined) next.name = f.name;
  if (f.description !== undefined) next.description = f.description;
  if (f.groups !== undefined) next.groups = f.groups;
  if (f.is_static !== undefined) next.is_static = f.is_static;
  if (f.cohort_type !== undefined) next.cohort_type = f.cohort_type;
  if (f.query !== undefined) next.query = f.query;
  if ('filters' in f) {
    if (pyTruthy(f.filters ?? null) && !next.is_static) Object.assign(next, computeType(project, f.filters ?? null));
    else next.filters = f.filters ?? null;
  }
  if (next.is_static && filtersChanged && (existingHasCriteria || filtersHaveValues(f.filters ?? null))) {
    fail([], 'Editing the criteria of a static cohort is not supported yet. Create a new static cohort instead.');
  }
  const deleted = f.deleted;
  if (deleted !== undefined && cohort.deleted !== deleted) {
    if (deleted) checkDeletable(project, cohort);
    next.deleted = deleted;
  } else if (!next.is_static) next.is_calculating = true;
  if (willCreateLoops(project, next)) fail([], 'Cohorts cannot reference other cohorts in a loop.');
  Object.assign(cohort, next);
  if (!deleted) {
    if (cohort.is_static && f.query) cohort.calculation_queued = true;
    else if (!cohort.is_static) enqueue(cohort);
  }
  cohort.groups = rewriteGroupProperties(cohort.groups);
}

/** The worker's `calculate_cohort_ch` (or a static insert) finishing: no persons, so count 0. */
export function finishCalculation(cohort: StoredCohort): void {
  if (!cohort.calculation_queued) return;
  if (!cohort.is_static) cohort.version = cohort.pending_version;
  insertNoPersons(cohort);
  cohort.calculation_queued = false;
}

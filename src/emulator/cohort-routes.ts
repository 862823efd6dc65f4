// CohortViewSet (posthog/api/cohort.py; `projects_router.register(r"cohorts", …)`, so under
// /api/projects/ only): ForbidDestroyModel, soft delete through PATCH, default throttles,
// LimitOffset lists ordered `-created_at` with no tie-breaker.
//
// The calculation PostHog's worker runs after a write is modelled plainly: the write answers
// with `is_calculating: true` (and the bumped `pending_version`), and the next read of this
// project's cohorts (list or retrieve) finds it finished: `is_calculating: false`, `version` =
// `pending_version`, `count` 0 (the emulator has no persons), `last_calculation` set.
import { groupsPropertiesDict } from './cohort-groups.js';
import { createCohort, finishCalculation, updateCohort } from './cohort-write.js';
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { epochMicros } from './drf-datetime.js';
import { ApiError, fail, notFound, serverErrorBody, validationEnvelope } from './errors.js';
import { isObject, pyTruthy, type Json, type JsonObject } from './json.js';
import { byColumn, orderWithUnorderedTies } from './ordering.js';
import { limitOffset } from './pagination.js';
import type { Route } from './router.js';
import type { ProjectStore, StoredCohort } from './types.js';
import { userBasic } from './users.js';

const strToBool = (v: string | null) => v !== null && ['y', 'yes', 't', 'true', 'on', '1'].includes(v.toLowerCase());

function settle(project: ProjectStore): void {
  for (const c of project.cohorts) finishCalculation(c);
}

/** CohortSerializer (Meta.fields order); `?basic=true` lists drop filters, query and groups. */
function cohortOut(cohort: StoredCohort, opts: { basic?: boolean; searched?: boolean } = {}): JsonObject {
  const out: JsonObject = {
    id: cohort.id,
    name: cohort.name,
    description: cohort.description,
    groups: cohort.groups,
    deleted: cohort.deleted,
    // to_representation: the stored filters, else the legacy groups as a property group.
    filters: pyTruthy(cohort.filters) ? cohort.filters : { properties: groupsPropertiesDict(cohort.groups) },
    query: cohort.query,
    version: cohort.version,
    pending_version: cohort.pending_version,
    is_calculating: cohort.is_calculating,
    created_by: userBasic(cohort.created_by),
    created_at: cohort.created_at,
    last_calculation: cohort.last_calculation,
    last_backfill_person_properties_at: null,
    errors_calculating: cohort.errors_calculating,
    last_error_message: null,
    count: cohort.count,
    is_static: cohort.is_static,
    cohort_type: cohort.cohort_type,
    experiment_set: [],
    ...(opts.searched ? { search_match_type: 'exact' } : {}),
  };
  if (opts.basic) for (const k of ['filters', 'query', 'groups']) delete out[k];
  return out;
}

/** A behavioural leaf anywhere, following cohort references (`get_flag_excluded_behavioral_cohort_ids`). */
function behavioural(project: ProjectStore, cohort: StoredCohort, seen = new Set<number>()): boolean {
  seen.add(cohort.id);
  const walk = (n: Json): boolean => {
    if (Array.isArray(n)) return n.some(walk);
    if (!isObject(n)) return false;
    if (n.type === 'behavioral') return true;
    if (n.type === 'cohort') {
      const ref = project.cohorts.find((c) => c.id === Number(n.value));
      return ref !== undefined && !seen.has(ref.id) && !ref.is_static && behavioural(project, ref, seen);
    }
    return Object.values(n).some(walk);
  };
  return walk(cohort.filters);
}

/** `safely_get_queryset` + `_filter_request` for `list`. */
function list(req: ApiRequest): ApiResponse {
  const q = req.url.searchParams;
  const project = req.project;
  settle(project);
  let items = project.cohorts.filter((c) => !c.deleted);
  if (q.get('hide_behavioral_cohorts')?.toLowerCase() === 'true') items = items.filter((c) => !behavioural(project, c));
  const type = q.get('type');
  if (type === 'static') items = items.filter((c) => c.is_static);
  if (type === 'dynamic') items = items.filter((c) => !c.is_static);
  const creator = q.get('created_by_id');
  if (creator !== null) {
    // `filter(created_by_id=…)` with a non-integer: Django's ValueError, a 500.
    if (!/^\s*-?\d+\s*$/.test(creator)) throw new ApiError(500, serverErrorBody());
    items = items.filter((c) => c.created_by === Number(creator));
  }
  const search = q.get('search');
  if (search !== null && search.length > 200) fail(['search'], 'Search query must be 200 characters or fewer.');
  const term = search?.trim().toLowerCase();
  // apply_trigram_search: case-insensitive substring matches ("exact"), then -created_at; the
  // fuzzy "similar" tier is not emulated.
  if (term) items = items.filter((c) => (c.name ?? '').toLowerCase().includes(term));
  items = orderWithUnorderedTies(
    items,
    req.random,
    byColumn((c) => epochMicros(c.created_at), true),
  );
  const basic = strToBool(q.get('basic'));
  return {
    ...json(
      200,
      limitOffset(req.url, items, (c) => cohortOut(c, { basic, searched: Boolean(term) })),
    ),
    lightRows: basic,
  };
}

function findCohort(project: ProjectStore, ref: string): StoredCohort {
  const cohort = /^\d+$/.test(ref) ? project.cohorts.find((c) => c.id === Number(ref)) : undefined;
  if (!cohort) throw notFound();
  return cohort;
}

function retrieve(req: ApiRequest): ApiResponse {
  settle(req.project);
  return json(200, cohortOut(findCohort(req.project, req.params.id as string)));
}

function create(req: ApiRequest): ApiResponse {
  const { cohort, refusal } = createCohort(req.store, req.project, req.body(), req.userId);
  // The refusal of a dynamic cohort with a query comes after the row was written.
  if (refusal) return json(400, validationEnvelope(refusal), true);
  return json(201, cohortOut(cohort), true);
}

function update(req: ApiRequest): ApiResponse {
  const cohort = findCohort(req.project, req.params.id as string);
  updateCohort(req.project, cohort, req.body());
  return json(200, cohortOut(cohort), true);
}

/** ForbidDestroyModel: 405 with no body. */
const forbidDestroy = (): ApiResponse => ({ status: 405, body: null });

const base = { scope: 'cohort', bucket: 'crud', projectsOnly: true } as const;

export const cohortRoutes: Route[] = [
  {
    ...base,
    path: 'cohorts',
    methods: { GET: { action: 'list', write: false, handler: list }, POST: { action: 'create', write: true, handler: create } },
  },
  {
    ...base,
    path: 'cohorts/:id',
    methods: {
      GET: { action: 'retrieve', write: false, handler: retrieve },
      PATCH: { action: 'partial_update', write: true, handler: update },
      PUT: { action: 'update', write: true, handler: update },
      DELETE: { action: 'destroy', write: true, handler: forbidDestroy },
    },
  },
];

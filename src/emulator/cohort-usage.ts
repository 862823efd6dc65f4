// What other objects make of a cohort (posthog/api/cohort.py): `will_create_loops` on every
// update, and the deletion guards of `CohortSerializer.update` (`get_insights_using_cohort`,
// `get_cohorts_using_cohort`). Feature flags and test-account filters are not emulated.
import { cohortLeaves } from './cohort-groups.js';
import { ApiError, fail, serverErrorBody } from './errors.js';
import { isObject, type Json, type JsonObject } from './json.js';
import type { ProjectStore, StoredCohort } from './types.js';

/** `$.** ? (@.type == "cohort" && @.value == <id>)`: a numeric match at any depth. */
function refersTo(value: Json, id: number): boolean {
  if (Array.isArray(value)) return value.some((v) => refersTo(v, id));
  if (!isObject(value)) return false;
  return (value.type === 'cohort' && value.value === id) || Object.values(value).some((v) => refersTo(v, id));
}

/** `get_insights_using_cohort`: live insights whose query names the cohort, or break down by it. */
function insightsUsing(project: ProjectStore, id: number): string[] {
  return project.insights
    .filter((i) => {
      if (i.deleted || !JSON.stringify(i.query ?? null).includes('"cohort"')) return false;
      const source = isObject(i.query) && isObject(i.query.source) ? i.query.source : undefined;
      const breakdown = source && isObject(source.breakdownFilter) ? source.breakdownFilter : undefined;
      const byCohort = breakdown?.breakdown_type === 'cohort' && Array.isArray(breakdown.breakdown) && breakdown.breakdown.includes(id);
      return refersTo(i.query, id) || byCohort;
    })
    .sort((a, b) => a.id - b.id)
    .map((i) => i.name || i.derived_name || 'Unnamed');
}

/** `get_cohorts_using_cohort`: other live cohorts whose `filters` (not legacy groups) name it. */
const cohortsUsing = (project: ProjectStore, id: number): string[] =>
  project.cohorts
    .filter((c) => !c.deleted && c.id !== id && refersTo(c.filters, id))
    .sort((a, b) => a.id - b.id)
    .map((c) => c.name || 'Unnamed');

function names(list: string[]): string {
  const shown = list.slice(0, 5).join(', ');
  return list.length > 5 ? `${shown}, and ${list.length - 5} more` : shown;
}

/** The refusals of a `deleted: true` change, in PostHog's order. */
export function checkDeletable(project: ProjectStore, cohort: StoredCohort): void {
  const insights = insightsUsing(project, cohort.id);
  if (insights.length) {
    fail(
      [],
      `This cohort is used in ${insights.length} insight(s): ${names(insights)}. Please remove the cohort from these insights before deleting it.`,
    );
  }
  const cohorts = cohortsUsing(project, cohort.id);
  if (cohorts.length) {
    fail(
      [],
      `This cohort is used as criteria in ${cohorts.length} other cohort(s): ${names(cohorts)}. Please remove this cohort from those cohort definitions before deleting it.`,
    );
  }
}

const crash = (): never => {
  throw new ApiError(500, serverErrorBody());
};

/**
 * `will_create_loops`: a depth-first walk from the cohort as it is about to be saved, through
 * `Cohort.objects.get(pk=value)` (any cohort of the project, deleted ones too, as stored). As in
 * Python, only integer values are recognised on the path; a numeric string is looked up each
 * time, so a cycle through one recurses until Python gives up (500). A missing cohort is
 * "Invalid Cohort ID in filter".
 */
export function willCreateLoops(project: ProjectStore, root: StoredCohort): boolean {
  const seen = new Set<number>();
  const path = new Set<number>();
  const dfs = (cohort: StoredCohort, depth: number): boolean => {
    if (depth > 900) crash();
    seen.add(cohort.id);
    path.add(cohort.id);
    for (const leaf of cohortLeaves(cohort.filters, cohort.groups)) {
      const value = (leaf as JsonObject).value as Json;
      const asInt = typeof value === 'number' && Number.isInteger(value);
      if (asInt && path.has(value)) return true;
      if (asInt && seen.has(value)) continue;
      let pk: number | null;
      if (asInt) pk = value;
      else if (value === null || value === undefined) pk = null;
      else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) pk = parseInt(value, 10);
      else return crash();
      const nested = pk === null ? undefined : project.cohorts.find((c) => c.id === pk);
      if (!nested) fail([], 'Invalid Cohort ID in filter');
      if (dfs(nested, depth + 1)) return true;
    }
    path.delete(cohort.id);
    return false;
  };
  return dfs(root, 0);
}

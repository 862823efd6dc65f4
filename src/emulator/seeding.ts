// Applies a SeedDoc through the same validation as POSTs, so seeds are normalised exactly like
// API writes (trimmed names, secrets moved out of `inputs`, derived code_names, compiled filters).
import { createAction } from './action-write.js';
import { createCohort } from './cohort-write.js';
import { seedDashboard, seedDashboardTiles } from './dashboard-seed.js';
import { AfterWrites, ApiError, validationEnvelope, ValidationFailure } from './errors.js';
import { addLogs, addMetrics } from './hog-function-observability.js';
import { createHogFunction } from './hog-function-write.js';
import { createAlert } from './alert-seeds.js';
import { createVariable } from './insight-variables.js';
import { createInsight } from './insight-write.js';
import { isObject, type JsonObject } from './json.js';
import { DEFAULT_FEATURE_FLAGS, type EmulatorStore } from './store.js';
import type { SeedDoc, SeedProject } from './types.js';

/** The user that owns seeded objects. */
export const SEED_USER_ID = 1;

export class SeedError extends Error {}

function describe(e: unknown): string {
  if (e instanceof AfterWrites) return describe(e.failure);
  if (e instanceof ValidationFailure) {
    const env = validationEnvelope(e);
    return `${String(env.detail)}${env.attr ? ` (attr ${String(env.attr)})` : ''}`;
  }
  if (e instanceof ApiError && isObject(e.body)) return String(e.body.detail);
  return e instanceof Error ? e.message : String(e);
}

function withContext<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw new SeedError(`seed ${where}: ${describe(e)}`);
  }
}

/** The fixed integer `id` and `created_at` a seed action or cohort may carry. */
function pinned(item: JsonObject): { id?: number; created_at?: string } {
  return {
    ...(typeof item.id === 'number' ? { id: item.id } : {}),
    ...(typeof item.created_at === 'string' ? { created_at: item.created_at } : {}),
  };
}

function without(item: JsonObject, keys: string[]): JsonObject {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !keys.includes(k)));
}

export function checkSeedDoc(doc: unknown): asserts doc is SeedDoc {
  if (!isObject(doc) || !Array.isArray(doc.projects)) throw new SeedError('a seed must be a JSON object with a "projects" array');
  doc.projects.forEach((p, i) => {
    if (!isObject(p) || typeof p.id !== 'number' || !Number.isInteger(p.id) || typeof p.name !== 'string') {
      throw new SeedError(`seed projects[${i}] needs an integer "id" and a string "name"`);
    }
  });
}

function seedProject(store: EmulatorStore, sp: SeedProject): void {
  const project = store.ensureProject(sp.id, sp.name, sp.tagging ?? true, sp.feature_flags ?? DEFAULT_FEATURE_FLAGS);
  const here = `project ${sp.id}`;
  project.hogFunctionDrafts = sp.hog_function_drafts ?? true;
  if (sp.alert_plan) project.alertPlan = { ...sp.alert_plan };
  else delete project.alertPlan;
  // Actions, then cohorts in the order given (a cohort may name an earlier one), each as POSTed.
  // A seed may give an action the id another project's action has (PostHog cannot: one
  // sequence): older seeds give staging the production ids so one set of files fits both.
  (sp.actions ?? []).forEach((a, i) =>
    withContext(`${here} actions[${i}]`, () => createAction(store, project, without(a, ['id', 'created_at']), SEED_USER_ID, pinned(a))),
  );
  (sp.cohorts ?? []).forEach((c, i) =>
    withContext(`${here} cohorts[${i}]`, () => {
      const { refusal } = createCohort(store, project, without(c, ['id', 'created_at']), SEED_USER_ID, pinned(c));
      if (refusal) throw refusal;
    }),
  );
  const dashboards = (sp.dashboards ?? []).map((d, i) =>
    withContext(`${here} dashboards[${i}]`, () => seedDashboard(store, project, d, SEED_USER_ID)),
  );
  (sp.insight_variables ?? []).forEach((v, i) =>
    withContext(`${here} insight_variables[${i}]`, () =>
      createVariable(store, project, without(v, ['id', 'created_at']), SEED_USER_ID, {
        ...(typeof v.id === 'string' ? { id: v.id } : {}),
        ...(typeof v.created_at === 'string' ? { created_at: v.created_at } : {}),
      }),
    ),
  );
  (sp.insights ?? []).forEach((ins, i) =>
    withContext(`${here} insights[${i}]`, () => {
      const insight = createInsight(store, project, without(ins, ['id', 'short_id', 'created_at', 'alerts']), SEED_USER_ID, {
        ...(typeof ins.id === 'number' ? { id: ins.id } : {}),
        ...(typeof ins.short_id === 'string' ? { short_id: ins.short_id } : {}),
        ...(typeof ins.created_at === 'string' ? { created_at: ins.created_at } : {}),
      });
      if (ins.alerts !== undefined && !Array.isArray(ins.alerts)) throw new SeedError('"alerts" must be a list');
      for (const alert of (ins.alerts as unknown[] | undefined) ?? []) createAlert(store, project, insight, alert, SEED_USER_ID);
    }),
  );
  dashboards.forEach((d, i) =>
    withContext(`${here} dashboards[${i}].tiles`, () => seedDashboardTiles(store, project, d, sp.dashboards?.[i]?.tiles, SEED_USER_ID)),
  );
  (sp.hog_functions ?? []).forEach((hf, i) =>
    withContext(`${here} hog_functions[${i}]`, () => {
      const fn = createHogFunction(
        { store, project, isCreate: true, seeded: true },
        without(hf, ['id', 'created_at', 'logs', 'metrics']),
        SEED_USER_ID,
        {
          ...(typeof hf.id === 'string' ? { id: hf.id } : {}),
          ...(typeof hf.created_at === 'string' ? { created_at: hf.created_at } : {}),
        },
      );
      if (hf.logs !== undefined) addLogs(project, fn.id, hf.logs);
      if (hf.metrics !== undefined) addMetrics(project, fn.id, hf.metrics);
    }),
  );
}

export function applySeed(store: EmulatorStore, doc: unknown): void {
  checkSeedDoc(doc);
  for (const p of doc.projects) seedProject(store, p);
}

// The emulator's in-memory database: projects and the id counter. Resource modules mutate
// ProjectStore rows directly; persistence snapshots this whole object.
import type { HogParser } from './hog-parser.js';
import { upgradeAction } from './action-write.js';
import { uuidt } from './ids.js';
import type { ProjectStore } from './types.js';

/** PostHog flags the emulator's teams have unless a seed says otherwise. */
export const DEFAULT_FEATURE_FLAGS: readonly string[] = ['logs-transformations'];

export interface PersistedState {
  version: 1;
  uuid_counter: number;
  /** Highest insight id handed out; absent in files written before ids were global. */
  insight_counter?: number;
  /** Highest action and cohort ids handed out (absent in older files: derived from the rows). */
  action_counter?: number;
  cohort_counter?: number;
  projects: ProjectStore[];
}

export class EmulatorStore {
  readonly projects = new Map<number, ProjectStore>();
  private uuidCounter = 0;
  private insightCounter = 0;
  private actionCounter = 0;
  private cohortCounter = 0;

  constructor(readonly parser: HogParser) {}

  nextUuid(): string {
    this.uuidCounter += 1;
    return uuidt(this.uuidCounter);
  }

  /**
   * Insight ids are one sequence for the whole instance, like PostHog's integer primary key:
   * the same id never names insights of two projects (that would hide a tool using the
   * wrong project's id).
   */
  allocateInsightId(requested?: number): number {
    if (requested !== undefined) {
      this.insightCounter = Math.max(this.insightCounter, requested);
      return requested;
    }
    this.insightCounter += 1;
    return this.insightCounter;
  }

  /** Actions and cohorts have integer primary keys too: one sequence each for the instance. */
  allocateActionId(requested?: number): number {
    this.actionCounter = requested === undefined ? this.actionCounter + 1 : Math.max(this.actionCounter, requested);
    return requested ?? this.actionCounter;
  }

  allocateCohortId(requested?: number): number {
    this.cohortCounter = requested === undefined ? this.cohortCounter + 1 : Math.max(this.cohortCounter, requested);
    return requested ?? this.cohortCounter;
  }

  project(id: number): ProjectStore | undefined {
    return this.projects.get(id);
  }

  ensureProject(id: number, name: string, tagging = true, featureFlags = DEFAULT_FEATURE_FLAGS): ProjectStore {
    const existing = this.projects.get(id);
    if (existing) {
      existing.name = name;
      existing.tagging = tagging;
      existing.featureFlags = [...featureFlags];
      return existing;
    }
    const created: ProjectStore = {
      id,
      name,
      tagging,
      featureFlags: [...featureFlags],
      actions: [],
      cohorts: [],
      dashboards: [],
      insights: [],
      dashboardTiles: [],
      alerts: [],
      insightVariables: [],
      hogFunctions: [],
      hogFunctionLogs: [],
      hogFunctionMetrics: [],
      nextIds: { tile: 1 },
    };
    this.projects.set(id, created);
    return created;
  }

  clear(): void {
    this.projects.clear();
    this.uuidCounter = 0;
    this.insightCounter = 0;
    this.actionCounter = 0;
    this.cohortCounter = 0;
  }

  snapshot(): PersistedState {
    return {
      version: 1,
      uuid_counter: this.uuidCounter,
      insight_counter: this.insightCounter,
      action_counter: this.actionCounter,
      cohort_counter: this.cohortCounter,
      projects: [...this.projects.values()],
    };
  }

  restore(state: PersistedState): void {
    this.clear();
    this.uuidCounter = state.uuid_counter;
    // State files written before alerts and feature flags existed get their defaults.
    for (const p of state.projects) {
      const loaded: Partial<ProjectStore> = p;
      this.projects.set(p.id, {
        ...p,
        featureFlags: loaded.featureFlags ?? [...DEFAULT_FEATURE_FLAGS],
        alerts: loaded.alerts ?? [],
        actions: (loaded.actions ?? []).map(upgradeAction),
        cohorts: loaded.cohorts ?? [],
      });
    }
    const ids = (get: (p: ProjectStore) => Array<{ id: number }>) => Math.max(0, ...[...this.projects.values()].flatMap((p) => get(p).map((r) => r.id)));
    this.actionCounter = state.action_counter ?? ids((p) => p.actions);
    this.cohortCounter = state.cohort_counter ?? ids((p) => p.cohorts);
    this.insightCounter = state.insight_counter ?? Math.max(0, ...state.projects.flatMap((p) => p.insights.map((i) => i.id)));
  }
}

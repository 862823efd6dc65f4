// The emulator's in-memory database: projects and the id counter. Resource modules mutate
// ProjectStore rows directly; persistence snapshots this whole object.
import type { HogParser } from './hog-parser.js';
import { restoreDashboardRows } from './dashboard-store.js';
import { upgradeAction } from './action-write.js';
import { uuidt } from './ids.js';
import { upgradeStoredAlert } from './insight-alerts.js';
import type { ProjectStore } from './types.js';

/** PostHog flags the emulator's teams have unless a seed says otherwise. */
export const DEFAULT_FEATURE_FLAGS: readonly string[] = ['logs-transformations', 'hogql-insight-alerts', 'funnel-insight-alerts'];

export interface PersistedState {
  version: 1;
  uuid_counter: number;
  /** Highest insight id handed out; absent in files written before ids were global. */
  insight_counter?: number;
  /** Highest dashboard, tile and text ids handed out; absent in files written before dashboards. */
  counters?: Partial<Record<IdSequence, number>>;
  projects: ProjectStore[];
}

/** Integer primary keys besides insights': one sequence each for the whole instance. */
export type IdSequence = 'dashboard' | 'tile' | 'text' | 'action' | 'cohort';

export class EmulatorStore {
  readonly projects = new Map<number, ProjectStore>();
  private uuidCounter = 0;
  private insightCounter = 0;
  private counters: Record<IdSequence, number> = { dashboard: 0, tile: 0, text: 0, action: 0, cohort: 0 };

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

  /** Like allocateInsightId, for dashboards, tiles and texts: ids are never reused. */
  allocateId(sequence: IdSequence, requested?: number): number {
    const next = requested ?? this.counters[sequence] + 1;
    this.counters[sequence] = Math.max(this.counters[sequence], next);
    return next;
  }

  /** Actions and cohorts have integer primary keys too: one sequence each for the instance. */
  allocateActionId(requested?: number): number {
    return this.allocateId('action', requested);
  }

  allocateCohortId(requested?: number): number {
    return this.allocateId('cohort', requested);
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
      hogFunctionDrafts: true,
      featureFlags: [...featureFlags],
      actions: [],
      cohorts: [],
      dashboards: [],
      insights: [],
      dashboardTiles: [],
      dashboardTexts: [],
      buttonTiles: [],
      alerts: [],
      insightVariables: [],
      hogFunctions: [],
      hogFunctionLogs: [],
      hogFunctionMetrics: [],
    };
    this.projects.set(id, created);
    return created;
  }

  clear(): void {
    this.projects.clear();
    this.uuidCounter = 0;
    this.insightCounter = 0;
    this.counters = { dashboard: 0, tile: 0, text: 0, action: 0, cohort: 0 };
  }

  snapshot(): PersistedState {
    return {
      version: 1,
      uuid_counter: this.uuidCounter,
      insight_counter: this.insightCounter,
      counters: { ...this.counters },
      projects: [...this.projects.values()],
    };
  }

  restore(state: PersistedState): void {
    this.clear();
    this.uuidCounter = state.uuid_counter;
    // State files written before alerts and feature flags existed get their defaults.
    for (const p of state.projects) {
      const loaded: Partial<ProjectStore> = p;
      this.projects.set(
        p.id,
        restoreDashboardRows({
          ...p,
          hogFunctionDrafts: loaded.hogFunctionDrafts ?? true,
          featureFlags: loaded.featureFlags ?? [...DEFAULT_FEATURE_FLAGS],
          alerts: (loaded.alerts ?? []).map(upgradeStoredAlert),
          actions: (loaded.actions ?? []).map(upgradeAction),
          cohorts: loaded.cohorts ?? [],
        }),
      );
    }
    const highest = (ids: number[]) => Math.max(0, ...ids);
    const all = [...this.projects.values()];
    this.counters = {
      dashboard: state.counters?.dashboard ?? highest(all.flatMap((p) => p.dashboards.map((d) => d.id))),
      tile: state.counters?.tile ?? highest(all.flatMap((p) => p.dashboardTiles.map((t) => t.id))),
      text: state.counters?.text ?? highest(all.flatMap((p) => p.dashboardTexts.map((t) => t.id))),
      action: state.counters?.action ?? highest(all.flatMap((p) => p.actions.map((a) => a.id))),
      cohort: state.counters?.cohort ?? highest(all.flatMap((p) => p.cohorts.map((c) => c.id))),
    };
    this.insightCounter = state.insight_counter ?? Math.max(0, ...state.projects.flatMap((p) => p.insights.map((i) => i.id)));
  }
}

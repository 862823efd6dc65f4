// Wires the store, the HTTP server and the controls together behind the public Emulator API.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { alertRoutes } from './alert-routes.js';
import { handleApi, type PipelineDeps } from './api-pipeline.js';
import { actionRoutes } from './action-routes.js';
import { buildKeyRing, findPresentedKey, type ApiKey } from './auth.js';
import { catalogRoutes } from './catalog-routes.js';
import { cohortRoutes } from './cohort-routes.js';
import { handleControl, type ControlTarget } from './control-routes.js';
import { notFound, validationEnvelope, ValidationFailure } from './errors.js';
import { FaultDice } from './faults.js';
import type { HogExecutor } from './hog-executor.js';
import { invocationRoutes } from './hog-function-invocations.js';
import { addLogs, addMetrics, hogFunctionObservabilityRoutes } from './hog-function-observability.js';
import { hogFunctionCrudRoutes, hogFunctionDetailRoutes } from './hog-function-routes.js';
import { HogParser } from './hog-parser.js';
import { standInExecutor } from './hog-stand-in-vm.js';
import { parseBody, readBody, send } from './http-io.js';
import { makeRandom } from './random.js';
import { iconRoutes } from './icons.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { createAlert } from './alert-seeds.js';
import { insightRoutes } from './insight-routes.js';
import { insightVariableRoutes } from './insight-variables.js';
import { loadState, saveState } from './persistence.js';
import { RequestLog, type RequestStats } from './request-log.js';
import type { Route } from './router.js';
import { loadSeed } from './seed-loader.js';
import { applySeed, SEED_USER_ID } from './seeding.js';
import { EmulatorStore } from './store.js';
import { defaultRateLimits, mergeRateLimits, Throttler, type RateLimitPatch } from './throttle.js';
import type { ApiKeyConfig, Faults, ProjectStore, RateLimitSettings, RequestLogEntry, SeedDoc } from './types.js';

export interface EmulatorOptions {
  /** 0 = pick a free port (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: DEV_API_KEY with ['*'] for every project. */
  keys?: ApiKeyConfig[];
  /** A SeedDoc, or a path to a seed JSON file / folder. Default: one empty project 1. */
  seed?: SeedDoc | string;
  /** JSON-file persistence: loaded at start when present, rewritten atomically after writes. */
  stateFile?: string;
  faults?: Partial<Faults>;
  rateLimits?: RateLimitPatch;
  log?: (line: string) => void;
  /** Runs test invocations; default: a stand-in that logs mocked fetches and prints. */
  executor?: HogExecutor;
  /**
   * Seeds the draws that order list rows with equal sort keys (PostHog's lists have no
   * tie-breaker, so such rows come back in a different order per request). Same seed and same
   * requests: same orders. Default: unseeded.
   */
  orderSeed?: number;
}

export interface Emulator {
  url: string;
  port: number;
  close(): Promise<void>;
  setFaults(f: Partial<Faults>): void;
  setRateLimits(r: RateLimitPatch): void;
  /** Restarts the tie-order draws from `seed` (undefined: unseeded). */
  setOrderSeed(seed: number | undefined): void;
  reset(seed?: SeedDoc): void;
  seed(doc: SeedDoc): void;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  project(id: number): ProjectStore | undefined;
}

const EMPTY_SEED: SeedDoc = { projects: [{ id: 1, name: 'Default project' }] };
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

class EmulatorRuntime implements Emulator, ControlTarget {
  url = '';
  port = 0;
  private server: Server;
  private readonly deps: PipelineDeps;
  private rateLimitSettings: RateLimitSettings;
  private orderSeed: number | undefined;
  private random: () => number;

  constructor(
    private readonly store: EmulatorStore,
    private readonly initialSeed: SeedDoc,
    private readonly keys: ApiKey[],
    private readonly opts: EmulatorOptions,
  ) {
    this.rateLimitSettings = mergeRateLimits(defaultRateLimits(), opts.rateLimits ?? {});
    this.orderSeed = opts.orderSeed;
    this.random = makeRandom(opts.orderSeed);
    // Insights and variables are registered with `register_legacy_dual_route` (both URL forms,
    // products/product_analytics/backend/routes.py). So are hog functions, every action of their
    // viewset included (`register_legacy_dual_route_team_nested_viewset` in posthog/api/__init__.py:
    // /api/environments/ kept, deprecated, for clients of the projects/environments split); their
    // templates are registered with `routers.projects` only.
    const projectsOnly = (rs: Route[]): Route[] => rs.map((r) => ({ ...r, projectsOnly: true }));
    const routes: Route[] = [
      ...catalogRoutes.filter((r) => !r.path.startsWith('hog_function')),
      ...projectsOnly(catalogRoutes.filter((r) => r.path.startsWith('hog_function'))),
      ...insightRoutes,
      ...insightVariableRoutes,
      ...dashboardRoutes,
      // Actions and cohorts: `routers.projects` only (products/actions/backend/routes.py,
      // posthog/api/__init__.py); the routes carry `projectsOnly` themselves.
      ...actionRoutes,
      ...cohortRoutes,
      ...alertRoutes,
      ...hogFunctionCrudRoutes,
      ...iconRoutes,
      ...hogFunctionDetailRoutes,
      ...hogFunctionObservabilityRoutes,
      ...invocationRoutes(opts.executor ?? standInExecutor),
    ];
    this.deps = {
      store,
      keys,
      throttler: new Throttler(this.rateLimitSettings),
      dice: new FaultDice(opts.faults),
      requestLog: new RequestLog(),
      routes,
      onCommit: () => this.persist(),
      log: opts.log ?? (() => {}),
      random: () => this.random(),
    };
    this.server = createServer((req, res) => void this.onRequest(req, res));
  }

  async listen(): Promise<void> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `127.0.0.1:${this.port}`}`);
      const raw = await readBody(req);
      if (url.pathname.startsWith('/_emulator/')) return this.onControl(req, res, url, raw);
      if (url.pathname.startsWith('/api/')) return await handleApi(this.deps, req, res, url, raw);
      const nf = notFound();
      send(res, { status: nf.status, body: nf.body });
    } catch (e) {
      this.deps.log(`emulator error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (!res.headersSent)
        send(res, { status: 500, body: { type: 'server_error', code: 'error', detail: 'A server error occurred.', attr: null } });
    }
  }

  private onControl(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): void {
    const parsed = parseBody(raw, req.headers['content-type'] ?? 'application/json');
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      // Off loopback the controls need an all-scopes key: they can read secrets and wipe state.
      const presented = findPresentedKey(req.headers.authorization, undefined, url.searchParams);
      const key = presented && this.keys.find((k) => k.key === presented.value);
      if (!key?.scopes.includes('*'))
        return send(res, { status: 403, body: { detail: 'The emulator controls need a key with the * scope off loopback.' } });
    }
    const segments = url.pathname.slice('/_emulator/'.length).replace(/\/$/, '').split('/');
    const body = () => {
      if (!parsed.ok) throw new Error('the body is not valid JSON');
      return raw.length ? parsed.value : undefined;
    };
    send(res, handleControl(this, (req.method ?? 'GET').toUpperCase(), segments, body));
  }

  private persist(): void {
    if (this.opts.stateFile) saveState(this.opts.stateFile, this.store.snapshot());
  }

  /** Seeds a copy first, so a bad seed leaves the running state untouched. */
  private applyAtomically(base: SeedDoc | undefined, doc: SeedDoc): void {
    const scratch = new EmulatorStore(this.store.parser);
    if (base) applySeed(scratch, base);
    else scratch.restore(structuredClone(this.store.snapshot()));
    applySeed(scratch, doc);
    this.store.restore(scratch.snapshot());
    this.persist();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  setFaults(f: Partial<Faults>): void {
    this.deps.dice.configure(f);
  }

  faults(): Faults {
    return this.deps.dice.current;
  }

  setRateLimits(r: RateLimitPatch): void {
    this.rateLimitSettings = mergeRateLimits(this.rateLimitSettings, r);
    this.deps.throttler.configure(this.rateLimitSettings);
  }

  rateLimits(): RateLimitSettings {
    return structuredClone(this.rateLimitSettings);
  }

  setOrderSeed(seed: number | undefined): void {
    this.orderSeed = seed;
    this.random = makeRandom(seed);
  }

  ordering(): { seed: number | null } {
    return { seed: this.orderSeed ?? null };
  }

  reset(seed?: SeedDoc): void {
    const scratch = new EmulatorStore(this.store.parser);
    applySeed(scratch, seed ?? this.initialSeed);
    this.store.restore(scratch.snapshot());
    this.deps.throttler.clear();
    this.persist();
  }

  seed(doc: SeedDoc): void {
    this.applyAtomically(undefined, doc);
  }

  requests(): RequestLogEntry[] {
    return this.deps.requestLog.list();
  }

  clearRequests(): void {
    this.deps.requestLog.clear();
  }

  stats(): RequestStats {
    return this.deps.requestLog.stats();
  }

  project(id: number): ProjectStore | undefined {
    const p = this.store.project(id);
    return p ? structuredClone(p) : undefined;
  }

  addLogs(projectId: number, fnId: string, rows: unknown): number {
    const n = addLogs(this.store.project(projectId) as ProjectStore, fnId, rows);
    this.persist();
    return n;
  }

  addAlert(projectId: number, insightRef: string, body: unknown): string {
    const project = this.store.project(projectId) as ProjectStore;
    const insight = project.insights.find((i) => String(i.id) === insightRef || i.short_id === insightRef);
    if (!insight) throw new Error(`no insight ${insightRef} in project ${projectId}`);
    try {
      const alert = createAlert(this.store, project, insight, body, SEED_USER_ID);
      this.persist();
      return alert.id;
    } catch (e) {
      throw new Error(e instanceof ValidationFailure ? String(validationEnvelope(e).detail) : String(e));
    }
  }

  addMetrics(projectId: number, fnId: string, rows: unknown): number {
    const n = addMetrics(this.store.project(projectId) as ProjectStore, fnId, rows);
    this.persist();
    return n;
  }
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const parser = await HogParser.shared();
  const store = new EmulatorStore(parser);
  const initialSeed = typeof opts.seed === 'string' ? await loadSeed(opts.seed) : (opts.seed ?? EMPTY_SEED);
  const state = opts.stateFile ? loadState(opts.stateFile) : undefined;
  if (state) store.restore(state);
  else applySeed(store, initialSeed);
  const runtime = new EmulatorRuntime(store, initialSeed, buildKeyRing(opts.keys), opts);
  await runtime.listen();
  return runtime;
}

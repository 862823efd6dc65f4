// `/_emulator/...`: the test and demo controls (no PostHog route lives under this prefix).
import { checkFaultPatch, FaultSettingError } from './faults.js';
import { isObject, type Json } from './json.js';
import type { Outgoing } from './http-io.js';
import type { RequestStats } from './request-log.js';
import type { RateLimitPatch } from './throttle.js';
import type { Faults, ProjectStore, RateLimitSettings, RequestLogEntry, SeedDoc } from './types.js';

export interface ControlTarget {
  reset(doc?: SeedDoc): void;
  seed(doc: SeedDoc): void;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  stats(): RequestStats;
  faults(): Faults;
  setFaults(f: Partial<Faults>): void;
  rateLimits(): RateLimitSettings;
  setRateLimits(r: RateLimitPatch): void;
  ordering(): { seed: number | null };
  setOrderSeed(seed: number | undefined): void;
  project(id: number): ProjectStore | undefined;
  addLogs(projectId: number, fnId: string, rows: unknown): number;
  addMetrics(projectId: number, fnId: string, rows: unknown): number;
  /** Attaches an alert to an insight (by id or short_id) as the alerts API would; returns its id. */
  addAlert(projectId: number, insightRef: string, body: unknown): string;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function faultPatch(body: unknown): Partial<Faults> {
  if (!isObject(body)) throw new ControlError(400, 'expected a JSON object of fault settings');
  try {
    return checkFaultPatch(body);
  } catch (e) {
    if (e instanceof FaultSettingError) throw new ControlError(400, e.message);
    throw e;
  }
}

function rateLimitPatch(body: unknown): RateLimitPatch {
  if (!isObject(body)) throw new ControlError(400, 'expected a JSON object of rate-limit settings');
  const out: RateLimitPatch = {};
  if ('enabled' in body) {
    if (typeof body.enabled !== 'boolean') throw new ControlError(400, '"enabled" must be a boolean');
    out.enabled = body.enabled;
  }
  if ('scale' in body) {
    if (typeof body.scale !== 'number' || body.scale <= 0) throw new ControlError(400, '"scale" must be a positive number');
    out.scale = body.scale;
  }
  if ('buckets' in body) {
    const b = body.buckets;
    if (!isObject(b)) throw new ControlError(400, '"buckets" must be an object');
    out.buckets = {};
    for (const name of ['insights', 'crud'] as const) {
      if (!(name in b)) continue;
      const rules = b[name];
      if (!Array.isArray(rules) || !rules.every((r) => isObject(r) && typeof r.limit === 'number' && typeof r.windowSeconds === 'number')) {
        throw new ControlError(400, `"buckets.${name}" must be a list of {limit, windowSeconds}`);
      }
      out.buckets[name] = rules.map((r) => {
        const rule = r as { limit: number; windowSeconds: number };
        return { limit: rule.limit, windowSeconds: rule.windowSeconds };
      });
    }
  }
  return out;
}

function route(t: ControlTarget, method: string, seg: string[], body: () => unknown): unknown {
  const [a, b, c, d, e] = seg;
  const is = (m: string, ...path: string[]) =>
    method === m && path.length === seg.length && path.every((p, i) => p === '*' || p === seg[i]);
  if (is('POST', 'reset')) {
    const doc = body();
    t.reset(isObject(doc) && Array.isArray(doc.projects) ? (doc as unknown as SeedDoc) : undefined);
    return { ok: true };
  }
  if (is('POST', 'seed')) {
    t.seed(body() as SeedDoc);
    return { ok: true };
  }
  if (is('GET', 'requests')) return t.requests();
  if (is('DELETE', 'requests')) {
    t.clearRequests();
    return { ok: true };
  }
  if (is('GET', 'stats')) return t.stats();
  if (is('GET', 'faults')) return t.faults();
  if (is('PUT', 'faults')) {
    t.setFaults(faultPatch(body()));
    return t.faults();
  }
  if (is('GET', 'ordering')) return t.ordering();
  if (is('PUT', 'ordering')) {
    const b = body();
    if (!isObject(b) || !('seed' in b) || !(b.seed === null || (typeof b.seed === 'number' && Number.isInteger(b.seed)))) {
      throw new ControlError(400, 'expected {"seed": <integer or null>}');
    }
    t.setOrderSeed(b.seed === null ? undefined : (b.seed as number));
    return t.ordering();
  }
  if (is('GET', 'rate-limits')) return t.rateLimits();
  if (is('PUT', 'rate-limits')) {
    t.setRateLimits(rateLimitPatch(body()));
    return t.rateLimits();
  }
  if (a === 'projects' && b !== undefined && /^\d+$/.test(b)) {
    const project = t.project(Number(b));
    if (!project) throw new ControlError(404, `no project ${b}`);
    if (is('GET', 'projects', '*')) return project;
    if (is('POST', 'projects', '*', 'insights', '*', 'alerts')) return { id: t.addAlert(project.id, d as string, body()) };
    if (
      c === 'hog_functions' &&
      d !== undefined &&
      (is('POST', 'projects', '*', 'hog_functions', '*', 'logs') || is('POST', 'projects', '*', 'hog_functions', '*', 'metrics'))
    ) {
      if (!project.hogFunctions.some((f) => f.id === d)) throw new ControlError(404, `no hog function ${d} in project ${b}`);
      const added = e === 'logs' ? t.addLogs(project.id, d, body()) : t.addMetrics(project.id, d, body());
      return { added };
    }
  }
  throw new ControlError(404, 'Not found.');
}

export function handleControl(t: ControlTarget, method: string, segments: string[], body: () => unknown): Outgoing {
  try {
    // Every control answer is plain JSON-serialisable data (settings, log entries, stored rows).
    return { status: 200, body: route(t, method, segments, body) as Json };
  } catch (err) {
    const status = err instanceof ControlError ? err.status : 400;
    return { status, body: { detail: err instanceof Error ? err.message : String(err) } };
  }
}

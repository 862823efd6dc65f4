// `logs`, `metrics` and `metrics/totals` of a hog function (posthog/api/log_entries.py,
// posthog/api/app_metrics2.py), served from rows seeded through the control API or a seed file.
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { drfDate, parseDateSpec } from './dates.js';
import { charField, choiceField, integerField } from './drf-fields.js';
import { fail } from './errors.js';
import { findHogFunction } from './hog-function-routes.js';
import { isObject, type Json, type JsonObject } from './json.js';
import { limitOffset } from './pagination.js';
import type { Route } from './router.js';
import type { ProjectStore, StoredLogEntry, StoredMetric } from './types.js';

function dateParam(q: URLSearchParams, name: string, relative: boolean): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const isRelative = /^-?\d*[smhdw]$/.test(raw.trim());
  const t = relative || !isRelative ? parseDateSpec(raw) : undefined;
  if (t === undefined) {
    fail([name], 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].');
  }
  return t;
}

/**
 * `LogEntryRequestSerializer.level`, a ListField of CharField read from the query string as DRF
 * reads lists: every `level=` value (`?level=WARN&level=ERROR`), or else the indexed form
 * (`level[0]=WARN`, in index order). A comma list is one value, which matches no level. Blank is a
 * 400 at `level__<i>`; the comparison is on upper case (`upper(level) in %(levels)s`).
 */
function levelParam(q: URLSearchParams): string[] {
  let values = q.getAll('level');
  if (values.length === 0) {
    const indexed = new Map<number, string>();
    for (const [k, v] of q) {
      const m = /^level\[(\d+)\]$/.exec(k);
      if (m) indexed.set(Number(m[1]), v);
    }
    values = [...indexed].sort(([a], [b]) => a - b).map(([, v]) => v);
  }
  return values.map((v, i) => (charField(v, ['level', i]) as string).toUpperCase());
}

function logs(req: ApiRequest): ApiResponse {
  const fn = findHogFunction(req.project, req.params.id as string);
  const q = req.url.searchParams;
  const p = {
    limit: q.has('limit') ? (integerField(q.get('limit'), ['limit'], { min: 1, max: 500 }) as number) : 50,
    after: dateParam(q, 'after', false),
    before: dateParam(q, 'before', false),
  };
  const levels = levelParam(q);
  const search = q.get('search')?.toLowerCase();
  const instance = q.get('instance_id');
  const rows = req.project.hogFunctionLogs
    .filter((r) => r.log_source_id === fn.id)
    .filter((r) => !instance || r.instance_id === instance)
    .filter((r) => p.after === undefined || Date.parse(r.timestamp) > p.after)
    .filter((r) => p.before === undefined || Date.parse(r.timestamp) < p.before)
    .filter((r) => !search || r.message.toLowerCase().includes(search))
    .filter((r) => !levels.length || levels.includes(r.level.toUpperCase()))
    .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp))
    .slice(0, p.limit);
  const render = (r: StoredLogEntry): JsonObject => ({ ...r, level: r.level.toUpperCase() });
  return json(200, limitOffset(req.url, rows, render, 100));
}

interface MetricParams {
  after: number;
  before: number | undefined;
  interval: 'hour' | 'day' | 'week';
  breakdown: 'name' | 'kind';
  names: string[];
  kinds: string[];
  instance: string | null;
}

function metricParams(q: URLSearchParams, defaultBefore: boolean): MetricParams {
  {
    const after = dateParam(q, 'after', true) ?? (parseDateSpec('-7d') as number);
    const before = dateParam(q, 'before', true) ?? (defaultBefore ? Date.now() : undefined);
    const interval = q.has('interval') ? choiceField(q.get('interval'), ['interval'], ['hour', 'day', 'week'] as const) : 'day';
    const breakdown = q.has('breakdown_by') ? choiceField(q.get('breakdown_by'), ['breakdown_by'], ['name', 'kind'] as const) : 'kind';
    const split = (name: string) => (q.get(name) ? (q.get(name) as string).split(',') : []);
    return {
      after,
      before,
      interval: interval ?? 'day',
      breakdown: breakdown ?? 'kind',
      names: split('name'),
      kinds: split('kind'),
      instance: q.get('instance_id'),
    };
  }
}

function selectMetrics(project: ProjectStore, fnId: string, p: MetricParams): StoredMetric[] {
  return project.hogFunctionMetrics.filter((m) => {
    const t = Date.parse(m.timestamp);
    return (
      m.app_source_id === fnId &&
      t >= p.after &&
      (p.before === undefined || t <= p.before) &&
      (!p.instance || m.instance_id === p.instance) &&
      (!p.names.length || p.names.includes(m.metric_name)) &&
      (!p.kinds.length || p.kinds.includes(m.metric_kind))
    );
  });
}

/** `toStartOfInterval` in UTC (weeks start on Monday). */
function intervalStart(ms: number, interval: MetricParams['interval']): number {
  const d = new Date(ms);
  if (interval === 'hour') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours());
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (interval === 'day') return day;
  return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
}

function label(ms: number, interval: MetricParams['interval']): string {
  const iso = new Date(ms).toISOString();
  return interval === 'hour' ? iso.slice(0, 16) : iso.slice(0, 10);
}

const STEP_MS = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

function metrics(req: ApiRequest): ApiResponse {
  const fn = findHogFunction(req.project, req.params.id as string);
  const p = metricParams(req.url.searchParams, true);
  const before = p.before as number;
  const labels: string[] = [];
  for (let t = intervalStart(p.after, p.interval); t <= before; t += STEP_MS[p.interval]) labels.push(label(t, p.interval));
  const byBreakdown = new Map<string, Map<string, number>>();
  for (const m of selectMetrics(req.project, fn.id, p)) {
    const key = p.breakdown === 'name' ? m.metric_name : m.metric_kind;
    const bucket = label(intervalStart(Date.parse(m.timestamp), p.interval), p.interval);
    const series = byBreakdown.get(key) ?? new Map<string, number>();
    series.set(bucket, (series.get(bucket) ?? 0) + m.count);
    byBreakdown.set(key, series);
  }
  const series = [...byBreakdown.keys()].sort().map((name) => ({
    name,
    values: labels.map((l) => byBreakdown.get(name)?.get(l) ?? 0),
  }));
  return json(200, { labels, series });
}

function totals(req: ApiRequest): ApiResponse {
  const fn = findHogFunction(req.project, req.params.id as string);
  const p = metricParams(req.url.searchParams, false);
  const out: Record<string, number> = {};
  for (const m of selectMetrics(req.project, fn.id, p)) {
    const key = p.breakdown === 'name' ? m.metric_name : m.metric_kind;
    out[key] = (out[key] ?? 0) + m.count;
  }
  return json(200, { totals: out });
}

/** Rows for the control API and seed files; timestamps may be relative (`-3h`). */
export function addLogs(project: ProjectStore, fnId: string, rows: unknown): number {
  if (!Array.isArray(rows)) throw new Error('expected an array of log rows');
  for (const [i, r] of rows.entries()) {
    if (!isObject(r) || typeof r.message !== 'string' || typeof r.level !== 'string') {
      throw new Error(`log row ${i} needs string "level" and "message"`);
    }
    project.hogFunctionLogs.push({
      log_source_id: fnId,
      instance_id: typeof r.instance_id === 'string' ? r.instance_id : '',
      timestamp: seedTimestamp(r.timestamp, i),
      level: r.level,
      message: r.message,
    });
  }
  return rows.length;
}

export function addMetrics(project: ProjectStore, fnId: string, rows: unknown): number {
  if (!Array.isArray(rows)) throw new Error('expected an array of metric rows');
  for (const [i, r] of rows.entries()) {
    if (!isObject(r) || typeof r.name !== 'string' || typeof r.kind !== 'string' || typeof r.count !== 'number') {
      throw new Error(`metric row ${i} needs "name", "kind" and a numeric "count"`);
    }
    project.hogFunctionMetrics.push({
      app_source_id: fnId,
      instance_id: typeof r.instance_id === 'string' ? r.instance_id : null,
      timestamp: seedTimestamp(r.timestamp, i),
      metric_name: r.name,
      metric_kind: r.kind,
      count: r.count,
    });
  }
  return rows.length;
}

function seedTimestamp(value: Json | undefined, i: number): string {
  if (value === undefined || value === null) return drfDate(Date.now());
  const t = typeof value === 'string' ? parseDateSpec(value) : undefined;
  if (t === undefined) throw new Error(`row ${i}: unreadable timestamp ${JSON.stringify(value)}`);
  return drfDate(t);
}

const readRoute = (path: string, action: string, handler: (req: ApiRequest) => ApiResponse): Route => ({
  path,
  scope: 'hog_function',
  bucket: 'crud',
  methods: { GET: { action, write: false, handler } },
});

export const hogFunctionObservabilityRoutes: Route[] = [
  readRoute('hog_functions/:id/logs', 'logs', logs),
  readRoute('hog_functions/:id/metrics', 'metrics', metrics),
  readRoute('hog_functions/:id/metrics/totals', 'metrics_totals', totals),
];

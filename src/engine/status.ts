import pLimit from 'p-limit';
import type { Target, Workspace } from '../config/target.js';
import { UsageError } from '../errors.js';
import { isObject, type JsonObject } from '../json.js';
import { kindWith } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import { logs, metricTotals } from '../posthog/function-endpoints.js';
import { confirmMissing } from './confirm-missing.js';
import { StateStore } from '../store/state.js';

/** PostHog's HogFunctionState (posthog-api.md §4.1). */
const STATES: Record<number, string> = {
  0: 'unknown',
  1: 'healthy',
  2: 'degraded',
  3: 'disabled',
  11: 'degraded (forced)',
  12: 'disabled (forced)',
};
const UNHEALTHY = new Set([2, 3, 11, 12]);

export interface FunctionStatus {
  key: string;
  id: string;
  name: string | null;
  type: string;
  enabled: boolean;
  state: string;
  succeeded: number;
  failed: number;
  filtered: number;
  errors: Array<{ timestamp: string; message: string }>;
  /** Not found in PostHog (deleted there since the last sync). */
  missing?: boolean;
}

export interface StatusOptions {
  ws: Workspace;
  target: Target;
  client: PostHogClient;
  /** How far back: `24h`, `7d`, `90m`, or an ISO date. */
  since: string;
  /** Only these keys (push --verify: the functions it changed). */
  keys?: string[];
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `24h`, `90m`, `7d`, `2w` or an ISO date, as an absolute ISO time: the logs endpoint takes
 * only absolute times (the metrics one takes both).
 */
function sinceTime(since: string, now = Date.now()): string {
  const s = since.trim();
  const m = /^-?(\d+)([mhdw])$/.exec(s);
  if (m) return new Date(now - Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0)).toISOString();
  if (!Number.isNaN(Date.parse(s))) return new Date(s).toISOString();
  throw new UsageError(`--since "${since}" is not a duration or a date: use 90m, 24h, 7d, 2w or an ISO date.`);
}

/**
 * For every hog function bound in the state: enabled, PostHog's health state, what it
 * did since then (metrics totals) and its latest error lines. One list request, then
 * two small requests per function, four at a time.
 */
export async function functionStatus(opts: StatusOptions): Promise<FunctionStatus[]> {
  const kind = kindWith('health');
  const at = { base: kind.apiPath, bucket: kind.rateBucket };
  const after = sinceTime(opts.since);
  const state = StateStore.load(opts.ws.stateDir, opts.target.environment, opts.target, opts.ws.root, { journal: false });
  const bindings = [...state.bindings(kind.kind)]
    .filter(([key]) => !opts.keys || opts.keys.includes(key))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (bindings.length === 0) return [];
  const remote = await opts.client.listAll<JsonObject>(kind.apiPath, { pagination: kind.pagination, bucket: kind.rateBucket });
  // A function the list did not show is missing only if PostHog says so when asked for it.
  const listed = new Set(remote.map((r) => String(r.id)));
  const found = await confirmMissing(opts.client, kind, new Map(bindings), listed);
  const byId = new Map([...remote, ...found].map((r) => [String(r.id), r]));
  const limit = pLimit(opts.client.pageConcurrency);
  return Promise.all(
    bindings.map(([key, binding]) =>
      limit(async (): Promise<FunctionStatus> => {
        const id = String(binding.id);
        const raw = byId.get(id);
        if (!raw)
          return {
            key,
            id,
            name: null,
            type: '',
            enabled: false,
            state: 'missing',
            succeeded: 0,
            failed: 0,
            filtered: 0,
            errors: [],
            missing: true,
          };
        const [totals, errorLines] = await Promise.all([
          metricTotals(opts.client, at, id, after),
          logs(opts.client, at, id, { level: ['ERROR'], after, limit: 3 }),
        ]);
        const code = isObject(raw.status) && typeof raw.status.state === 'number' ? raw.status.state : 0;
        return {
          key,
          id,
          name: typeof raw.name === 'string' ? raw.name : null,
          type: String(raw.type ?? 'destination'),
          enabled: raw.enabled === true,
          state: STATES[code] ?? String(code),
          succeeded: totals.succeeded ?? 0,
          failed: totals.failed ?? 0,
          filtered: totals.filtered ?? 0,
          errors: errorLines.map((l) => ({ timestamp: l.timestamp, message: l.message })),
        };
      }),
    ),
  );
}

/** A function is failing when it failed since then, or PostHog degraded or disabled it. */
export function isFailing(s: FunctionStatus): boolean {
  return s.failed > 0 || s.missing === true || [...UNHEALTHY].some((code) => STATES[code] === s.state);
}

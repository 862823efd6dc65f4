import { isObject, type JsonObject } from '../json.js';
import type { PostHogClient } from './client.js';

// Endpoints beyond CRUD that PostHog offers on a function collection (posthog-api.md §4.7–4.8):
// test invocations, logs, metrics and the icon service. `base` is the collection path
// (a kind's `apiPath`), `bucket` its rate-limit bucket.

const withList = (field: string) => (body: unknown) =>
  isObject(body) && Array.isArray(body[field]) ? undefined : `expected an object with a ${field} list`;

export interface Collection {
  base: string;
  bucket: string;
}

export interface InvocationResult {
  status: 'success' | 'error' | 'skipped' | string;
  result: unknown;
  errors: string[];
  logs: Array<{ level: string; timestamp: string; message: string }>;
}

/** Runs a configuration through PostHog's executor; `id` may be `new` for an unsaved function. */
export function invoke(client: PostHogClient, at: Collection, id: string, body: JsonObject): Promise<InvocationResult> {
  return client.request<InvocationResult>({
    method: 'POST',
    path: `${at.base}${encodeURIComponent(id)}/invocations/`,
    body,
    bucket: at.bucket,
    expect: 'object',
  });
}

export interface LogLine {
  timestamp: string;
  level: string;
  message: string;
  instance_id?: string;
}

/** `level` is a list (`?level=WARN&level=ERROR`, posthog/api/log_entries.py); upper or lower case. */
export async function logs(
  client: PostHogClient,
  at: Collection,
  id: string,
  query: { level?: readonly string[]; after?: string; limit?: number },
): Promise<LogLine[]> {
  const page = await client.request<{ results: LogLine[] }>({
    path: `${at.base}${encodeURIComponent(id)}/logs/`,
    query,
    bucket: at.bucket,
    expect: withList('results'),
  });
  return page.results;
}

/** Counts per metric name (`succeeded`, `failed`, `filtered`, …) since `after` (e.g. `-24h`). */
export async function metricTotals(client: PostHogClient, at: Collection, id: string, after: string): Promise<Record<string, number>> {
  const body = await client.request<{ totals: Record<string, number> }>({
    path: `${at.base}${encodeURIComponent(id)}/metrics/totals/`,
    query: { after, breakdown_by: 'name' },
    bucket: at.bucket,
    expect: (b) => (isObject(b) && isObject(b.totals) ? undefined : 'expected an object with totals'),
  });
  return body.totals;
}

export interface Icon {
  id: string;
  name: string;
  url: string;
}

export function icons(client: PostHogClient, at: Collection, query: string): Promise<Icon[]> {
  return client.request<Icon[]>({ path: `${at.base}icons/`, query: { query }, bucket: at.bucket, expect: 'array' });
}

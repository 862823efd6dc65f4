// DRF's two paginators as PostHog configures them (posthog-api.md §1.2).
import { notFound } from './errors.js';
import type { Json, JsonObject } from './json.js';

/** Django's `replace_query_param` / `remove_query_param`: keys re-encoded in sorted order. */
function withParams(url: URL, set: Record<string, string>, remove: string[] = []): string {
  const entries = new Map<string, string[]>();
  for (const [k, v] of url.searchParams) entries.set(k, [...(entries.get(k) ?? []), v]);
  for (const [k, v] of Object.entries(set)) entries.set(k, [v]);
  for (const k of remove) entries.delete(k);
  const params = new URLSearchParams();
  for (const k of [...entries.keys()].sort()) for (const v of entries.get(k) ?? []) params.append(k, v);
  const qs = params.toString();
  return `${url.origin}${url.pathname}${qs ? `?${qs}` : ''}`;
}

/** DRF `_positive_int(strict=True)`: anything but a positive integer falls back. */
function positiveInt(raw: string | null, fallback: number, strict: boolean): number {
  if (raw === null || !/^\s*[-+]?\d+\s*$/.test(raw)) return fallback;
  const n = parseInt(raw, 10);
  if (n < 0 || (strict && n === 0)) return fallback;
  return n;
}

/** LimitOffsetPagination, default limit 100 and no maximum. */
export function limitOffset<T>(url: URL, items: T[], render: (item: T) => Json, defaultLimit = 100): JsonObject {
  const page = limitOffsetPage(url, items, defaultLimit);
  return page.envelope(page.rows.map(render));
}

/**
 * limitOffset for long pages of costly rows (insights), rendered a slice at a time: PostHog
 * serialises a page in one of many workers, so a request that arrives meanwhile is answered
 * in parallel, not after the page. The emulator has one thread; it lets others in between slices.
 * InsightViewSet.dangerously_get_queryset (products/product_analytics/backend/api/insight.py)
 * loads a page's rows with one query, then their tiles (and, in full, alerts) with prefetch
 * queries of their own, outside any transaction: each row's own fields are taken when the page
 * is chosen (`load`, a shallow copy), what it names a moment later, as it is rendered.
 */
export async function limitOffsetInTurns<T>(
  url: URL,
  items: T[],
  load: (item: T) => T,
  render: (item: T) => Json,
  defaultLimit = 100,
): Promise<JsonObject> {
  const page = limitOffsetPage(url, items, defaultLimit);
  const rows = page.rows.map(load);
  const results: Json[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_TURN) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const row of rows.slice(i, i + ROWS_PER_TURN)) results.push(render(row));
  }
  return page.envelope(results);
}

const ROWS_PER_TURN = 25;

/** The rows of one LimitOffsetPagination page, and the envelope that goes around them once rendered. */
function limitOffsetPage<T>(url: URL, items: T[], defaultLimit: number): { rows: T[]; envelope: (results: Json[]) => JsonObject } {
  const limit = positiveInt(url.searchParams.get('limit'), defaultLimit, true);
  const offset = positiveInt(url.searchParams.get('offset'), 0, false);
  const count = items.length;
  let next: string | null = null;
  if (offset + limit < count) next = withParams(url, { limit: String(limit), offset: String(offset + limit) });
  let previous: string | null = null;
  if (offset > 0) {
    previous =
      offset - limit <= 0
        ? withParams(url, { limit: String(limit) }, ['offset'])
        : withParams(url, { limit: String(limit), offset: String(offset - limit) });
  }
  return { rows: items.slice(offset, offset + limit), envelope: (results) => ({ count, next, previous, results }) };
}

/** PageNumberPagination (insight variables: page_size 500, `page` from 1, `last` allowed). */
export function pageNumber<T>(url: URL, items: T[], render: (item: T) => Json, pageSize = 500): JsonObject {
  const count = items.length;
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const raw = url.searchParams.get('page') ?? '1';
  let page: number;
  if (raw === 'last') page = pages;
  else if (/^\s*[-+]?\d+\s*$/.test(raw)) page = parseInt(raw, 10);
  else throw notFound('Invalid page.');
  if (page < 1 || page > pages) throw notFound('Invalid page.');
  const results = items.slice((page - 1) * pageSize, page * pageSize).map(render);
  const next = page < pages ? withParams(url, { page: String(page + 1) }) : null;
  let previous: string | null = null;
  if (page > 1) previous = page - 1 === 1 ? withParams(url, {}, ['page']) : withParams(url, { page: String(page - 1) });
  return { count, next, previous, results };
}

// InsightViewSet list: `_filter_request` and `order_queryset` (products/product_analytics/backend/
// api/insight.py). The default ordering is `order_by("order")` with no tie-breaker, and `order`
// is NULL for almost every insight, so equal rows come back in a different order per request;
// `?order=<field>` orders by that model field (still with unordered ties).
import type { ApiRequest } from './context.js';
import { parseDateSpec } from './dates.js';
import { fail } from './errors.js';
import { isObject, canonical, type Json } from './json.js';
import { byColumn, orderWithUnorderedTies, type Comparator, type SortValue } from './ordering.js';
import type { ProjectStore, StoredInsight } from './types.js';

/** posthog/utils.py `str_to_bool`. */
export function strToBool(value: string | null): boolean {
  return value !== null && ['y', 'yes', 't', 'true', 'on', '1'].includes(value.toLowerCase());
}

const MAX_SEARCH_LENGTH = 200;

/** Model fields `order_by` can resolve (plus the `last_viewed_at` annotation of the list). */
const ORDER_FIELDS: Record<string, (i: StoredInsight, p: ProjectStore) => SortValue> = {
  id: (i) => i.id,
  pk: (i) => i.id,
  name: (i) => i.name,
  derived_name: (i) => i.derived_name,
  description: (i) => i.description,
  order: (i) => i.order,
  deleted: (i) => i.deleted,
  saved: (i) => i.saved,
  favorited: (i) => i.favorited,
  is_sample: (i) => i.is_sample,
  refreshing: () => false,
  short_id: (i) => i.short_id,
  created_at: (i) => i.created_at,
  updated_at: (i) => i.updated_at,
  last_modified_at: (i) => i.last_modified_at,
  last_refresh: () => null,
  created_by: (i) => i.created_by,
  created_by_id: (i) => i.created_by,
  last_modified_by: (i) => i.last_modified_by,
  last_modified_by_id: (i) => i.last_modified_by,
  team: (_i, p) => p.id,
  team_id: (_i, p) => p.id,
  last_viewed_at: (i) => i.last_viewed_at,
  // JSON columns: Postgres orders jsonb values; the canonical text is a stand-in total order.
  filters: (i) => canonical(i.filters),
  query: (i) => (i.query === null ? null : canonical(i.query)),
};

/**
 * `order_queryset`: `-field` descends (NULLs first, as Postgres does), `field` ascends (NULLs
 * last); `last_viewed_at` is special-cased the other way round (`nulls_last`/`nulls_first`).
 */
function orderComparator(order: string, project: ProjectStore): Comparator<StoredInsight> {
  const descending = order.startsWith('-');
  const field = descending ? order.slice(1) : order;
  const get = ORDER_FIELDS[field];
  // Django raises FieldError while compiling the query: an unhandled 500.
  if (!get) throw new Error(`Cannot resolve keyword '${field}' into field.`);
  const nullsFirst = field === 'last_viewed_at' ? !descending : descending;
  return byColumn((i) => get(i, project), descending, nullsFirst);
}

function jsonList(raw: string): Json[] {
  const parsed = JSON.parse(raw) as Json; // invalid JSON is a 500 in PostHog too (json.loads)
  return Array.isArray(parsed) ? parsed : [];
}

function visibleTileDashboards(project: ProjectStore, insight: StoredInsight, includeUnlisted: boolean): number[] {
  return project.dashboardTiles
    .filter((t) => t.insight_id === insight.id && t.deleted !== true)
    .map((t) => t.dashboard_id)
    .filter((id) => includeUnlisted || project.dashboards.find((d) => d.id === id)?.creation_mode !== 'unlisted');
}

const LEGACY_TO_QUERY_KIND: Record<string, string> = {
  TRENDS: 'TrendsQuery',
  FUNNELS: 'FunnelsQuery',
  RETENTION: 'RetentionQuery',
  PATHS: 'PathsQuery',
  STICKINESS: 'StickinessQuery',
  LIFECYCLE: 'LifecycleQuery',
};
const WRAPPER_KINDS = ['DataTableNode', 'DataVisualizationNode', 'InsightVizNode'];

function matchesInsightType(i: StoredInsight, type: string): boolean {
  const q = i.query;
  const sourceKind = isObject(q) && isObject(q.source) ? q.source.kind : undefined;
  const wrapped = isObject(q) && typeof q.kind === 'string' && WRAPPER_KINDS.includes(q.kind);
  const legacy = q === null && i.filters.insight === type;
  if (type === 'JSON')
    return q !== null && !(wrapped && (sourceKind === 'HogQLQuery' || Object.values(LEGACY_TO_QUERY_KIND).includes(String(sourceKind))));
  if (type === 'SQL') return q !== null && wrapped && sourceKind === 'HogQLQuery';
  const kind = LEGACY_TO_QUERY_KIND[type];
  if (kind) return legacy || (isObject(q) && q.kind === 'InsightVizNode' && sourceKind === kind);
  return legacy;
}

/** Case-insensitive substring search; the trigram "similar" tier is not emulated. Rank: name first. */
function searchRank(i: StoredInsight, term: string, tagging: boolean): number | undefined {
  const t = term.toLowerCase();
  const fields = [i.name, i.derived_name, i.description, ...(tagging ? i.tags : [])];
  const hit = fields.findIndex((f) => (f ?? '').toLowerCase().includes(t));
  return hit < 0 ? undefined : Math.min(hit, 3);
}

export interface InsightListing {
  items: StoredInsight[];
  searched: boolean;
}

export function listInsights(req: ApiRequest): InsightListing {
  const q = req.url.searchParams;
  const project = req.project;
  let items = project.insights.filter((i) => !i.deleted);
  let search: string | undefined;
  for (const key of new Set(q.keys())) {
    const value = q.get(key) as string;
    if (key === 'short_id') items = items.filter((i) => i.short_id === value);
    else if (key === 'saved') {
      items = strToBool(value)
        ? items.filter((i) => i.saved || visibleTileDashboards(project, i, false).length > 0)
        : items.filter((i) => !i.saved);
    } else if (key === 'user') items = items.filter((i) => i.created_by === req.userId);
    else if (key === 'favorited') items = items.filter((i) => i.favorited);
    else if (key === 'insight') items = items.filter((i) => matchesInsightType(i, value));
    else if (key === 'search') {
      if (value.length > MAX_SEARCH_LENGTH) fail(['search'], `Search query must be ${MAX_SEARCH_LENGTH} characters or fewer.`);
      search = value;
    } else if (key === 'dashboards' && value) {
      for (const id of jsonList(value)) items = items.filter((i) => visibleTileDashboards(project, i, true).includes(Number(id)));
    } else if (key === 'tags' && value) {
      const tags = jsonList(value).map(String);
      if (tags.length) items = items.filter((i) => project.tagging && i.tags.some((t) => tags.includes(t)));
    } else if (key === 'created_by' && value) {
      const ids = jsonList(value).map(Number);
      if (ids.length) items = items.filter((i) => i.created_by !== null && ids.includes(i.created_by));
    } else if (['date_from', 'date_to', 'created_date_from', 'created_date_to'].includes(key)) {
      const bound = parseDateSpec(value);
      if (bound === undefined) continue;
      const column = key.startsWith('created') ? 'created_at' : 'last_modified_at';
      const after = key.endsWith('from');
      items = items.filter((i) => (after ? Date.parse(i[column]) > bound : Date.parse(i[column]) < bound));
    }
  }
  const term = search?.trim();
  const ranks = new Map<StoredInsight, number>();
  if (term) {
    for (const i of items) {
      const rank = searchRank(i, term, project.tagging);
      if (rank !== undefined) ranks.set(i, rank);
    }
    items = items.filter((i) => ranks.has(i));
  }
  const order = q.get('order');
  if (order) {
    items = orderWithUnorderedTies(items, req.random, orderComparator(order, project));
  } else if (term) {
    items = orderWithUnorderedTies(
      items,
      req.random,
      byColumn((i) => ranks.get(i) ?? 9),
      byColumn((i) => i.name),
    );
  } else {
    // PostHog's apply_trigram_search strips the term (normalize_search_term) and leaves the
    // queryset as it was when nothing is left: a blank ?search= is no search.
    items = orderWithUnorderedTies(
      items,
      req.random,
      byColumn((i) => i.order),
    );
  }
  return { items, searched: Boolean(term) };
}

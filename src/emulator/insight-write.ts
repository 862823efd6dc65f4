// InsightSerializer.create / update (products/product_analytics/backend/api/insight.py).
import { insertTile, isManagerTile, liveInsightTiles } from './dashboard-store.js';
import { nowDrf } from './dates.js';
import { booleanField, charField, ErrorCollector, integerField, listField, nestedObject } from './drf-fields.js';
import { fail } from './errors.js';
import { shortId } from './ids.js';
import { deleteAlerts, isAlertable } from './insight-alerts.js';
import { validateQuery } from './insight-query.js';
import { clone, isObject, type JsonObject } from './json.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredInsight } from './types.js';

interface InsightFields {
  name?: string | null;
  derived_name?: string | null;
  filters?: JsonObject;
  query?: JsonObject | null;
  order?: number | null;
  deleted?: boolean;
  dashboards?: number[];
  description?: string | null;
  tags?: string[];
  favorited?: boolean;
  saved?: boolean;
}

const TEXT = { allowNull: true, allowBlank: true, maxLength: 400 };

function dashboardIds(project: ProjectStore, value: unknown): number[] {
  const list = listField(value, ['dashboards']);
  return list.map((item) => {
    if (typeof item === 'boolean' || !(typeof item === 'number' || (typeof item === 'string' && /^\d+$/.test(item)))) {
      const t = typeof item === 'string' ? 'str' : typeof item === 'boolean' ? 'bool' : item === null ? 'NoneType' : typeof item;
      fail(['dashboards'], `Incorrect type. Expected pk value, received ${t}.`, 'incorrect_type');
    }
    const id = Number(item);
    // TeamScopedDashboardsField(queryset=Dashboard.objects.all()): the default manager hides soft-deleted dashboards.
    if (!project.dashboards.some((d) => d.id === id && !d.deleted)) {
      fail(['dashboards'], `Invalid pk "${String(item)}" - object does not exist.`, 'does_not_exist');
    }
    return id;
  });
}

/** TaggedItemSerializerMixin: stripped, lower-cased, de-duplicated. */
export function normaliseTags(value: unknown): string[] {
  const list = listField(value, ['tags']);
  const out: string[] = [];
  for (const t of list) {
    const tag = String(t).trim().toLowerCase();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

/** Field validation in serializer order; the `query` schema check runs first, in the parser. */
function validate(store: EmulatorStore, project: ProjectStore, raw: unknown): InsightFields {
  const body = nestedObject(raw, []);
  if ('query' in body) validateQuery(store.parser, body.query);
  const out: InsightFields = {};
  const c = new ErrorCollector();
  const has = (k: string) => Object.hasOwn(body, k);
  if (has('name')) c.run(() => (out.name = charField(body.name, ['name'], TEXT)));
  if (has('derived_name')) c.run(() => (out.derived_name = charField(body.derived_name, ['derived_name'], TEXT)));
  if (has('filters')) {
    c.run(() => {
      if (body.filters === null) fail(['filters'], 'This field may not be null.', 'null');
      out.filters = isObject(body.filters) ? clone(body.filters) : {};
    });
  }
  if (has('query')) {
    // QueryFieldSerializer.to_internal_value
    c.run(() => {
      if (body.query !== null && !isObject(body.query)) fail(['query'], 'Query must be a valid JSON object');
      out.query = isObject(body.query) ? clone(body.query) : null;
    });
  }
  if (has('order')) c.run(() => (out.order = integerField(body.order, ['order'], { allowNull: true, min: -2147483648, max: 2147483647 })));
  if (has('deleted')) c.run(() => (out.deleted = booleanField(body.deleted, ['deleted']) as boolean));
  if (has('dashboards')) c.run(() => (out.dashboards = dashboardIds(project, body.dashboards)));
  if (has('description')) c.run(() => (out.description = charField(body.description, ['description'], TEXT)));
  if (has('tags')) c.run(() => (out.tags = normaliseTags(body.tags)));
  if (has('favorited')) c.run(() => (out.favorited = booleanField(body.favorited, ['favorited']) as boolean));
  if (has('saved')) c.run(() => (out.saved = booleanField(body.saved, ['saved']) as boolean));
  if (has('_create_in_folder')) c.run(() => charField(body._create_in_folder, ['_create_in_folder'], { allowBlank: true }));
  c.throwIfAny();
  return out;
}

/**
 * `_update_insight_dashboards`: compares the insight's live tiles with `ids`; an added dashboard
 * gets its tile back if one was ever there (`objects_including_soft_deleted.get_or_create`: same
 * id and layouts, `deleted: false`) or a new one with `deleted: null`; the live tiles on removed
 * dashboards are soft-deleted. The same set is a no-op.
 */
function updateTiles(store: EmulatorStore, project: ProjectStore, insightId: number, ids: number[]): void {
  const live = liveInsightTiles(project, insightId);
  const old = live.map((t) => t.dashboard_id);
  if ([...old].sort().join(',') === [...ids].sort().join(',')) return;
  for (const id of new Set(ids)) {
    if (old.includes(id)) continue;
    const existing = project.dashboardTiles.find((t) => t.insight_id === insightId && t.dashboard_id === id);
    if (!existing) insertTile(store, project, { dashboard_id: id, insight_id: insightId });
    else if (existing.deleted) existing.deleted = false;
  }
  const removed = old.filter((id) => !ids.includes(id));
  for (const t of project.dashboardTiles) {
    if (t.insight_id === insightId && removed.includes(t.dashboard_id) && isManagerTile(project, t)) t.deleted = true;
  }
}

function uniqueShortId(project: ProjectStore, id: number): string {
  for (let attempt = 0; ; attempt++) {
    const candidate = shortId(project.id, id, attempt);
    if (!project.insights.some((i) => i.short_id === candidate)) return candidate;
  }
}

export interface CreateExtras {
  id?: number;
  short_id?: string;
  created_at?: string;
}

export function createInsight(
  store: EmulatorStore,
  project: ProjectStore,
  raw: unknown,
  userId: number,
  extras: CreateExtras = {},
): StoredInsight {
  const f = validate(store, project, raw);
  if (extras.id !== undefined && [...store.projects.values()].some((p) => p.insights.some((i) => i.id === extras.id))) {
    throw new Error(`Insight id ${extras.id} already exists`);
  }
  const id = store.allocateInsightId(extras.id);
  const now = extras.created_at ?? nowDrf();
  const insight: StoredInsight = {
    id,
    short_id: extras.short_id ?? uniqueShortId(project, id),
    name: f.name ?? null,
    derived_name: f.derived_name ?? null,
    description: f.description ?? null,
    filters: f.filters ?? {},
    query: f.query ?? null,
    order: f.order ?? null,
    deleted: f.deleted ?? false,
    tags: project.tagging ? (f.tags ?? []) : [],
    favorited: f.favorited ?? false,
    saved: f.saved ?? true,
    is_sample: false,
    created_at: now,
    created_by: userId,
    updated_at: now,
    last_modified_at: now,
    last_modified_by: userId,
    // create() records an InsightViewed row for the creator.
    last_viewed_at: now,
  };
  project.insights.push(insight);
  // One tile per dashboard (`Dashboard.objects.filter(id__in=...)`: a repeated id counts once), layouts `{}`.
  for (const dashboardId of new Set(f.dashboards ?? [])) insertTile(store, project, { dashboard_id: dashboardId, insight_id: id });
  return insight;
}

export function updateInsight(
  store: EmulatorStore,
  project: ProjectStore,
  insight: StoredInsight,
  raw: unknown,
  userId: number,
): StoredInsight {
  const f = validate(store, project, raw);
  // MATERIAL_INSIGHT_FIELDS ({name, description, filters}): sending one bumps last_modified_*,
  // whatever its value; a query-only change does not.
  const material = f.name !== undefined || f.description !== undefined || f.filters !== undefined;
  if (f.name !== undefined) insight.name = f.name;
  if (f.derived_name !== undefined) insight.derived_name = f.derived_name;
  if (f.description !== undefined) insight.description = f.description;
  if (f.filters !== undefined) insight.filters = f.filters;
  if (f.query !== undefined) insight.query = f.query;
  if (f.order !== undefined) insight.order = f.order;
  if (f.favorited !== undefined) insight.favorited = f.favorited;
  if (f.tags !== undefined && project.tagging) insight.tags = f.tags;
  // `validated_data.setdefault("saved", True)`: drafts become saved on any update that omits it.
  insight.saved = f.saved ?? true;
  insight.is_sample = false;
  if (f.deleted) {
    // Deleting soft-deletes every tile of the insight and deletes its alerts.
    for (const t of project.dashboardTiles) if (t.insight_id === insight.id) t.deleted = true;
    deleteAlerts(project, insight.id);
  } else if (f.dashboards !== undefined) {
    updateTiles(store, project, insight.id, f.dashboards);
  }
  if (f.deleted !== undefined) insight.deleted = f.deleted;
  // Alerts go once the insight can no longer carry any (alertable_query_kind is None).
  if (!isAlertable(insight)) deleteAlerts(project, insight.id);
  const now = nowDrf();
  insight.updated_at = now;
  if (material) {
    insight.last_modified_at = now;
    insight.last_modified_by = userId;
  }
  return insight;
}

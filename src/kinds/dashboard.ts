import { canonicalJson, isObject, type Json, type JsonObject } from '../json.js';
import { normalizeTiles, tilesOf, tilesPatch } from './dashboard-tiles.js';
import { defineKind } from './define.js';
import { dropDefaults, fillDefaults, mapObjects, omit, pick, sortedSet, tagSet, text, trimFields } from './normalize.js';
import { linksIn } from './query-refs.js';
import type { Link } from './types.js';

// DashboardSerializer (posthog/api/dashboards/dashboard.py; posthog-api-kinds.md §1–2): the
// writable fields a user authors. Access levels, creation mode, sharing and refresh times are
// server-managed; `tiles` is written by a second request once the insights it names exist.
const WRITABLE = [
  'name',
  'description',
  'pinned',
  'tags',
  'filters',
  'variables',
  'breakdown_colors',
  'data_color_theme_id',
  'quick_filter_ids',
  'restriction_level',
  'tiles',
] as const;

const DEFAULTS: Record<string, Json> = {
  name: null,
  description: '',
  pinned: false,
  tags: [],
  filters: {},
  variables: {},
  breakdown_colors: [],
  data_color_theme_id: null,
  quick_filter_ids: [],
  // DashboardRestrictionLevel.EVERYONE_IN_PROJECT_CAN_EDIT
  restriction_level: 21,
  tiles: [],
};

/**
 * `update` applies `filters` only when truthy, so `{}` clears nothing: the keys the frontend
 * writes (dashboardLogic's filters reducer) are sent empty instead, which reads back as no filter.
 */
const NO_FILTERS: JsonObject = { date_from: null, date_to: null, properties: [] };

const CLEARED: Record<string, Json> = {
  name: null,
  description: '',
  pinned: false,
  tags: [],
  filters: NO_FILTERS,
  breakdown_colors: [],
  data_color_theme_id: null,
  quick_filter_ids: [],
  restriction_level: 21,
};

const VARIABLE = 'InsightVariable';

/** Filter keys left null or empty say nothing (the frontend writes `{date_from: null, date_to: null, properties: []}`). */
function normalizeFilters(filters: Json): Json {
  if (!isObject(filters)) return filters;
  return dropDefaults(filters, { properties: [] });
}

/** Dashboard variables, like an insight's, are entries named by the variable's id whose `variableId` and `code_name` repeat what the name says. */
function normalizeVariables(variables: Json): Json {
  return mapObjects(variables, (obj) => omit(obj, ['variableId', 'code_name']));
}

function normalize(spec: JsonObject): JsonObject {
  const out = pick(spec, WRITABLE);
  trimFields(out, ['name', 'description']);
  if (out.tags !== undefined) out.tags = tagSet(out.tags);
  if (out.filters !== undefined) out.filters = normalizeFilters(out.filters);
  if (isObject(out.variables)) {
    const vars: JsonObject = {};
    for (const [name, entry] of Object.entries(out.variables)) vars[name] = normalizeVariables(entry);
    out.variables = vars;
  }
  if (Array.isArray(out.quick_filter_ids)) out.quick_filter_ids = sortedSet(out.quick_filter_ids);
  if (out.tiles !== undefined) out.tiles = normalizeTiles(out.tiles);
  return dropDefaults(out, DEFAULTS);
}

function links(spec: JsonObject): Link[] {
  const out: Link[] = linksIn(spec.filters ?? null, '/filters');
  if (isObject(spec.variables)) {
    for (const name of Object.keys(spec.variables)) {
      out.push({
        type: 'variables',
        value: name,
        path: `/variables/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        entry: { idField: 'variableId', naturalField: 'code_name' },
      });
    }
  }
  if (Array.isArray(spec.tiles)) {
    spec.tiles.forEach((t, i) => {
      if (isObject(t) && (typeof t.insight === 'number' || typeof t.insight === 'string'))
        out.push({ type: 'insights', value: t.insight, path: `/tiles/${i}/insight` });
      if (isObject(t) && isObject(t.filters_overrides)) out.push(...linksIn(t.filters_overrides, `/tiles/${i}/filters_overrides`));
    });
  }
  if (typeof spec.data_color_theme_id === 'number')
    out.push({ type: 'color_themes', value: spec.data_color_theme_id, path: '/data_color_theme_id' });
  if (Array.isArray(spec.quick_filter_ids))
    spec.quick_filter_ids.forEach(
      (id, i) => typeof id === 'string' && out.push({ type: 'quick_filters', value: id, path: `/quick_filter_ids/${i}` }),
    );
  return out;
}

const dashboard = defineKind({
  kind: 'Dashboard',
  cliName: 'dashboard',
  folder: 'dashboards',
  apiPath: 'dashboards/',
  pagination: 'offset',
  // DashboardBasicSerializer, which lists use, has no tiles, filters or variables.
  listShape: 'summary',
  rateBucket: 'crud',
  scope: 'dashboard',
  deleteStyle: 'soft',
  deleteNote: 'its tiles go with it; the insights on it stay (hogsync never sends delete_insights)',
  refsType: 'dashboards',
  idFormat: 'integer',
  dependsOn: [VARIABLE],
  // Its tiles name insights, which name their dashboards: tiles are written once both exist.
  refersTo: ['Insight', 'Cohort'],
  // Variables too: DashboardSerializer.create does not set them (only a copy with use_dashboard does).
  deferred: {
    fields: ['tiles', 'variables'],
    body(spec, current) {
      const tiles = tilesPatch(normalizeTiles(spec.tiles ?? []), current.tiles);
      const variables =
        isObject(spec.variables) &&
        Object.keys(spec.variables).length > 0 &&
        canonicalJson(spec.variables) !== canonicalJson(current.variables ?? {})
          ? spec.variables
          : undefined;
      return tiles || variables ? { ...(tiles ? { tiles } : {}), ...(variables ? { variables } : {}) } : undefined;
    },
  },
  autoAdopt: false,
  createOnly: [],
  // DashboardSerializer.update sets variables only when the body's are truthy: `{}` is ignored.
  unclearable: { variables: 'it ignores empty variables' },
  fieldOrder: [
    'name',
    'description',
    'pinned',
    'tags',
    'restriction_level',
    'filters',
    'variables',
    'breakdown_colors',
    'data_color_theme_id',
    'quick_filter_ids',
    'tiles',
  ],
  leadingKeys: { '/tiles/*': ['insight', 'text'], '/tiles/*/layouts/*': ['x', 'y', 'w', 'h'] },
  schema: 'dashboard.schema.json',

  remoteId: (raw) => raw.id as number,
  keyHint: (raw) => text(raw.name) || `dashboard-${String(raw.id)}`,
  naturalKey: (spec) => text(spec.name) || undefined,

  toSpec: (raw) => ({ ...pick(raw, WRITABLE), tiles: tilesOf(raw.tiles) }),
  normalize,
  toBody(spec, _refs, mode) {
    if (mode === 'create') return omit(spec, ['tiles', 'variables']);
    const body = fillDefaults(omit(spec, ['tiles', 'variables']), CLEARED);
    if (isObject(body.filters) && Object.keys(body.filters).length === 0) body.filters = NO_FILTERS;
    return body;
  },

  codePaths: (spec) =>
    Array.isArray(spec.tiles)
      ? spec.tiles.flatMap((t, i) => (isObject(t) && typeof t.text === 'string' && t.text.includes('\n') ? [`/tiles/${i}/text`] : []))
      : [],
  varPaths: () => [],
  secrets: () => [],
  links,
  check(spec, ctx, key) {
    // A tile gives an insight's place on this dashboard its look; the insight's own `dashboards` puts it there.
    if (!Array.isArray(spec.tiles)) return [];
    const seen = new Map<string, number>();
    return spec.tiles.flatMap((t, i) => {
      if (!isObject(t) || (typeof t.insight !== 'string' && typeof t.insight !== 'number')) return [];
      // DashboardTile is unique per (dashboard, insight): a second entry could never be stored.
      const first = seen.get(String(t.insight));
      if (first !== undefined)
        return [
          {
            pointer: `/tiles/${i}/insight`,
            message: `insight "${t.insight}" already has a tile on this dashboard (tiles[${first}]): PostHog holds one tile per insight, so merge the two entries`,
          },
        ];
      seen.set(String(t.insight), i);
      if (typeof t.insight !== 'string') return [];
      const insight = ctx.specOf('Insight', t.insight);
      const on = Array.isArray(insight?.dashboards) ? insight.dashboards : [];
      // A file from before dashboards were managed names them by id, which only the state can tell.
      if (!insight || on.includes(key) || on.some((d) => typeof d === 'number')) return [];
      return [
        {
          pointer: `/tiles/${i}/insight`,
          message: `insight "${t.insight}" is not on this dashboard: add ${key} to the dashboards of insights/${t.insight}.yaml (an insight's own dashboards put it on one), or remove this tile`,
        },
      ];
    });
  },
});

export default dashboard;

// `upgrade()` as insight reads run it (posthog/schema_migrations/upgrade.py, __init__.py, base.py
// and the numbered migrations 0001–0005): only node kinds that have migrations are touched; each
// migration whose `targets[kind]` equals the node's `version` (missing or 0 = 1) transforms the
// node and stamps `version` = target + 1. Other kinds (InsightVizNode, EventsNode, HogQLQuery, …)
// never get a `version` key.
import { clone, isObject, type Json, type JsonObject } from './json.js';

interface Migration {
  /** Node kind → the version this migration upgrades from. */
  targets: Record<string, number>;
  transform(node: JsonObject): JsonObject;
}

/** 0001_retention_query_show_mean: `showMean` → `meanRetentionCalculation`. */
const retentionShowMean: Migration = {
  targets: { RetentionQuery: 1 },
  transform(q) {
    const f = q.retentionFilter;
    if (!isObject(f) || !('showMean' in f)) return q;
    if (!('meanRetentionCalculation' in f)) f.meanRetentionCalculation = f.showMean ? 'simple' : 'none';
    delete f.showMean;
    return q;
  },
};

/** 0002_stickiness_hidden_legend_indexes: `hiddenLegendIndexes` → `resultCustomizations` (TrendsQuery only). */
const hiddenLegendIndexes: Migration = {
  targets: { TrendsQuery: 1, StickinessQuery: 1 },
  transform(q) {
    if (q.kind !== 'TrendsQuery' || !isObject(q.trendsFilter)) return q;
    const f = q.trendsFilter;
    const hidden = f.hiddenLegendIndexes;
    if (!Array.isArray(hidden) || hidden.length === 0) return q;
    const customizations: JsonObject = isObject(f.resultCustomizations) ? f.resultCustomizations : {};
    const byValue = Object.values(customizations).some((v) => isObject(v) && v.assignmentBy === 'value');
    if ((f.resultCustomizationBy === 'value' || !f.resultCustomizationBy) && byValue) {
      delete f.hiddenLegendIndexes;
      return q;
    }
    const next: JsonObject = { ...customizations };
    for (const idx of hidden) {
      const key = String(idx);
      const entry = isObject(next[key]) ? (next[key] as JsonObject) : { assignmentBy: 'position' };
      entry.hidden = true;
      next[key] = entry;
    }
    f.resultCustomizationBy = 'position';
    f.resultCustomizations = next;
    delete f.hiddenLegendIndexes;
    return q;
  },
};

/** 0003_data_visualization_pie_show_total: `chartSettings.showPieTotal` → `chartSettings.pie.showTotal`. */
const pieShowTotal: Migration = {
  targets: { DataVisualizationNode: 1 },
  transform(q) {
    const cs = q.chartSettings;
    if (!isObject(cs) || !('showPieTotal' in cs)) return q;
    const value = cs.showPieTotal as Json;
    delete cs.showPieTotal;
    if (!isObject(cs.pie)) cs.pie = {};
    const pie = cs.pie as JsonObject;
    if (!('showTotal' in pie)) pie.showTotal = value;
    return q;
  },
};

const FILTER_KEY: Record<string, string> = { TrendsQuery: 'trendsFilter', StickinessQuery: 'stickinessFilter' };

function hasCompare(q: JsonObject): boolean {
  return isObject(q.compareFilter) && q.compareFilter.compare === true;
}

function hasBreakdown(q: JsonObject): boolean {
  const b = q.breakdownFilter;
  if (!isObject(b)) return false;
  if (b.breakdown_type && b.breakdown) return true;
  return Array.isArray(b.breakdowns) && b.breakdowns.length > 0;
}

function baseSeriesCount(q: JsonObject, f: JsonObject): number {
  if (Array.isArray(f.formulaNodes) && f.formulaNodes.length) return f.formulaNodes.length;
  if (Array.isArray(f.formulas) && f.formulas.length) return f.formulas.length;
  if (f.formula) return 1;
  return Array.isArray(q.series) ? q.series.length : 0;
}

/** Python's `json.dumps(x, separators=(",", ":"), ensure_ascii=False)` for a parsed key object. */
function compactKey(o: JsonObject): string {
  return JSON.stringify(o);
}

/** 0003_trends_result_customizations_compare: merge per-compare-period customizations. */
const compareCustomizations: Migration = {
  targets: { TrendsQuery: 2, StickinessQuery: 2 },
  transform(q) {
    const key = FILTER_KEY[String(q.kind)];
    const f = key ? q[key] : undefined;
    if (!key || !isObject(f) || !isObject(f.resultCustomizations) || !Object.keys(f.resultCustomizations).length) return q;
    const rc = f.resultCustomizations;
    const compareOn = hasCompare(q);
    let next: JsonObject;
    if (f.resultCustomizationBy === 'position') {
      next = rc;
      const base = baseSeriesCount(q, f);
      if (compareOn && !hasBreakdown(q) && base) {
        next = {};
        const offset: Array<[number, Json]> = [];
        for (const [k, v] of Object.entries(rc)) {
          const pos = /^\s*-?\d+\s*$/.test(k) ? parseInt(k, 10) : undefined;
          if (pos === undefined || pos < base) next[k] = v;
          else offset.push([pos, v]);
        }
        for (const [pos, v] of offset) if (!(String(pos - base) in next)) next[String(pos - base)] = v;
      }
    } else {
      next = {};
      for (const [k, v] of Object.entries(rc)) {
        let parsed: Json;
        try {
          parsed = JSON.parse(k) as Json;
        } catch {
          parsed = null;
        }
        if (!isObject(parsed) || !('compare_label' in parsed)) {
          if (k in next && compareOn) continue;
          next[k] = v;
          continue;
        }
        const label = parsed.compare_label;
        delete parsed.compare_label;
        if (label !== 'current') continue;
        const baseKey = compactKey(parsed);
        if (baseKey in next && !compareOn) continue;
        next[baseKey] = v;
      }
    }
    f.resultCustomizations = next;
    return q;
  },
};

const DATA_WAREHOUSE_KIND: Record<string, string> = {
  TrendsQuery: 'DataWarehouseNode',
  StickinessQuery: 'DataWarehouseNode',
  LifecycleQuery: 'DataWarehouseNode',
  CalendarHeatmapQuery: 'DataWarehouseNode',
  FunnelsQuery: 'FunnelsDataWarehouseNode',
};

function stampKind(item: Json, warehouseKind: string | null): Json {
  if (!isObject(item) || 'kind' in item) return item;
  let kind = 'EventsNode';
  if (warehouseKind !== null && 'table_name' in item) kind = warehouseKind;
  else if ('id' in item && !('event' in item)) kind = 'ActionsNode';
  return { ...item, kind };
}

/** 0004_entity_node_kind: stamp `kind` on series items (and funnel exclusions) that lack it. */
const entityNodeKind: Migration = {
  targets: { TrendsQuery: 3, StickinessQuery: 3, LifecycleQuery: 1, CalendarHeatmapQuery: 1, FunnelsQuery: 1 },
  transform(q) {
    const warehouse = DATA_WAREHOUSE_KIND[String(q.kind)] ?? null;
    if (Array.isArray(q.series)) q.series = q.series.map((s) => stampKind(s, warehouse));
    const ff = q.funnelsFilter;
    if (q.kind === 'FunnelsQuery' && isObject(ff) && Array.isArray(ff.exclusions)) {
      q.funnelsFilter = { ...ff, exclusions: ff.exclusions.map((e) => stampKind(e, null)) };
    }
    return q;
  },
};

/** 0005_trends_result_customizations_homogeneous: keep only entries matching `resultCustomizationBy`. */
const homogeneousCustomizations: Migration = {
  targets: { TrendsQuery: 4, StickinessQuery: 4 },
  transform(q) {
    const key = FILTER_KEY[String(q.kind)];
    const f = key ? q[key] : undefined;
    if (!key || !isObject(f) || !isObject(f.resultCustomizations) || !Object.keys(f.resultCustomizations).length) return q;
    const target = typeof f.resultCustomizationBy === 'string' && f.resultCustomizationBy ? f.resultCustomizationBy : 'value';
    const by = (v: Json) => (isObject(v) && typeof v.assignmentBy === 'string' && v.assignmentBy ? v.assignmentBy : 'value');
    f.resultCustomizations = Object.fromEntries(Object.entries(f.resultCustomizations).filter(([, v]) => by(v) === target));
    return q;
  },
};

const MIGRATIONS: Migration[] = [
  retentionShowMean,
  hiddenLegendIndexes,
  pieShowTotal,
  compareCustomizations,
  entityNodeKind,
  homogeneousCustomizations,
];

/** Kind → latest version: one past the highest version any migration starts from. */
const LATEST_VERSIONS: Readonly<Record<string, number>> = (() => {
  const out: Record<string, number> = {};
  for (const m of MIGRATIONS) for (const [kind, v] of Object.entries(m.targets)) out[kind] = Math.max(out[kind] ?? 1, v + 1);
  return out;
})();

function currentVersion(node: JsonObject): number {
  return typeof node.version === 'number' && node.version ? node.version : 1;
}

function upgradeNode(value: Json): Json {
  if (Array.isArray(value)) return value.map(upgradeNode);
  if (!isObject(value)) return value;
  let node = value;
  const kind = typeof node.kind === 'string' ? node.kind : undefined;
  const latest = kind ? LATEST_VERSIONS[kind] : undefined;
  if (kind && latest !== undefined) {
    while (currentVersion(node) < latest) {
      const from = currentVersion(node);
      const migration = MIGRATIONS.find((m) => m.targets[kind] === from);
      if (!migration) break;
      node = migration.transform(clone(node));
      node.version = from + 1;
    }
  }
  for (const [k, v] of Object.entries(node)) node[k] = upgradeNode(v);
  return node;
}

/** The upgraded copy of a stored query; the stored JSON itself is never changed. */
export function upgradeQuery(query: JsonObject): JsonObject {
  return upgradeNode(clone(query)) as JsonObject;
}

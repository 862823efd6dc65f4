import { setValueAt, valueAt, type JsonObject } from '../json.js';
import { foreignIds, type ForeignRef, type KindDef } from '../kinds/index.js';

/** Per type (`actions`, `cohorts`, …): an id in one environment → the same object's id in another. */
export type IdMaps = Record<string, Record<string, string>>;

/** The result of a translation: the spec with every id it could map, and the ids it could not. */
export interface Translated {
  spec: JsonObject;
  unmapped: ForeignRef[];
}

/**
 * Rewrites the ids a spec holds (of objects hogsync does not manage, like integrations, or of
 * managed ones that a file still names by id) with `maps`. Files hold the home environment's
 * ids; every other environment maps them through its `refs:` (hogsync.yaml), and a pull from
 * it maps them back.
 */
export function mapIds(kind: KindDef, spec: JsonObject, maps: IdMaps): Translated {
  const refs = foreignIds(kind, spec);
  if (refs.length === 0) return { spec, unmapped: [] };
  const out = structuredClone(spec);
  const unmapped: ForeignRef[] = [];
  for (const ref of refs) {
    // Users are the same in every project of one organisation: only a table for them says otherwise.
    if (ref.organizationWide && maps[ref.type] === undefined) continue;
    const to = maps[ref.type]?.[String(ref.id)];
    if (to === undefined) {
      unmapped.push(ref);
      continue;
    }
    const current = valueAt(out, ref.path);
    setValueAt(out, ref.path, typeof current === 'number' && /^\d+$/.test(to) ? Number(to) : to);
  }
  return { spec: out, unmapped };
}

/** The maps the other way round (this environment's ids → home ids), for a pull. */
export function inverse(maps: IdMaps): IdMaps {
  return Object.fromEntries(
    Object.entries(maps).map(([type, m]) => [type, Object.fromEntries(Object.entries(m).map(([from, to]) => [to, from]))]),
  );
}

/** `actions` → `action`: how a type is named in a sentence. */
export function singular(type: string): string {
  return type.replace(/s$/, '').replace(/_/g, ' ');
}

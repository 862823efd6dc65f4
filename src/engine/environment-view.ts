import type { Target } from '../config/target.js';
import { InvalidFilesError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { foreignIds, KINDS, type KindDef, type RemoteId } from '../kinds/index.js';
import type { StateStore } from '../store/state.js';
import { applyOverride } from '../plan/overrides.js';
import { mapIds, singular } from '../plan/translate.js';
import type { ResourceFile } from '../store/resource-files.js';

/** A file as one environment sees it: its ids mapped through `refs:`, its `overrides:` entry applied. */
export interface LocalInput {
  kind: KindDef;
  key: string;
  file: string;
  spec: JsonObject;
  /** With an override: the spec before it, which a pull keeps in the shared file. */
  shared?: JsonObject;
  override?: JsonObject;
}

/**
 * The files in the terms of `target`: files hold the home environment's ids, so another
 * environment sees them mapped through its `refs:`; an id with no mapping is a problem at
 * its file:line:col, named with the line to add to hogsync.yaml, before any request.
 */
export function environmentView(files: readonly ResourceFile[], target: Target): LocalInput[] {
  const problems: string[] = [];
  const out = files.map((f): LocalInput => {
    const mapped = target.home ? { spec: f.spec, unmapped: [] } : mapIds(f.kind, f.spec, target.refs);
    for (const u of mapped.unmapped) {
      const where = `${f.parsed.where(`/spec${u.path}`)}: ${singular(u.type)} id ${u.id} has no mapping for ${target.environment}`;
      // With no home environment named, the likely mistake is the missing `home: true`, not a missing mapping.
      problems.push(
        target.homeName === undefined
          ? `${where}: hogsync.yaml names no home environment (the one whose ids the files hold): add home: true to it, or set default_environment`
          : `${where}: add "${u.id}": <its id in ${target.environment}> under environments.${target.environment}.refs.${u.type} in hogsync.yaml`,
      );
    }
    const override = target.overrides[`${f.kind.folder}/${f.key}`];
    if (!override) return { kind: f.kind, key: f.key, file: f.display, spec: mapped.spec };
    return { kind: f.kind, key: f.key, file: f.display, spec: applyOverride(mapped.spec, override), shared: mapped.spec, override };
  });
  if (problems.length > 0) throw new InvalidFilesError(problems);
  return out;
}

/** Per kind: key → the id of this environment that `refs:` pairs it with, and the table that says so. */
export type RefsPairings = (kind: string) => ReadonlyMap<string, { id: RemoteId; via: string }>;

/**
 * What `refs:` tables written before hogsync managed a kind (dashboards, actions, cohorts) say
 * about the files that now name those resources by key: the home environment's state binds the
 * key to a home id, which the table maps to this environment's id. A checkout from before then
 * keeps pairing each file with the resource its table named, instead of creating a twin.
 */
export function refsPairings(home: StateStore | undefined, target: Target): RefsPairings {
  const cache = new Map<string, Map<string, { id: RemoteId; via: string }>>();
  return (name) => {
    let out = cache.get(name);
    if (out) return out;
    out = new Map();
    cache.set(name, out);
    const kind = KINDS.find((k) => k.kind === name);
    const table = kind && !target.home ? target.refs[kind.refsType] : undefined;
    if (!kind || !home || !table) return out;
    for (const [key, b] of home.bindings(name)) {
      const to = table[String(b.id)];
      if (to === undefined) continue;
      const id = kind.idFormat === 'integer' && /^\d+$/.test(to) ? Number(to) : to;
      out.set(key, { id, via: `environments.${target.environment}.refs.${kind.refsType} "${String(b.id)}": ${to}` });
    }
    return out;
  };
}

/**
 * `refs:` tables of this environment for kinds hogsync now manages (dashboards, actions,
 * cohorts): files name those by key, so a table is needed only while some file still names one
 * by id (written before the kind was managed, until the next pull rewrites it, or a static cohort)
 * or it still pairs a file with a resource this environment's state does not bind yet.
 * One sentence per table that is needed no more.
 */
export function unneededRefs(files: readonly ResourceFile[], target: Target, pairing: (kind: KindDef) => boolean): string[] {
  if (target.home) return [];
  const used = new Set(files.flatMap((f) => foreignIds(f.kind, f.spec).map((r) => r.type)));
  return KINDS.filter((k) => Object.keys(target.refs[k.refsType] ?? {}).length > 0 && !used.has(k.refsType) && !pairing(k)).map(
    (k) =>
      `environments.${target.environment}.refs.${k.refsType} in hogsync.yaml is no longer needed: hogsync manages ${k.label}, and the files name them by key. Remove it.`,
  );
}

import { didYouMean as suggest } from '../did-you-mean.js';
import { UsageError } from '../errors.js';
import type { JsonObject } from '../json.js';
import action from './action.js';
import alert from './alert.js';
import cohort from './cohort.js';
import dashboard from './dashboard.js';
import hogFunction from './hog-function.js';
import insight from './insight.js';
import insightVariable from './insight-variable.js';
import type { Capabilities, KindDef } from './types.js';

/** Every managed kind. The engine (store, plan, apply) reaches kinds only through this list. */
export const KINDS: readonly KindDef[] = [insightVariable, insight, hogFunction, dashboard, alert, action, cohort];

const byKind = new Map(KINDS.map((k) => [k.kind, k]));

export function kindByName(kind: string): KindDef {
  const def = byKind.get(kind);
  if (!def)
    throw new UsageError(
      `Unknown resource kind "${kind}".${suggest(
        kind,
        KINDS.map((k) => k.kind),
      )}`,
    );
  return def;
}

/** The kinds on which PostHog offers `capability` (hog functions: test, health, icons). */
export function kindsWith(capability: keyof Capabilities): KindDef[] {
  return KINDS.filter((k) => k.capabilities[capability]);
}

/** The one kind with `capability`, for commands that exist for it alone (`hogsync test`). */
export function kindWith(capability: keyof Capabilities): KindDef {
  const [kind, ...more] = kindsWith(capability);
  if (!kind || more.length > 0) throw new Error(`Exactly one kind should offer "${capability}"; found ${kindsWith(capability).length}`);
  return kind;
}

/**
 * The natural key a file stands for: its key, where the kind's key is the natural key (a
 * variable's code_name), else what the spec derives (an insight's name).
 */
export function localNatural(kind: KindDef, key: string, spec: JsonObject): string | undefined {
  return kind.naturalOfKey?.(key) ?? kind.naturalKey(spec);
}

/** `insight, insight-variable, hog-function`: for help texts. */
export function kindNames(): string {
  return KINDS.map((k) => k.cliName).join(', ');
}

/** `a, b and c` */
export function andList(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `insights, insight variables and hog functions`: what hogsync keeps, for help texts. */
export function kindLabels(): string {
  return andList(KINDS.map((k) => k.label));
}

/** The API key scopes hogsync needs: one per kind. */
export function kindScopes(): string[] {
  return KINDS.map((k) => k.scope);
}

/** One kind by the name a user types (`insight`, `hog-function`, `insights`, `HogFunction`). */
export function kindByCliName(name: string): KindDef {
  const [kind] = selectKinds([name]);
  if (!kind || name.includes(',')) throw new UsageError(`Give one kind: ${KINDS.map((k) => k.cliName).join(', ')}.`);
  return kind;
}

/**
 * Kinds selected by `--kinds a,b` (CLI names, envelope names and folder names all work),
 * in registry order. An unknown name is an error with a suggestion, never skipped.
 */
export function selectKinds(names?: string[]): KindDef[] {
  if (!names || names.length === 0) return [...KINDS];
  const wanted = new Set<KindDef>();
  for (const raw of names
    .flatMap((n) => n.split(','))
    .map((n) => n.trim())
    .filter(Boolean)) {
    const def = KINDS.find((k) => [k.cliName, k.kind.toLowerCase(), k.folder, `${k.cliName}s`].includes(raw.toLowerCase()));
    if (!def)
      throw new UsageError(
        `Unknown kind "${raw}".${suggest(
          raw,
          KINDS.map((k) => k.cliName),
        )} Known kinds: ${KINDS.map((k) => k.cliName).join(', ')}.`,
      );
    wanted.add(def);
  }
  return KINDS.filter((k) => wanted.has(k));
}

/** The given kinds plus every kind they refer to, in registry order (references need the other side's ids). */
export function withDependencies(kinds: readonly KindDef[]): KindDef[] {
  return closure(kinds, (k) => k.refersTo);
}

/**
 * The given kinds plus every kind written before them (KindDef.dependsOn), in registry order: what
 * a pull of some kinds writes files for, so that their files name those by key. A kind referred to
 * only later (the alert of an alert's destination) is named by key once its own files are pulled.
 */
export function withPrerequisites(kinds: readonly KindDef[]): KindDef[] {
  return closure(kinds, (k) => k.dependsOn);
}

function closure(kinds: readonly KindDef[], next: (k: KindDef) => readonly string[]): KindDef[] {
  const wanted = new Set(kinds.map((k) => k.kind));
  for (let grew = true; grew; ) {
    grew = false;
    for (const k of KINDS) {
      if (!wanted.has(k.kind)) continue;
      for (const d of next(k)) {
        if (wanted.has(d)) continue;
        wanted.add(d);
        grew = true;
      }
    }
  }
  return KINDS.filter((k) => wanted.has(k.kind));
}

/** Whether `kind` is written after `other`: it depends on it, directly or through other kinds. */
export function dependsOn(kind: KindDef, other: string): boolean {
  const seen = new Set<string>();
  const visit = (k: KindDef): boolean =>
    k.dependsOn.some((d) => {
      if (d === other) return true;
      if (seen.has(d)) return false;
      seen.add(d);
      const def = byKind.get(d);
      return def !== undefined && visit(def);
    });
  return visit(kind);
}

/** How a kind's remote list is read whole (the client's list options): summaries are retrieved one by one. */
export function listOptionsOf(kind: KindDef): {
  pagination: KindDef['pagination'];
  query?: Record<string, string>;
  bucket: string;
  details?: { query?: Record<string, string> };
} {
  return {
    pagination: kind.pagination,
    ...(kind.listQuery ? { query: kind.listQuery } : {}),
    bucket: kind.rateBucket,
    ...(kind.listShape === 'summary' ? { details: kind.retrieveQuery ? { query: kind.retrieveQuery } : {} } : {}),
  };
}

/** Kinds grouped into levels: every kind comes after the kinds it depends on. */
export function dependencyLevels(kinds: readonly KindDef[] = KINDS): KindDef[][] {
  const levels: KindDef[][] = [];
  const placed = new Set<string>();
  let rest = [...kinds];
  while (rest.length > 0) {
    const level = rest.filter((k) => k.dependsOn.every((d) => placed.has(d) || !kinds.some((x) => x.kind === d)));
    if (level.length === 0) throw new Error(`Kinds depend on each other in a cycle: ${rest.map((k) => k.kind).join(', ')}`);
    level.forEach((k) => placed.add(k.kind));
    levels.push(level);
    rest = rest.filter((k) => !placed.has(k.kind));
  }
  return levels;
}

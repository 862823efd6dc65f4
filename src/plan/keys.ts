/** Keys: the stable, environment-independent name of a resource (DESIGN.md "Resource files"). */

import { readsAsId, type KindDef } from '../kinds/index.js';

const MAX_BASE = 90;

/** `Weekly signups (v2)` → `weekly-signups-v2`; underscores survive (variable code_names use them). */
export function slugify(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  const slug = ascii
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, MAX_BASE)
    .replace(/[-_]+$/g, '');
  return slug;
}

/**
 * Picks a free key for each new remote resource: the slug of its name, then `-2`, `-3`…
 * on collision; the kind's name and the id's start when the name has no usable letters,
 * and the kind's name before a name that would read as an id (a dashboard "2024" is
 * `dashboard-2024`). `taken` holds keys already in use (bound or on disk); it is extended.
 * Callers pass resources sorted by id so the same project always yields the same keys.
 */
export function assignKey(hint: string, kind: KindDef, id: string | number, taken: Set<string>): string {
  const slug = slugify(hint);
  const base =
    (slug && readsAsId(kind, slug) ? slugify(`${kind.cliName}-${slug}`) : slug) ||
    slugify(`${kind.cliName}-${String(id).slice(0, 8)}`) ||
    'resource';
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}-${n}`;
  taken.add(key);
  return key;
}

/** Sorts ids numerically when they are numbers, else as strings (UUIDT ids are time-ordered). */
export function compareIds(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

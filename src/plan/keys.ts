/** Keys: the stable, environment-independent name of a resource (DESIGN.md "Resource files"). */

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
 * on collision. `taken` holds keys already in use (bound or on disk); it is extended.
 * Callers pass resources sorted by id so the same project always yields the same keys.
 */
export function assignKey(hint: string, fallback: string, taken: Set<string>): string {
  const base = slugify(hint) || slugify(fallback) || 'resource';
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

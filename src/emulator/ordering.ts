// Postgres ORDER BY as PostHog's list endpoints use it: rows whose sort keys are equal come back
// in no particular order, and that order differs between two queries. The emulator reproduces
// that by shuffling before a stable sort, with a fresh draw per request from a seedable PRNG.
export type Comparator<T> = (a: T, b: T) => number;

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Sorted by `compare`; ties in a random order. With no comparator the whole list is shuffled. */
export function orderWithUnorderedTies<T>(items: T[], random: () => number, ...compare: Comparator<T>[]): T[] {
  const shuffled = shuffle(items, random);
  if (!compare.length) return shuffled;
  return shuffled.sort((a, b) => {
    for (const c of compare) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return 0;
  });
}

export type SortValue = string | number | boolean | null;

const collator = new Intl.Collator('en', { sensitivity: 'variant' });

/** Compares two column values; strings with a locale collation like Postgres' default `en_US.UTF-8`. */
function compareValues(a: Exclude<SortValue, null>, b: Exclude<SortValue, null>): number {
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One ORDER BY term. Postgres puts NULLs last when ascending and first when descending, unless
 * the query says otherwise (`nullsFirst`).
 */
export function byColumn<T>(get: (row: T) => SortValue, descending = false, nullsFirst = descending): Comparator<T> {
  return (x, y) => {
    const a = get(x);
    const b = get(y);
    if (a === null && b === null) return 0;
    if (a === null) return nullsFirst ? -1 : 1;
    if (b === null) return nullsFirst ? 1 : -1;
    const r = compareValues(a, b);
    return descending ? -r : r;
  };
}

// Datetimes as DRF renders them, and PostHog's relative date strings (`-7d`).

/** DRF DateTimeField output: ISO 8601, microseconds only when non-zero, UTC as `Z`. */
export function drfDate(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const millis = iso.slice(20, 23);
  return millis === '000' ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${millis}000Z`;
}

let lastMicros = 0;

/**
 * Now, as PostHog stores it: `created_at`/`updated_at` are Django `auto_now_add`/`auto_now`
 * DateTimeFields (posthog/models/hog_functions/hog_function.py), stamped with microseconds,
 * so rows written one after another (a seed, a burst of creates within one millisecond) never
 * share a timestamp, and lists ordered by one are not tied where PostHog's would not be.
 */
export function nowDrf(): string {
  const micros = Math.max(Date.now() * 1000, lastMicros + 1);
  lastMicros = micros;
  const fraction = micros % 1_000_000;
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return fraction === 0 ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${String(fraction).padStart(6, '0')}Z`;
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000, // `-15m` in seeds means minutes; PostHog's own parser reads `m` as months, seeds never need those
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * A relative (`-7d`, `-24h`, `-0d`) or absolute (ISO 8601) date; undefined when unreadable.
 * Relative dates are not truncated to the start of the unit (the real parser varies by unit).
 */
export function parseDateSpec(spec: string, now = Date.now()): number | undefined {
  const rel = /^-?(\d+)?([smhdw])$/.exec(spec.trim());
  if (rel) {
    const n = rel[1] === undefined ? 1 : Number(rel[1]);
    return now - n * (UNIT_MS[rel[2] as string] ?? 0);
  }
  const t = Date.parse(spec);
  return Number.isNaN(t) ? undefined : t;
}

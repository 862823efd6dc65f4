/** Durations as people write them in hogsync.yaml and environment variables, and as messages say them. */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};

/** `300`, `300s`, `5m`, `5 min`, `1.5h`, `250ms` → ms (a bare number is seconds); undefined when it is none of these. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|second|m|min|minute|h|hour)?s?\s*$/i.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_MS[(m[2] ?? 's').toLowerCase()] ?? 1000);
}

/** `45 s`, `1 min 30 s`, `60 min`, `5 h`, `11.6 days`: precise for short waits, rounded for long ones. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${round1(s / 3600)} h`;
  return `${round1(s / 86_400)} days`;
}

function round1(n: number): string {
  return String(Math.round(n * 10) / 10);
}

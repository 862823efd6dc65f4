// Times in the alerts API: PostHog's `relative_date_parse` (posthog/utils.py, for snoozes and the
// checks window), quiet hours (`validate_and_normalize_schedule_restriction` in
// products/alerts/backend/scheduling.py) and the `next_check_at` a quiet-hours change writes
// (`next_check_at_after_schedule_restriction_change`, posthog/tasks/alerts/utils.py). Every
// emulator team is on UTC, so local time is UTC.
import { isObject, type Json, type JsonObject } from './json.js';

const ISO = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** `parser.isoparse` (or `%Y-%m-%d`): ms, or undefined when it is not an ISO date. Naive times are UTC. */
export function parseIso(input: string): number | undefined {
  const m = ISO.exec(input.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const parts = [Number(y), Number(mo) - 1, Number(d ?? 1), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)] as const;
  const ms = Date.UTC(...parts, Number((frac ?? '0').slice(0, 3).padEnd(3, '0')));
  const back = new Date(ms);
  // isoparse refuses out-of-range fields (month 13, 31 April, 25:00) where Date.UTC would roll over.
  if (
    [back.getUTCFullYear(), back.getUTCMonth(), back.getUTCDate(), back.getUTCHours(), back.getUTCMinutes(), back.getUTCSeconds()].some(
      (v, i) => v !== parts[i],
    )
  )
    return undefined;
  if (!tz || tz === 'Z') return ms;
  const sign = tz.startsWith('-') ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  return ms - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
}

/** dateutil's relativedelta month arithmetic: the day is clamped to the target month's length. */
function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), last));
  target.setUTCHours(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  return target.getTime();
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 604_800_000, q: 13 * 604_800_000, M: 60_000, s: 1000 };

export interface RelativeOptions {
  increase?: boolean;
  alwaysTruncate?: boolean;
  now?: number;
}

/**
 * `relative_date_parse`: an ISO date, else the first `-?N?<unit>(Start|End)?` found anywhere in the
 * text (`2h`, `-7d`, `mStart`; `m` is months, `M` minutes), added or subtracted from now; no match
 * is now. `always_truncate` then cuts to the hour (hour deltas) or the day (any other match).
 */
export function relativeDateParse(input: string, opts: RelativeOptions = {}): number {
  const iso = parseIso(input);
  if (iso !== undefined) return iso;
  const now = opts.now ?? Date.now();
  const m = /-?(\d+)?([hdwmqysHDWMQY])(Start|End)?/.exec(input);
  if (!m) return now;
  const n = m[1] ? Number(m[1]) : undefined;
  const kind = m[2] as string;
  const sign = opts.increase ? 1 : -1;
  const d = new Date(now);
  // `Start`/`End` positions are absolute fields of the relativedelta, applied before the delta.
  if (m[3] && kind === 'h') d.setUTCMinutes(m[3] === 'Start' ? 0 : 59, m[3] === 'Start' ? 0 : 59, m[3] === 'Start' ? 0 : 999);
  if (m[3] && kind === 'd')
    d.setUTCHours(m[3] === 'Start' ? 0 : 23, m[3] === 'Start' ? 0 : 59, m[3] === 'Start' ? 0 : 59, m[3] === 'Start' ? 0 : 999);
  if (m[3] === 'Start' && kind === 'y') d.setUTCMonth(0, 1);
  if (m[3] === 'Start' && kind === 'm') d.setUTCDate(1);
  // `day=31` is clamped to the month's last day.
  if (m[3] === 'End' && (kind === 'm' || kind === 'y'))
    d.setUTCDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate());
  let t = d.getTime();
  if (n !== undefined) {
    if (kind === 'm') t = addMonths(t, sign * n);
    else if (kind === 'y') t = addMonths(t, sign * 12 * n);
    else if (UNIT_MS[kind]) t += sign * n * (UNIT_MS[kind] as number);
  }
  if (opts.alwaysTruncate) {
    const out = new Date(t);
    if (kind === 'h' && n !== undefined) out.setUTCMinutes(0, 0, 0);
    else out.setUTCHours(0, 0, 0, 0);
    t = out.getTime();
  }
  return t;
}

export class ScheduleRestrictionError extends Error {}

const MINUTES_PER_DAY = 1440;

function minuteOf(value: Json | undefined): number {
  const s = (typeof value === 'string' ? value : JSON.stringify(value)).trim();
  if (s.split(':').length !== 2) throw new ScheduleRestrictionError('Time must be HH:MM (seconds not allowed)');
  const [h, m] = s.split(':').map((p) => (/^\s*[-+]?\d+\s*$/.test(p) ? parseInt(p, 10) : NaN)) as [number, number];
  if (!(h >= 0 && h <= 23 && m >= 0 && m <= 59)) throw new ScheduleRestrictionError('Invalid HH:MM');
  return h * 60 + m;
}

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * `validate_and_normalize_schedule_restriction`: null, `{}`, no or empty `blocked_windows` mean off
 * (null); at most 5 windows of at least 30 minutes (an overnight one wraps), merged on the daily
 * timeline and written back as HH:MM pairs; a whole blocked day is refused.
 */
export function normalizeScheduleRestriction(raw: Json): JsonObject | null {
  if (raw === null || (isObject(raw) && Object.keys(raw).length === 0)) return null;
  if (!isObject(raw)) throw new ScheduleRestrictionError('schedule_restriction must be an object or null');
  const windows = raw.blocked_windows;
  if (windows === undefined || windows === null || (Array.isArray(windows) && windows.length === 0)) return null;
  if (!Array.isArray(windows)) throw new ScheduleRestrictionError('blocked_windows must be an array');
  if (windows.length > 5) throw new ScheduleRestrictionError('At most 5 blocked time windows are allowed');
  const segments: Array<[number, number]> = [];
  for (const w of windows) {
    if (!isObject(w) || w.start === undefined || w.start === null || w.end === undefined || w.end === null) {
      throw new ScheduleRestrictionError('each window needs start and end');
    }
    const start = minuteOf(w.start);
    const end = minuteOf(w.end);
    if (start === end) throw new ScheduleRestrictionError('Start and end must differ for a blocked window');
    const span = start < end ? end - start : MINUTES_PER_DAY - start + end;
    if (span < 30) throw new ScheduleRestrictionError('blocked window shorter than 30 minutes');
    if (start < end) segments.push([start, end]);
    else segments.push([start, MINUTES_PER_DAY], ...(end > 0 ? [[0, end] as [number, number]] : []));
  }
  const merged: Array<[number, number]> = [];
  for (const [a, b] of segments.sort((x, y) => x[0] - y[0] || x[1] - y[1])) {
    const last = merged[merged.length - 1];
    if (!last || last[1] < a) merged.push([a, b]);
    else last[1] = Math.max(last[1], b);
  }
  if (merged[0]?.[0] === 0 && (merged[0]?.[1] ?? 0) >= MINUTES_PER_DAY)
    throw new ScheduleRestrictionError('Leave at least one time in the day');
  const encode = ([a, b]: [number, number]) => ({ start: hhmm(a), end: b === MINUTES_PER_DAY && a > 0 ? '00:00' : hhmm(b) });
  const [first, second] = merged;
  if (merged.length === 2 && first && second && first[0] === 0 && second[1] === MINUTES_PER_DAY && second[0] > first[1]) {
    return { blocked_windows: [{ start: hhmm(second[0]), end: hhmm(first[1]) }] };
  }
  return { blocked_windows: merged.map(encode) };
}

function blocked(minute: number, restriction: JsonObject): boolean {
  const windows = Array.isArray(restriction.blocked_windows) ? restriction.blocked_windows : [];
  return windows.some((w) => {
    if (!isObject(w)) return false;
    const start = minuteOf(w.start);
    const end = minuteOf(w.end);
    if (start < end) return minute >= start && minute < end;
    return end === 0 ? minute >= start : minute >= start || minute < end;
  });
}

/**
 * `next_calendar_check_time` from now (the stored next_check_at is cleared first), then snapped to
 * the first minute outside quiet hours: sub-daily intervals add their cadence; daily is 01:MM
 * tomorrow, weekly 03:MM next Monday, monthly 04:MM on the 1st of next month (MM:SS kept from now).
 */
export function nextCheckAfterScheduleChange(interval: string, restriction: JsonObject | null, now = Date.now()): number {
  const d = new Date(now);
  const at = (days: number, hour: number, monthStart = false) => {
    const out = monthStart
      ? new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
      : new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + days));
    out.setUTCHours(hour, d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
    return out.getTime();
  };
  const cadence: Record<string, number> = { real_time: 2 * 60_000, every_15_minutes: 15 * 60_000, hourly: 3_600_000 };
  let candidate: number;
  if (cadence[interval] !== undefined) candidate = now + (cadence[interval] as number);
  else if (interval === 'weekly') candidate = at(7 - ((d.getUTCDay() + 6) % 7), 3);
  else if (interval === 'monthly') candidate = at(0, 4, true);
  else candidate = at(1, 1);
  if (!restriction) return candidate;
  let t = Math.floor(candidate / 60_000) * 60_000;
  for (let step = 0; step < MINUTES_PER_DAY * 14 && blocked(Math.floor((t % 86_400_000) / 60_000), restriction); step++) t += 60_000;
  return t;
}

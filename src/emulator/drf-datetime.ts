// DRF's DateTimeField as PostHog configures it (USE_TZ, UTC): what a write accepts and how the
// value reads back; plus the raw Python `isoformat()` that leaks into a few answers.
import { fail } from './errors.js';

type Path = Array<string | number>;

const INVALID = 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';

// Django's parse_datetime (datetime.fromisoformat first): a date, optionally a time (T or space)
// with seconds and up to six fraction digits, optionally an offset.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Microseconds since the epoch for a DRF datetime string (as rendered by drfDateTime). */
export function epochMicros(iso: string): number {
  const m = /\.(\d{1,6})/.exec(iso);
  const micros = m ? Number((m[1] as string).padEnd(6, '0')) : 0;
  return Math.floor(Date.parse(iso.replace(/\.\d+/, '')) / 1000) * 1_000_000 + micros;
}

/** DRF's rendering of an aware datetime: ISO 8601, microseconds only when non-zero, `Z` for UTC. */
function render(micros: number): string {
  const base = new Date(Math.floor(micros / 1_000_000) * 1000).toISOString().slice(0, 19);
  const fraction = micros % 1_000_000;
  return fraction === 0 ? `${base}Z` : `${base}.${String(fraction).padStart(6, '0')}Z`;
}

/**
 * `DateTimeField.to_internal_value` then `to_representation`: the stored value, in the form a
 * later read answers with. A naive datetime is taken as UTC (`enforce_timezone`).
 */
export function drfDateTime(value: unknown, path: Path, allowNull: boolean): string | null {
  if (value === null) {
    if (allowNull) return null;
    fail(path, 'This field may not be null.', 'null');
  }
  const m = typeof value === 'string' ? ISO.exec(value.trim()) : null;
  if (!m) fail(path, INVALID, 'invalid');
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', tz] = m as unknown as string[];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (Number.isNaN(ms) || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    fail(path, INVALID, 'invalid');
  let offsetMin = 0;
  if (tz && tz !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  return render(((ms - offsetMin * 60_000) / 1000) * 1_000_000 + Number(frac.padEnd(6, '0') || '0'));
}

/** Python's `datetime.isoformat()` of the same instant: `+00:00` instead of DRF's `Z`. */
export function pythonIsoformat(drf: string): string {
  return drf.replace(/Z$/, '+00:00');
}

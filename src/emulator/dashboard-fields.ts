// DashboardSerializer's writable fields (products/dashboards/backend/api/dashboard.py,
// DASHBOARD_SHARED_FIELDS and DashboardSerializer.Meta.fields): DRF's checks in field order, then
// `validate`. `filters`, `variables` and `tiles` are read-only here (SerializerMethodFields):
// create/update read them from the raw body.
import { booleanField, charField, choiceField, ErrorCollector, integerField, listField, nestedObject } from './drf-fields.js';
import { fail } from './errors.js';
import { normaliseTags } from './insight-write.js';
import { clone, pyTruthy, type Json } from './json.js';

export interface DashboardFields {
  name?: string | null;
  description?: string;
  pinned?: boolean;
  last_accessed_at?: string | null;
  deleted?: boolean;
  breakdown_colors?: Json;
  data_color_theme_id?: number | null;
  tags?: string[];
  restriction_level?: number;
  last_refresh?: string | null;
  quick_filter_ids?: string[];
  use_template?: string;
  use_dashboard?: number | null;
  /** BooleanField(default=False): always present after validation. */
  delete_insights: boolean;
}

type Path = Array<string | number>;

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * DRF DateTimeField (allow_null): Django's ISO 8601 parsing, naive times taken as UTC (the
 * project's timezone), rendered back in UTC with `Z` and microseconds only when non-zero.
 */
function dateTimeField(value: unknown, path: Path): string | null {
  if (value === null) return null;
  const m = typeof value === 'string' ? DATETIME.exec(value.trim()) : null;
  const invalid = () =>
    fail(path, 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].');
  if (!m) invalid();
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m as RegExpExecArray;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    invalid();
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
  }
  const micros = frac.padEnd(6, '0');
  const base = new Date(ms).toISOString().slice(0, 19);
  return /^0+$/.test(micros) ? `${base}Z` : `${base}.${micros}Z`;
}

const UUID_HEX = /^[0-9a-f]{32}$/;

/** Python's `str(uuid.UUID(v))`, or undefined where it raises ValueError. */
function normaliseUuid(v: string): string | undefined {
  const hex = v
    .replace(/^urn:/i, '')
    .replace(/^uuid:/i, '')
    .replace(/[{}-]/g, '')
    .toLowerCase();
  if (!UUID_HEX.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * `validate_quick_filter_ids`: empty or null is `[]`; each id must be a UUID; then every one must
 * name a QuickFilter of the team, and the emulator has none.
 */
function quickFilterIds(value: unknown, path: Path): string[] {
  if (value === null) return [];
  const items = listField(value, path).map((v, i) => charField(v, [...path, i]) as string);
  if (!items.length) return [];
  const normalised = items.map((v) => normaliseUuid(v) ?? fail(path, `Invalid UUID: ${v}`));
  fail(path, `Quick filters not found: ${normalised.join(', ')}`);
}

export function validateDashboard(raw: unknown): DashboardFields {
  const body = nestedObject(raw, []);
  const has = (k: string) => Object.hasOwn(body, k);
  const out: DashboardFields = { delete_insights: false };
  const c = new ErrorCollector();
  if (has('name')) c.run(() => (out.name = charField(body.name, ['name'], { allowNull: true, allowBlank: true, maxLength: 400 })));
  if (has('description')) c.run(() => (out.description = charField(body.description, ['description'], { allowBlank: true }) as string));
  if (has('pinned')) c.run(() => (out.pinned = booleanField(body.pinned, ['pinned']) as boolean));
  if (has('last_accessed_at')) c.run(() => (out.last_accessed_at = dateTimeField(body.last_accessed_at, ['last_accessed_at'])));
  if (has('deleted')) c.run(() => (out.deleted = booleanField(body.deleted, ['deleted']) as boolean));
  if (has('breakdown_colors')) {
    c.run(() => {
      if (body.breakdown_colors === null) fail(['breakdown_colors'], 'This field may not be null.', 'null');
      out.breakdown_colors = clone(body.breakdown_colors as Json);
    });
  }
  if (has('data_color_theme_id'))
    c.run(() => (out.data_color_theme_id = integerField(body.data_color_theme_id, ['data_color_theme_id'], { allowNull: true })));
  if (has('tags')) c.run(() => (out.tags = normaliseTags(body.tags)));
  if (has('restriction_level'))
    c.run(() => (out.restriction_level = Number(choiceField(body.restriction_level, ['restriction_level'], ['21', '37']))));
  if (has('last_refresh')) c.run(() => (out.last_refresh = dateTimeField(body.last_refresh, ['last_refresh'])));
  if (has('quick_filter_ids')) c.run(() => (out.quick_filter_ids = quickFilterIds(body.quick_filter_ids, ['quick_filter_ids'])));
  if (has('use_template')) c.run(() => (out.use_template = charField(body.use_template, ['use_template'], { allowBlank: true }) as string));
  if (has('use_dashboard')) c.run(() => (out.use_dashboard = integerField(body.use_dashboard, ['use_dashboard'], { allowNull: true })));
  if (has('delete_insights')) c.run(() => (out.delete_insights = booleanField(body.delete_insights, ['delete_insights']) as boolean));
  if (has('_create_in_folder')) c.run(() => charField(body._create_in_folder, ['_create_in_folder'], { allowBlank: true }));
  c.throwIfAny();
  // DashboardSerializer.validate
  if (pyTruthy(out.use_dashboard) && pyTruthy(out.use_template)) fail([], '`use_dashboard` and `use_template` cannot be used together');
  return out;
}

// The pydantic models the alerts API validates JSON fields with (posthog/schema.py, generated from
// the frontend schema: `AlertCondition`, `InsightThreshold`, `TrendsAlertConfig`, `HogQLAlertConfig`,
// `FunnelsAlertConfig`, `DetectorConfig`), as the newest generated API types describe them
// (products/alerts/frontend/generated/api.schemas.ts). Every model has `extra="forbid"`; fields are
// declared in alphabetical order, which is the order errors and `model_dump()` follow.
import { isObject, type Json, type JsonObject } from './json.js';
import { pyRepr, type Issue } from './query-validation.js';

type FieldType = 'int' | 'float' | 'bool' | 'str' | { enum: readonly string[] } | { model: Model } | { list: Model[] };

interface Field {
  type: FieldType;
  required?: boolean;
  /** `Optional[...]`: null is a value. */
  nullable?: boolean;
  /** What `model_dump()` writes when the field is absent (default null). */
  default?: Json;
}

export interface Model {
  name: string;
  fields: Record<string, Field>;
}

/** pydantic's "Input should be 'a', 'b' or 'c'". */
function expected(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

const BOOL_STRINGS: Record<string, boolean> = {
  true: true,
  t: true,
  yes: true,
  y: true,
  on: true,
  '1': true,
  false: false,
  f: false,
  no: false,
  n: false,
  off: false,
  '0': false,
};

/** One scalar in lax mode: the coerced value, or the issue pydantic reports. */
function scalar(type: 'int' | 'float' | 'bool' | 'str', v: Json, loc: Array<string | number>): { value?: Json; issue?: Issue } {
  const issue = (t: string, msg: string) => ({ issue: { loc, type: t, msg, input: v } });
  if (type === 'str') return typeof v === 'string' ? { value: v } : issue('string_type', 'Input should be a valid string');
  if (type === 'bool') {
    if (typeof v === 'boolean') return { value: v };
    if (v === 0 || v === 1) return { value: v === 1 };
    if (typeof v === 'string' && v.toLowerCase() in BOOL_STRINGS) return { value: BOOL_STRINGS[v.toLowerCase()] as boolean };
    return typeof v === 'string'
      ? issue('bool_parsing', 'Input should be a valid boolean, unable to interpret input')
      : issue('bool_type', 'Input should be a valid boolean');
  }
  if (typeof v === 'boolean') return { value: Number(v) };
  if (type === 'int') {
    if (typeof v === 'number')
      return Number.isInteger(v)
        ? { value: v }
        : issue('int_from_float', 'Input should be a valid integer, got a number with a fractional part');
    if (typeof v === 'string')
      return /^\s*[-+]?\d+\s*$/.test(v)
        ? { value: parseInt(v, 10) }
        : issue('int_parsing', 'Input should be a valid integer, unable to parse string as an integer');
    return issue('int_type', 'Input should be a valid integer');
  }
  if (typeof v === 'number') return { value: v };
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(n)
      ? { value: n }
      : issue('float_parsing', 'Input should be a valid number, unable to parse string as a number');
  }
  return issue('float_type', 'Input should be a valid number');
}

export interface Parsed {
  /** The `model_dump()` of the input (every field, absent ones at their default). */
  value?: JsonObject;
  issues: Issue[];
  /** Fields the input set (pydantic's smart union prefers the member that sets the most). */
  set: number;
}

function fieldValue(f: Field, v: Json | undefined, loc: Array<string | number>, issues: Issue[]): Json {
  if (v === undefined) return f.default ?? null;
  if (v === null && f.nullable) return null;
  const t = f.type;
  if (typeof t === 'string') {
    const r = scalar(t, v, loc);
    if (r.issue) issues.push(r.issue);
    return r.value ?? null;
  }
  if ('enum' in t) {
    if (typeof v === 'string' && t.enum.includes(v)) return v;
    issues.push({ loc, type: t.enum.length === 1 ? 'literal_error' : 'enum', msg: `Input should be ${expected(t.enum)}`, input: v });
    return null;
  }
  if ('model' in t) {
    const r = parseModel(t.model, v, loc);
    issues.push(...r.issues);
    return r.value ?? null;
  }
  if (!Array.isArray(v)) {
    issues.push({ loc, type: 'list_type', msg: 'Input should be a valid list', input: v });
    return null;
  }
  return v.map((item, i) => {
    const r = parseUnion(t.list, item, [...loc, i]);
    issues.push(...r.issues);
    return r.value ?? null;
  });
}

export function parseModel(model: Model, v: Json | undefined, loc: Array<string | number> = []): Parsed {
  if (!isObject(v))
    return {
      issues: [{ loc, type: 'model_type', msg: `Input should be a valid dictionary or instance of ${model.name}`, input: v ?? null }],
      set: 0,
    };
  const issues: Issue[] = [];
  const value: JsonObject = {};
  for (const [name, f] of Object.entries(model.fields)) {
    if (f.required && !(name in v)) issues.push({ loc: [...loc, name], type: 'missing', msg: 'Field required', input: v });
    value[name] = fieldValue(f, v[name], [...loc, name], issues);
  }
  for (const [k, x] of Object.entries(v)) {
    if (!(k in model.fields)) issues.push({ loc: [...loc, k], type: 'extra_forbidden', msg: 'Extra inputs are not permitted', input: x });
  }
  return { ...(issues.length ? {} : { value }), issues, set: Object.keys(v).length };
}

/** A smart-mode union: of the members that validate, the one setting the most fields, then the first. */
export function parseUnion(members: Model[], v: Json | undefined, loc: Array<string | number> = []): Parsed {
  let best: Parsed | undefined;
  const issues: Issue[] = [];
  for (const m of members) {
    const r = parseModel(m, v, loc);
    if (r.value && (!best || r.set > best.set)) best = r;
    issues.push(...r.issues);
  }
  return best ?? { issues, set: 0 };
}

/** Python's `str(x)` (what an f-string writes): a string as is, anything else as its repr. */
export function pyStr(v: Json | undefined): string {
  return typeof v === 'string' ? v : pyRepr(v ?? null);
}

const literal = (value: string): Field => ({ type: { enum: [value] }, default: value });
const opt = (type: FieldType): Field => ({ type, nullable: true });

export const ALERT_CONDITION: Model = {
  name: 'AlertCondition',
  fields: { type: { type: { enum: ['absolute_value', 'relative_increase', 'relative_decrease'] }, required: true } },
};

export const INSIGHT_THRESHOLD: Model = {
  name: 'InsightThreshold',
  fields: {
    bounds: opt({ model: { name: 'InsightsThresholdBounds', fields: { lower: opt('float'), upper: opt('float') } } }),
    type: { type: { enum: ['absolute', 'percentage'] }, required: true },
  },
};

export const TRENDS_ALERT_CONFIG: Model = {
  name: 'TrendsAlertConfig',
  fields: { check_ongoing_interval: opt('bool'), series_index: { type: 'int', required: true }, type: literal('TrendsAlertConfig') },
};

export const HOGQL_ALERT_CONFIG: Model = {
  name: 'HogQLAlertConfig',
  fields: {
    column: opt('str'),
    evaluation: { type: { enum: ['last_row', 'first_row', 'any_row'] }, required: true },
    label_column: opt('str'),
    type: literal('HogQLAlertConfig'),
  },
};

export const FUNNELS_ALERT_CONFIG: Model = {
  name: 'FunnelsAlertConfig',
  fields: {
    check_ongoing_interval: opt('bool'),
    funnel_step: opt('int'),
    metric: { type: { enum: ['conversion_from_start', 'conversion_from_previous'] }, required: true },
    type: literal('FunnelsAlertConfig'),
  },
};

const PREPROCESSING: Field = opt({
  model: { name: 'PreprocessingConfig', fields: { diffs_n: opt('int'), lags_n: opt('int'), smooth_n: opt('int') } },
});

function detector(type: string, extra: Record<string, Field>, withScore = true): Model {
  const scored: Record<string, Field> = withScore ? { threshold: opt('float'), window: opt('int') } : {};
  const fields = { ...extra, ...scored, preprocessing: PREPROCESSING, type: literal(type) };
  const sorted = Object.fromEntries(
    Object.keys(fields)
      .sort()
      .map((k) => [k, fields[k as keyof typeof fields] as Field]),
  );
  return { name: `${type}DetectorConfig`, fields: sorted };
}

const SUB_DETECTORS: Model[] = [
  detector('zscore', {}),
  detector('mad', {}),
  detector('iqr', { multiplier: opt('float'), window: opt('int') }, false),
  detector('threshold', { lower_bound: opt('float'), upper_bound: opt('float') }, false),
  detector('ecod', {}),
  detector('copod', {}),
  detector('isolation_forest', { n_estimators: opt('int') }),
  detector('knn', { method: opt({ enum: ['largest', 'mean', 'median'] }), n_neighbors: opt('int') }),
  detector('hbos', { n_bins: opt('int') }),
  detector('lof', { n_neighbors: opt('int') }),
  detector('ocsvm', { kernel: opt('str'), nu: opt('float') }),
  detector('pca', {}),
];

/** `DetectorConfig`: the ensemble first, then each single detector, in the schema's union order. */
export const DETECTOR_CONFIG: Model[] = [
  {
    name: 'EnsembleDetectorConfig',
    fields: {
      detectors: { type: { list: SUB_DETECTORS }, required: true },
      operator: { type: { enum: ['and', 'or'] }, required: true },
      type: literal('ensemble'),
    },
  },
  ...SUB_DETECTORS,
];

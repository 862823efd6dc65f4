// Cohort filters as posthog/api/cohort.py validates and stores them: the pydantic models
// `CohortFilters`, `CohortFilterGroup` and the leaves `BehavioralFilter`, `CohortFilter`,
// `PersonFilter`, `PersonMetadataFilter` (all `extra="forbid"`, discriminated on `type`), their
// `model_dump(exclude_none=True)`, the `FilterBytecodeMixin` bytecode and `conditionHash` (a
// stand-in bytecode here), and `_calculate_realtime_support`.
import { createHash } from 'node:crypto';
import { filtersBytecode } from './hog-bytecode.js';
import { isObject, type Json, type JsonObject } from './json.js';
import { expectedList, pydanticError, pyStrRepr, valueError, type Loc, type PydanticError } from './pydantic-errors.js';
import { modelTypeError, validateModel, type FieldSpec } from './pydantic-fields.js';
import type { ProjectStore } from './types.js';

/** `PERSON_METADATA_FIELDS` (posthog/hogql/property.py): top-level persons-table columns. */
const PERSON_METADATA_FIELDS = ['created_at'];
const DATE_OPERATORS = ['is_date_after', 'is_date_before'];
const COMPILED_BEHAVIOURS = ['performed_event', 'performed_event_multiple'];
const TAGS = ['behavioral', 'cohort', 'person', 'person_metadata', 'AND', 'OR'];

const BYTECODE_FIELDS: FieldSpec[] = [
  { name: 'bytecode', kind: 'list', optional: true },
  { name: 'bytecode_error', kind: 'str', optional: true },
  { name: 'conditionHash', kind: 'str', optional: true },
];

const EVENT_PROP: FieldSpec[] = [
  { name: 'type', kind: { literal: ['event', 'element'] } },
  { name: 'key', kind: 'str' },
  { name: 'value', kind: 'any' },
  { name: 'operator', kind: 'str', optional: true },
];
const HOGQL: FieldSpec[] = [
  { name: 'type', kind: { literal: ['hogql'] } },
  { name: 'key', kind: 'str' },
  { name: 'value', kind: 'any', optional: true },
];

/** `list[Union[EventPropFilter, HogQLFilter]]`: a smart union; when both fail, both report. */
function eventFilters(v: Json, loc: Loc, errors: PydanticError[]): Json | undefined {
  if (!Array.isArray(v)) {
    errors.push(pydanticError('list_type', loc, 'Input should be a valid list', v));
    return undefined;
  }
  const out: Json[] = [];
  let failed = false;
  v.forEach((item, i) => {
    const tried: PydanticError[] = [];
    for (const [name, fields] of [
      ['EventPropFilter', EVENT_PROP],
      ['HogQLFilter', HOGQL],
    ] as const) {
      if (!isObject(item)) {
        tried.push(modelTypeError(name, [...loc, i, name], item));
        continue;
      }
      const dumped = validateModel(item, fields, [...loc, i, name], tried);
      if (dumped) return void out.push(dumped);
    }
    failed = true;
    errors.push(...tried);
  });
  return failed ? undefined : out;
}

const PERSON_LIKE = (type: string): FieldSpec[] => [
  { name: 'operator', kind: 'str', optional: true },
  { name: 'value', kind: 'any', optional: true },
  ...BYTECODE_FIELDS,
  { name: 'type', kind: { literal: [type] } },
  { name: 'key', kind: 'str' },
  { name: 'negation', kind: 'bool', default: false },
];

/** Field order as pydantic collects it: mixin fields first, then the model's own. */
const LEAVES: Record<string, FieldSpec[]> = {
  person: PERSON_LIKE('person'),
  person_metadata: PERSON_LIKE('person_metadata'),
  cohort: [
    ...BYTECODE_FIELDS,
    { name: 'type', kind: { literal: ['cohort'] } },
    { name: 'key', kind: { literal: ['id'] } },
    { name: 'value', kind: 'int' },
    { name: 'negation', kind: 'bool', default: false },
  ],
  behavioral: [
    ...BYTECODE_FIELDS,
    { name: 'type', kind: { literal: ['behavioral'] } },
    { name: 'key', kind: 'str|int' },
    { name: 'value', kind: 'str' },
    { name: 'event_type', kind: 'str' },
    { name: 'time_value', kind: 'int', optional: true },
    { name: 'time_interval', kind: 'str', optional: true },
    { name: 'negation', kind: 'bool', default: false },
    { name: 'operator', kind: 'str', optional: true },
    { name: 'operator_value', kind: 'int', optional: true },
    { name: 'seq_time_interval', kind: 'str', optional: true },
    { name: 'seq_time_value', kind: 'int', optional: true },
    { name: 'seq_event', kind: 'str|int', optional: true },
    { name: 'seq_event_type', kind: 'str', optional: true },
    { name: 'total_periods', kind: 'int', optional: true },
    { name: 'min_periods', kind: 'int', optional: true },
    { name: 'event_filters', kind: { custom: eventFilters }, optional: true },
    { name: 'explicit_datetime', kind: 'str', optional: true },
    { name: 'explicit_datetime_to', kind: 'str', optional: true },
  ],
};

/** `determine_parsed_date_for_property_matching`, roughly: a relative date or an ISO date. */
const isDateValue = (v: Json) => typeof v === 'string' && (/^-?\d+[hdwmqy]$/i.test(v.trim()) || !Number.isNaN(Date.parse(v)));

/** Python's `str()` of a value inside an f-string. */
const pyStr = (v: Json): string =>
  typeof v === 'string' ? v : v === null ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : JSON.stringify(v);

/** The `model_validator(mode="after")` chain of PersonValueValidationMixin and PersonMetadataFilter. */
function personChecks(type: string, leaf: JsonObject, loc: Loc, input: JsonObject): PydanticError | undefined {
  const missing: string[] = [];
  if (leaf.value === undefined && leaf.operator !== 'is_set' && leaf.operator !== 'is_not_set') missing.push('value');
  if (leaf.operator === undefined) missing.push('operator');
  if (missing.length) return valueError(loc, `Missing required keys for ${type} filter: ${missing.join(', ')}`, input);
  if (DATE_OPERATORS.includes(leaf.operator as string) && leaf.value !== undefined && !isDateValue(leaf.value as Json)) {
    const message = `Invalid date value '${pyStr(leaf.value as Json)}' for operator '${String(leaf.operator)}'. Expected a relative date (e.g., '-7d', '30d') or an ISO 8601 date (e.g., '2024-01-15').`;
    return valueError(loc, message, input);
  }
  return undefined;
}

/** Python `json.dumps(bytecode, sort_keys=True)` (default separators) for the condition hash. */
const pyJson = (v: Json): string =>
  Array.isArray(v)
    ? `[${v.map(pyJson).join(', ')}]`
    : isObject(v)
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}: ${pyJson(v[k] as Json)}`)
          .join(', ')}}`
      : JSON.stringify(v);

/**
 * `generate_cohort_filter_bytecode`: behavioural leaves compile only for performed_event(_multiple)
 * on a named event; a cohort leaf only when that cohort (any, deleted too) is realtime; person
 * leaves always (stand-in bytecode). A result only ever adds keys: what a client sent stays.
 */
function addBytecode(leaf: JsonObject, project: ProjectStore): void {
  let error: string | undefined;
  let compiles = true;
  if (leaf.type === 'behavioral') {
    compiles = COMPILED_BEHAVIOURS.includes(leaf.value as string) && typeof leaf.key === 'string' && leaf.key !== '';
    if (!compiles) error = 'Unsupported behavioral filter for realtime bytecode';
  } else if (leaf.type === 'cohort') {
    compiles = project.cohorts.some((c) => c.id === leaf.value && c.cohort_type === 'realtime');
  }
  if (compiles) {
    const { bytecode: _b, bytecode_error: _e, conditionHash: _h, ...source } = leaf;
    const bytecode = filtersBytecode(source);
    leaf.bytecode = bytecode;
    leaf.conditionHash = createHash('sha256').update(pyJson(bytecode)).digest('hex').slice(0, 16);
  }
  if (error) leaf.bytecode_error = error;
}

/** Dump order of a leaf: its fields as declared (bytecode fields may have been added). */
const ordered = (fields: FieldSpec[], leaf: JsonObject): JsonObject =>
  Object.fromEntries(fields.filter((f) => leaf[f.name] !== undefined).map((f) => [f.name, leaf[f.name] as Json]));

function validateLeaf(type: string, input: JsonObject, loc: Loc, errors: PydanticError[], project: ProjectStore): JsonObject | undefined {
  const fields = LEAVES[type] as FieldSpec[];
  const leafLoc = [...loc, type];
  const leaf = validateModel(input, fields, leafLoc, errors);
  if (!leaf) return undefined;
  const failed = type === 'person' || type === 'person_metadata' ? personChecks(type, leaf, leafLoc, input) : undefined;
  if (failed) return void errors.push(failed);
  addBytecode(leaf, project);
  if (type === 'person_metadata' && !PERSON_METADATA_FIELDS.includes(leaf.key as string)) {
    return void errors.push(
      valueError(
        leafLoc,
        `Unsupported person_metadata key ${pyStrRepr(leaf.key as string)}. Allowed keys: ${[...PERSON_METADATA_FIELDS].sort().join(', ')}.`,
        input,
      ),
    );
  }
  return ordered(fields, leaf);
}

/** One member of `values`: the tagged union `FilterOrGroup`. */
function validateNode(v: Json, loc: Loc, errors: PydanticError[], project: ProjectStore): JsonObject | undefined {
  if (!isObject(v))
    return void errors.push(
      pydanticError('model_attributes_type', loc, 'Input should be a valid dictionary or object to extract fields from', v),
    );
  if (!('type' in v))
    return void errors.push(
      pydanticError('union_tag_not_found', loc, "Unable to extract tag using discriminator 'type'", v, { discriminator: "'type'" }),
    );
  const tag = typeof v.type === 'string' ? v.type : String(v.type);
  if (!TAGS.includes(tag)) {
    const expected = expectedList(TAGS, ', ');
    const msg = `Input tag ${pyStrRepr(tag)} found using 'type' does not match any of the expected tags: ${expected}`;
    return void errors.push(pydanticError('union_tag_invalid', loc, msg, v, { discriminator: "'type'", tag, expected_tags: expected }));
  }
  return tag === 'AND' || tag === 'OR' ? validateGroup(v, [...loc, tag], errors, project) : validateLeaf(tag, v, loc, errors, project);
}

function validateGroup(input: Json, loc: Loc, errors: PydanticError[], project: ProjectStore): JsonObject | undefined {
  if (!isObject(input)) return void errors.push(modelTypeError('CohortFilterGroup', loc, input));
  const values = (v: Json, l: Loc, errs: PydanticError[]): Json | undefined => {
    if (!Array.isArray(v)) return void errs.push(pydanticError('list_type', l, 'Input should be a valid list', v));
    const before = errs.length;
    const out = v.map((item, i) => validateNode(item, [...l, i], errs, project));
    return errs.length === before ? (out as JsonObject[]) : undefined;
  };
  return validateModel(
    input,
    [
      { name: 'type', kind: { literal: ['AND', 'OR'] } },
      { name: 'values', kind: { custom: values } },
    ],
    loc,
    errors,
  );
}

export type FiltersResult = { ok: true; filters: JsonObject } | { ok: false; errors: PydanticError[] };

/** `CohortFilters.model_validate(raw, context={"team": team}).model_dump(exclude_none=True)`. */
export function validateCohortFilters(raw: JsonObject, project: ProjectStore): FiltersResult {
  const errors: PydanticError[] = [];
  const properties = (v: Json, l: Loc, errs: PydanticError[]) => validateGroup(v, l, errs, project);
  const filters = validateModel(raw, [{ name: 'properties', kind: { custom: properties } }], [], errors);
  return filters ? { ok: true, filters } : { ok: false, errors };
}

/** `_calculate_realtime_support`: every leaf compiled without error, and no person_metadata leaf. */
export function realtimeSupported(group: Json): boolean {
  if (!isObject(group) || !Array.isArray(group.values)) return false;
  return group.values.every((v) => {
    if (!isObject(v)) return false;
    if (v.type === 'AND' || v.type === 'OR') return realtimeSupported(v);
    if (v.type === 'person_metadata') return false;
    return v.bytecode !== undefined && v.bytecode !== null && (v.bytecode_error === undefined || v.bytecode_error === null);
  });
}

/**
 * `CohortSerializer._cohort_error_message`: the first "Missing required keys" value error, or
 * the first missing field of a behavioral, cohort or person leaf, else `str(exc.errors())`.
 */
export function cohortErrorMessage(errors: PydanticError[]): string | undefined {
  for (const err of errors) {
    if (err.type === 'value_error') {
      const idx = err.msg.indexOf('Missing required keys');
      if (idx !== -1) return err.msg.slice(idx);
    }
    if (err.type === 'missing') {
      const loc = err.loc.map(String);
      const kind = ['behavioral', 'cohort', 'person'].find((k) => loc.includes(k));
      if (kind) return `Missing required keys for ${kind} filter: ${loc[loc.length - 1]}`;
    }
  }
  return undefined;
}

// `QuerySchemaParser` (products/product_analytics/backend/api/insight.py): a truthy `query` in an
// insight write is validated with `schema.QuerySchemaRoot.model_validate`, and any pydantic error
// becomes a 400 `parse_error` whose detail is the pydantic text. The models forbid extra keys.
import { parseError } from './errors.js';
import { isObject, pyTypeName, type Json, type JsonObject } from './json.js';
import { CHECKED_PROPERTY_FILTER_TYPES, QUERY_SCHEMA_KINDS, TYPES, type ChildSpec } from './query-schema.js';

/** One pydantic error (`ValidationError.errors()` entry). */
export interface Issue {
  loc: Array<string | number>;
  type: string;
  msg: string;
  input: Json;
}

/** Python's `repr()` of a JSON value, as pydantic prints `input_value`. */
export function pyRepr(v: Json): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
    .join(', ')}}`;
}

function tagIssue(value: JsonObject, loc: Array<string | number>, kinds: string[]): Issue | undefined {
  if (typeof value.kind !== 'string' || !('kind' in value)) {
    return { loc, type: 'union_tag_not_found', msg: "Unable to extract tag using discriminator 'kind'", input: value };
  }
  if (!kinds.includes(value.kind)) {
    const expected = kinds.map((k) => `'${k}'`).join(', ');
    return {
      loc,
      type: 'union_tag_invalid',
      msg: `Input tag '${value.kind}' found using 'kind' does not match any of the expected tags: ${expected}`,
      input: value,
    };
  }
  return undefined;
}

function checkFilterList(value: Json, loc: Array<string | number>, issues: Issue[]): void {
  if (!Array.isArray(value)) return;
  value.forEach((item, i) => checkPropertyItem(item, [...loc, i], issues));
}

function checkPropertyItem(item: Json, loc: Array<string | number>, issues: Issue[]): void {
  if (!isObject(item)) return;
  if ((item.type === 'AND' || item.type === 'OR') && 'values' in item) return checkType(item, 'PropertyGroupFilter', loc, issues);
  if (typeof item.type === 'string' && CHECKED_PROPERTY_FILTER_TYPES.has(item.type)) checkType(item, 'PropertyFilter', loc, issues);
}

function walk(value: Json | undefined, spec: ChildSpec, loc: Array<string | number>, issues: Issue[]): void {
  if (value === undefined || value === null) return;
  if ('type' in spec) return checkType(value, spec.type, loc, issues);
  if ('list' in spec) {
    if (!Array.isArray(value)) {
      issues.push({ loc, type: 'list_type', msg: 'Input should be a valid list', input: value });
      return;
    }
    value.forEach((item, i) => walk(item, spec.list, [...loc, i], issues));
    return;
  }
  if ('map' in spec) {
    if (isObject(value)) for (const [k, v] of Object.entries(value)) walk(v, spec.map, [...loc, k], issues);
    return;
  }
  if ('kinds' in spec) {
    if (!isObject(value)) {
      issues.push({
        loc,
        type: 'model_attributes_type',
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: value,
      });
      return;
    }
    const tag = tagIssue(value, loc, Object.keys(spec.kinds));
    if (tag) {
      issues.push(tag);
      return;
    }
    const typeName = spec.kinds[value.kind as string] as string;
    if (typeName) checkType(value, typeName, [...loc, value.kind as string], issues);
    return;
  }
  if (Array.isArray(value)) checkFilterList(value, loc, issues);
  else if (isObject(value)) checkType(value, 'PropertyGroupFilter', loc, issues);
}

function checkType(value: Json, typeName: string, loc: Array<string | number>, issues: Issue[]): void {
  const def = TYPES[typeName];
  if (!def) return;
  if (!isObject(value)) {
    issues.push({ loc, type: 'model_type', msg: `Input should be a valid dictionary or instance of ${typeName}`, input: value });
    return;
  }
  for (const req of def.required ?? []) {
    if (!(req in value)) issues.push({ loc: [...loc, req], type: 'missing', msg: 'Field required', input: value });
  }
  for (const [k, v] of Object.entries(value)) {
    if (!def.props.includes(k)) issues.push({ loc: [...loc, k], type: 'extra_forbidden', msg: 'Extra inputs are not permitted', input: v });
  }
  if (typeName === 'PropertyGroupFilter') {
    if (Array.isArray(value.values)) value.values.forEach((item, i) => checkPropertyItem(item, [...loc, 'values', i], issues));
    return;
  }
  for (const [k, spec] of Object.entries(def.children ?? {})) walk(value[k], spec, [...loc, k], issues);
}

/** `str(ValidationError)`: pydantic's multi-line text, as `{model}` names it. */
export function renderIssues(issues: Issue[], model = 'QuerySchemaRoot'): string {
  const head = `${issues.length} validation error${issues.length === 1 ? '' : 's'} for ${model}`;
  const lines = issues.map(
    (i) =>
      `${i.loc.length ? `${i.loc.join('.')}\n` : ''}  ${i.msg} [type=${i.type}, input_value=${pyRepr(i.input)}, input_type=${pyTypeName(i.input)}]\n` +
      `    For further information visit https://errors.pydantic.dev/2.11/v/${i.type}`,
  );
  return [head, ...lines].join('\n');
}

/** Throws PostHog's 400 `parse_error` when `query` does not validate against the schema. */
export function validateQuerySchema(query: Json): void {
  if (!isObject(query)) {
    throw parseError(
      renderIssues([
        {
          loc: [],
          type: 'model_attributes_type',
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: query,
        },
      ]),
    );
  }
  const issues: Issue[] = [];
  const tag = tagIssue(query, [], [...QUERY_SCHEMA_KINDS]);
  if (tag) issues.push(tag);
  else checkType(query, query.kind as string, [query.kind as string], issues);
  if (issues.length) throw parseError(renderIssues(issues));
}

// `inputs_schema` and `inputs` validation, with secret handling (posthog/cdp/validation.py,
// posthog-api.md §4.2–4.3). Validation iterates the schema, not the inputs.
import { booleanField, charField, choiceField, ErrorCollector, listField, nestedObject } from './drf-fields.js';
import { fail } from './errors.js';
import { templateBytecode } from './hog-bytecode.js';
import type { HogParser } from './hog-parser.js';
import { clone, isObject, pyTruthy, pyTypeName, type Json, type JsonObject } from './json.js';

export const INPUT_TYPES = [
  'string', 'number', 'boolean', 'dictionary', 'choice', 'json', 'integration', 'integration_multi',
  'integration_field', 'email', 'native_email', 'posthog_assignee', 'posthog_ticket_tags',
  'posthog_business_hours', 'non_failure_status_codes', 'customer_analytics_account_properties',
  'customer_analytics_account_relationships', 'task_model', 'task_repository', 'task_mcp_installations',
] as const;

/** Types whose function code is TypeScript: inputs get `transpiled` instead of `bytecode`. */
export const JAVASCRIPT_TYPES = ['site_destination', 'site_app'];

export const MASKED_SECRET_VALUE = '********';

const OPTIONAL_CHARS = ['integration', 'integration_key', 'requires_field', 'integration_field', 'requiredScopes'];

/**
 * One `InputsSchemaItemSerializer`: only declared fields survive, in declaration order, with
 * `required`/`secret`/`hidden` defaulted to false.
 */
function schemaItem(raw: unknown, path: Array<string | number>): JsonObject {
  const item = nestedObject(raw, [...path, 'non_field_errors']);
  const out: JsonObject = {};
  const c = new ErrorCollector();
  const has = (k: string) => Object.prototype.hasOwnProperty.call(item, k);
  c.run(() => {
    if (!has('type')) fail([...path, 'type'], 'This field is required.', 'required');
    out.type = choiceField(item.type, [...path, 'type'], INPUT_TYPES);
  });
  c.run(() => {
    if (!has('key')) fail([...path, 'key'], 'This field is required.', 'required');
    out.key = charField(item.key, [...path, 'key']);
  });
  if (has('label')) c.run(() => (out.label = charField(item.label, [...path, 'label'], { allowBlank: true })));
  if (has('choices')) {
    c.run(() => {
      const list = listField(item.choices, [...path, 'choices']);
      list.forEach((ch, i) => {
        if (!isObject(ch)) fail([...path, 'choices', i], `Expected a dictionary of items but got type "${pyTypeName(ch)}".`, 'not_a_dict');
      });
      out.choices = clone(list);
    });
  }
  if (has('searchable')) c.run(() => (out.searchable = booleanField(item.searchable, [...path, 'searchable'])));
  c.run(() => (out.required = has('required') ? booleanField(item.required, [...path, 'required']) : false));
  if (has('default')) {
    c.run(() => {
      if (item.default === null) fail([...path, 'default'], 'This field may not be null.', 'null');
      out.default = clone(item.default as Json);
    });
  }
  c.run(() => (out.secret = has('secret') ? booleanField(item.secret, [...path, 'secret']) : false));
  c.run(() => (out.hidden = has('hidden') ? booleanField(item.hidden, [...path, 'hidden']) : false));
  if (has('description')) c.run(() => (out.description = charField(item.description, [...path, 'description'])));
  for (const k of OPTIONAL_CHARS) if (has(k)) c.run(() => (out[k] = charField(item[k], [...path, k])));
  if (has('templating')) {
    c.run(() => {
      const t = item.templating;
      if (t === 'hog' || t === 'liquid' || typeof t === 'boolean') out.templating = t;
      else fail([...path, 'templating'], `"${String(t)}" is not a valid choice.`, 'invalid_choice');
    });
  }
  c.throwIfAny();
  return out;
}

export function validateInputsSchema(raw: unknown, path: Array<string | number>): JsonObject[] {
  const list = listField(raw, path);
  const c = new ErrorCollector();
  const out: JsonObject[] = [];
  list.forEach((item, i) => c.run(() => out.push(schemaItem(item, [...path, i]))));
  c.throwIfAny();
  return out;
}

export interface InputsContext {
  parser: HogParser;
  functionType: string;
  /** Secret inputs already stored for this function (`encrypted_inputs`). */
  storedSecrets: JsonObject;
}

function checkType(type: string, value: Json, path: Array<string | number>): void {
  const isInt = (v: Json) => Number.isInteger(v) || typeof v === 'boolean'; // Python: bool is an int
  if (type === 'string' && typeof value !== 'string') fail(path, 'Value must be a string.');
  if (type === 'number' && typeof value !== 'number' && typeof value !== 'boolean') fail(path, 'Value must be a number.');
  if (type === 'boolean' && typeof value !== 'boolean') fail(path, 'Value must be a boolean.');
  if (type === 'dictionary' && !isObject(value)) fail(path, 'Value must be a dictionary.');
  if (type === 'integration' && !isInt(value)) fail(path, 'Value must be an Integration ID.');
  if (type === 'email') {
    if (!isObject(value)) fail(path, 'Value must be an email object.');
    for (const k of ['from', 'to', 'subject']) if (!pyTruthy(value[k])) fail(path, `Missing value for '${k}'.`);
    if (!pyTruthy(value.text) && !pyTruthy(value.html)) fail(path, "Either 'text' or 'html' is required.");
  }
}

const TEMPLATED_TYPES = ['string', 'dictionary', 'json', 'email'];

/** `InputsItemSerializer.validate` for one schema entry; undefined when no value is set. */
function inputItem(ctx: InputsContext, schema: JsonObject, raw: Json, path: Array<string | number>): { item: JsonObject; deps: string[] } | undefined {
  const body = nestedObject(raw, [...path, 'non_field_errors']);
  const item: JsonObject = {};
  if ('value' in body) item.value = clone(body.value as Json);
  if ('templating' in body) item.templating = choiceField(body.templating, [...path, 'templating'], ['hog', 'liquid']);
  let value = item.value;
  if (schema.required && (value === undefined || value === null || value === '')) {
    if (schema.default === undefined) fail(path, 'This field is required.');
    value = item.value = clone(schema.default as Json);
  }
  if (value === undefined) return undefined;
  const deps = new Set<string>();
  if (pyTruthy(value)) {
    const type = String(schema.type);
    checkType(type, value, path);
    const liquid = item.templating === 'liquid' || schema.templating === 'liquid';
    if (schema.templating !== false && !liquid && TEMPLATED_TYPES.includes(type)) {
      const source = type === 'email' && isObject(value) ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'design')) : value;
      if (JAVASCRIPT_TYPES.includes(ctx.functionType)) {
        item.transpiled = { lang: 'ts', code: JSON.stringify(source), stl: [] };
      } else {
        item.bytecode = templateBytecode(ctx.parser, source as Json, deps, path);
      }
    }
  }
  return { item, deps: [...deps] };
}

/** Secret rules of `InputsSerializer.run_child_validation` (§4.3): markers keep the stored value. */
function resolveSecret(ctx: InputsContext, key: string, value: Json, path: Array<string | number>): Json {
  if (!isObject(value)) return value;
  const isMarker = pyTruthy(value.secret) || value.value === MASKED_SECRET_VALUE;
  const isEmpty = Object.keys(value).length === 0;
  if (!isMarker && !isEmpty) return value;
  const stored = ctx.storedSecrets[key];
  if (isObject(stored) && Object.keys(stored).length) return clone(stored);
  if (isMarker) fail(path, 'No value is saved for this secret input. Enter the value again.');
  return {};
}

/** Kahn's algorithm as in `topological_sort`: ready keys in insertion order. */
function topologicalOrder(keys: string[], edges: Map<string, string[]>, path: Array<string | number>): string[] {
  const inDegree = new Map(keys.map((k) => [k, (edges.get(k) ?? []).length]));
  const queue = keys.filter((k) => inDegree.get(k) === 0);
  const sorted: string[] = [];
  while (queue.length) {
    const current = queue.shift() as string;
    sorted.push(current);
    for (const [node, deps] of edges) {
      if (!deps.includes(current)) continue;
      const d = (inDegree.get(node) ?? 0) - 1;
      inDegree.set(node, d);
      if (d === 0) queue.push(node);
    }
  }
  if (sorted.length !== keys.length) fail(path, 'Circular dependency detected in input_deps.');
  return sorted;
}

/** Validated inputs (secret ones included) in dependency order, each with its `order`. */
export function validateInputs(ctx: InputsContext, schema: JsonObject[], raw: unknown, path: Array<string | number>): JsonObject {
  if (!isObject(raw)) fail(path, `Expected a dictionary of items but got type "${pyTypeName(raw)}".`, 'not_a_dict');
  const result = new Map<string, { item: JsonObject; deps: string[] }>();
  const c = new ErrorCollector();
  for (const s of schema) {
    const key = String(s.key);
    const itemPath = [...path, key];
    c.run(() => {
      let value: Json = pyTruthy(raw[key]) ? (raw[key] as Json) : {};
      if (s.secret) value = resolveSecret(ctx, key, value, itemPath);
      const validated = inputItem(ctx, s, value, itemPath);
      if (validated) result.set(key, validated);
    });
  }
  c.throwIfAny();
  const keys = [...result.keys()];
  const edges = new Map(keys.map((k) => [k, (result.get(k)?.deps ?? []).filter((d) => result.has(d))]));
  const out: JsonObject = {};
  topologicalOrder(keys, edges, path).forEach((k, i) => {
    out[k] = { ...(result.get(k)?.item ?? {}), order: i };
  });
  return out;
}

/** `move_secret_inputs`: secret values leave `inputs` for `encrypted_inputs`. */
export function splitSecrets(schema: JsonObject[], inputs: JsonObject): { inputs: JsonObject; secrets: JsonObject } {
  const secretKeys = new Set(schema.filter((s) => s.secret).map((s) => String(s.key)));
  const plain: JsonObject = {};
  const secrets: JsonObject = {};
  for (const [k, v] of Object.entries(inputs)) (secretKeys.has(k) ? secrets : plain)[k] = v;
  return { inputs: plain, secrets };
}

/** GET rendering: each secret with a stored value reads `{"secret": true}`, after the plain inputs. */
export function renderInputs(schema: JsonObject[], inputs: JsonObject, secrets: JsonObject): JsonObject {
  const out = clone(inputs);
  for (const s of schema) {
    const key = String(s.key);
    if (s.secret && (pyTruthy(secrets[key]) || pyTruthy(inputs[key]))) out[key] = { secret: true };
  }
  return out;
}


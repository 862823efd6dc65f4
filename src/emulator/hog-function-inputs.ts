// `inputs_schema` and `inputs` validation, with secret handling (posthog/cdp/validation.py,
// posthog-api.md §4.2–4.3). Validation iterates the schema, not the inputs.
import { booleanField, charField, choiceField, ErrorCollector, listField, nestedObject } from './drf-fields.js';
import { fail } from './errors.js';
import { templateBytecode } from './hog-bytecode.js';
import type { HogParser } from './hog-parser.js';
import { clone, isObject, pyTruthy, pyTypeName, type Json, type JsonObject } from './json.js';

const INPUT_TYPES = [
  'string',
  'number',
  'boolean',
  'dictionary',
  'choice',
  'json',
  'integration',
  'integration_multi',
  'integration_field',
  'email',
  'native_email',
  'posthog_assignee',
  'posthog_ticket_tags',
  'posthog_business_hours',
  'non_failure_status_codes',
  'customer_analytics_account_properties',
  'customer_analytics_account_relationships',
  'task_model',
  'task_repository',
  'task_mcp_installations',
] as const;

/** Types whose function code is TypeScript: inputs get `transpiled` instead of `bytecode`. */
export const JAVASCRIPT_TYPES = ['site_destination', 'site_app'];

const MASKED_SECRET_VALUE = '********';

const OPTIONAL_CHARS = ['integration', 'integration_key', 'requires_field', 'integration_field', 'requiredScopes'];

/**
 * One `InputsSchemaItemSerializer`: only declared fields survive, in declaration order, with
 * `required`/`secret`/`hidden` defaulted to false.
 */
function schemaItem(raw: unknown, path: Array<string | number>): JsonObject {
  const item = nestedObject(raw, [...path, 'non_field_errors']);
  const out: JsonObject = {};
  const c = new ErrorCollector();
  const has = (k: string) => Object.hasOwn(item, k);
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

/** The type checks of `InputsItemSerializer.validate`, with their messages. */
function checkType(type: string, value: Json, schema: JsonObject, templating: Json | undefined, path: Array<string | number>): Json {
  const isInt = (v: Json) => Number.isInteger(v) || typeof v === 'boolean'; // Python: bool is an int
  const isPlainInt = (v: Json) => typeof v === 'number' && Number.isInteger(v);
  if (type === 'string' && typeof value !== 'string') fail(path, 'Value must be a string.');
  if (type === 'number' && typeof value !== 'number' && typeof value !== 'boolean') fail(path, 'Value must be a number.');
  if (type === 'boolean') {
    if (pyTruthy(schema.templating ?? true)) {
      if (typeof value !== 'boolean' && typeof value !== 'string') fail(path, 'Value must be a boolean or a template string.');
      if (typeof value === 'string' && templating === 'liquid') {
        fail(path, 'Liquid templating is not supported for boolean fields. Use Hog templating instead.');
      }
    } else if (typeof value !== 'boolean') fail(path, 'Value must be a boolean.');
  }
  if (
    ['dictionary', 'customer_analytics_account_properties', 'customer_analytics_account_relationships'].includes(type) &&
    !isObject(value)
  ) {
    fail(path, 'Value must be a dictionary.');
  }
  if (type === 'integration' && !isInt(value)) fail(path, 'Value must be an Integration ID.');
  if (type === 'integration_multi' && !(Array.isArray(value) && value.every(isPlainInt)))
    fail(path, 'Value must be a list of Integration IDs.');
  if (type === 'task_repository' && typeof value !== 'string') fail(path, 'Value must be a repository name like your-org/your-repo.');
  if (type === 'task_mcp_installations' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
    fail(path, 'Value must be a list of MCP connector IDs.');
  }
  if (type === 'task_model') {
    const ok =
      isObject(value) &&
      typeof value.model === 'string' &&
      value.model !== '' &&
      (value.reasoning_effort === undefined || value.reasoning_effort === null || typeof value.reasoning_effort === 'string');
    if (!ok) fail(path, "Value must be an object with a non-empty 'model' string and an optional 'reasoning_effort' string.");
  }
  if (type === 'non_failure_status_codes') checkStatusCodes(value, path);
  if (type === 'email' || type === 'native_email') return checkEmail(value, path);
  return value;
}

function checkStatusCodes(value: Json, path: Array<string | number>): void {
  if (!Array.isArray(value)) fail(path, 'Value must be a list of status codes.');
  for (const entry of value) {
    if (typeof entry === 'boolean' || !(typeof entry === 'string' || (typeof entry === 'number' && Number.isInteger(entry)))) {
      fail(path, "Entries must be integers between 400 and 599 or wildcards '4xx' or '5xx'.");
    }
    if (typeof entry === 'number' && (entry < 400 || entry > 599)) fail(path, 'Status code numbers must be between 400 and 599.');
    if (typeof entry === 'string' && !/^[4-5]xx$/i.test(entry)) fail(path, "Wildcards must be '4xx' or '5xx'.");
  }
}

/** Email objects: every missing key in one message; html without a design gets a wrapping design. */
function checkEmail(value: Json, path: Array<string | number>): Json {
  if (!isObject(value)) fail(path, 'Value must be an email object.');
  const missing = ['from', 'to', 'subject'].filter((k) => !pyTruthy(value[k])).map((k) => `'${k}'`);
  if (!pyTruthy(value.text) && !pyTruthy(value.html)) missing.push("either 'text' or 'html'");
  if (missing.length) fail(path, `Missing ${missing.length === 1 ? 'value' : 'values'} for ${missing.join(', ')}.`);
  const from = value.from;
  if (isObject(from)) {
    const wrong = ['email', 'name']
      .filter((k) => from[k] !== undefined && from[k] !== null && typeof from[k] !== 'string')
      .map((k) => `'from.${k}'`);
    if (wrong.length) fail(path, `Expected string ${wrong.length === 1 ? 'value' : 'values'} for ${wrong.join(', ')}.`);
  }
  if (typeof value.html === 'string' && value.html && !pyTruthy(value.design)) return { ...value, design: htmlWrapDesign(value.html) };
  return value;
}

/** `build_html_wrap_design`: a fixed one-block Unlayer design holding the html, so it stays editable. */
function htmlWrapDesign(html: string): JsonObject {
  const meta = (id: string, cls: string) => ({ _meta: { htmlID: id, htmlClassNames: cls } });
  const content = { id: 'html-wrap-content', type: 'html', values: { html, ...meta('u_content_html_1', 'u_content_html') } };
  const column = { id: 'html-wrap-column', contents: [content], values: meta('u_column_1', 'u_column') };
  const row = { id: 'html-wrap-row', cells: [1], columns: [column], values: meta('u_row_1', 'u_row') };
  return {
    counters: { u_row: 1, u_column: 1, u_content_html: 1 },
    schemaVersion: 16,
    body: { id: 'html-wrap-body', headers: [], footers: [], rows: [row], values: {} },
  };
}

/** Types whose value is compiled (or transpiled) when templating is on. */
const TEMPLATED_TYPES = [
  'string',
  'boolean',
  'dictionary',
  'json',
  'email',
  'native_email',
  'posthog_ticket_tags',
  'customer_analytics_account_properties',
  'customer_analytics_account_relationships',
];

/** `InputsItemSerializer`: `value` and `templating` in, the compiled form added; undefined when no value. */
function inputItem(
  ctx: InputsContext,
  schema: JsonObject,
  raw: Json,
  path: Array<string | number>,
): { item: JsonObject; deps: string[] } | undefined {
  const body = nestedObject(raw, [...path, 'non_field_errors']);
  const item: JsonObject = {};
  if ('value' in body) item.value = clone(body.value as Json);
  if ('templating' in body) item.templating = choiceField(body.templating, [...path, 'templating'], ['hog', 'liquid']);
  const value = item.value;
  if (schema.required && (value === undefined || value === null || value === '')) fail(path, 'This field is required.');
  if (value === undefined) return undefined;
  if (!pyTruthy(value)) return { item, deps: [] };
  const type = String(schema.type);
  const checked = checkType(type, value, schema, item.templating, path);
  item.value = checked;
  const deps = new Set<string>();
  if (pyTruthy(schema.templating ?? true) && item.templating !== 'liquid' && TEMPLATED_TYPES.includes(type)) {
    const source =
      (type === 'email' || type === 'native_email') && isObject(checked)
        ? Object.fromEntries(Object.entries(checked).filter(([k]) => k !== 'design'))
        : checked;
    if (JAVASCRIPT_TYPES.includes(ctx.functionType)) {
      item.transpiled = { lang: 'ts', code: JSON.stringify(source), stl: [] };
    } else {
      item.bytecode = templateBytecode(ctx.parser, source, deps, path, ctx.functionType);
    }
  }
  return { item, deps: [...deps] };
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

/**
 * `InputsSerializer.run_child_validation`: iterates the schema, not the inputs. For a secret key,
 * `{}` / absent, `{"secret": true}` without a value, or with the mask, takes the stored secret of
 * this function's top-level `encrypted_inputs` (mappings included: they share the serializer
 * context); a mask that would be stored is refused. A required input with a schema default falls
 * back to it when nothing is sent; a schema `templating` is copied onto the input.
 */
export function validateInputs(ctx: InputsContext, schema: JsonObject[], raw: unknown, path: Array<string | number>): JsonObject {
  if (!isObject(raw)) fail(path, `Expected a dictionary of items but got type "${pyTypeName(raw)}".`, 'not_a_dict');
  const result = new Map<string, { item: JsonObject; deps: string[] }>();
  const c = new ErrorCollector();
  for (const s of schema) {
    const key = String(s.key);
    const itemPath = [...path, key];
    c.run(() => {
      let value: Json = pyTruthy(raw[key]) ? clone(raw[key] as Json) : {};
      const isEmpty = (v: Json) => isObject(v) && Object.keys(v).length === 0;
      if (s.secret) {
        const masked = isObject(value) && pyTruthy(value.secret) && (!('value' in value) || value.value === MASKED_SECRET_VALUE);
        if (masked || isEmpty(value)) {
          const stored = ctx.storedSecrets[key];
          if (pyTruthy(stored)) value = clone(stored as Json);
          else if (masked) fail(itemPath, 'No value is saved for this secret input. Enter the value again.');
        }
      }
      if (isEmpty(value) && s.required && s.default !== undefined && s.default !== null) value = { value: clone(s.default as Json) };
      if ('templating' in s && isObject(value)) {
        if (typeof s.templating !== 'boolean') value.templating = s.templating as Json;
        else if (s.templating) value.templating = 'hog';
      }
      const validated = inputItem(ctx, s, value, itemPath);
      if (!validated) return;
      if (s.secret && validated.item.value === MASKED_SECRET_VALUE) {
        fail(itemPath, 'This secret input was not updated correctly. Enter the value again.');
      }
      result.set(key, validated);
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

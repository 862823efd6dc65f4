// POST .../hog_functions/{id}/invocations/ (posthog-api.md §4.7): validate the configuration
// like a save (secrets recovered from the stored function), then run it through a HogExecutor.
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { booleanField, charField, dictField, ErrorCollector } from './drf-fields.js';
import { nestErrors, rawErrors, ValidationFailure } from './errors.js';
import type { HogExecutor } from './hog-executor.js';
import { findHogFunction } from './hog-function-routes.js';
import { validateHogFunction, type ValidatedHogFunction } from './hog-function-validate.js';
import { evaluateTemplate } from './hog-stand-in-vm.js';
import type { HogParser } from './hog-parser.js';
import { clone, isObject, pyTypeName, type Json, type JsonObject } from './json.js';
import type { Route } from './router.js';
import type { StoredHogFunction } from './types.js';

const TESTABLE_TYPES = ['destination', 'internal_destination', 'transformation'];

/** `convert_to_hog_function_invocation_globals`-like shaping of a raw ClickHouse event row. */
function globalsFromClickhouse(ev: JsonObject): JsonObject {
  const parse = (v: Json | undefined): Json => {
    if (typeof v !== 'string') return v ?? {};
    try {
      return JSON.parse(v) as Json;
    } catch {
      return {};
    }
  };
  const properties = parse(ev.properties);
  const globals: JsonObject = {
    event: {
      uuid: ev.uuid ?? null,
      event: ev.event ?? null,
      distinct_id: ev.distinct_id ?? null,
      properties,
      timestamp: ev.timestamp ?? null,
      elements_chain: ev.elements_chain ?? '',
      url: '',
    },
  };
  if (ev.person_id) globals.person = { id: ev.person_id, properties: parse(ev.person_properties), name: '', url: '' };
  return globals;
}

function renderValue(parser: HogParser, value: Json, globals: JsonObject, inputs: JsonObject): Json {
  if (Array.isArray(value)) return value.map((v) => renderValue(parser, v, globals, inputs));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(parser, v, globals, inputs)]));
  if (typeof value !== 'string') return value;
  const parsed = parser.template(value);
  return parsed.ok ? evaluateTemplate(parsed.ast, { ...globals, inputs }, inputs) : value;
}

/** Input values as the function sees them: templated ones rendered, in dependency order. */
function resolveInputs(parser: HogParser, validated: JsonObject, globals: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(validated)) {
    if (!isObject(item)) continue;
    const value = (item.value ?? null) as Json;
    out[key] = item.bytecode ? renderValue(parser, value, globals, out) : value;
  }
  return out;
}

interface InvocationBody {
  configuration: ValidatedHogFunction;
  globals?: JsonObject;
  clickhouseEvent?: JsonObject;
  mock: boolean;
}

function validateBody(req: ApiRequest, instance: StoredHogFunction | undefined): InvocationBody {
  const body = req.body();
  if (!isObject(body)) {
    throw new ValidationFailure([
      { path: ['non_field_errors'], detail: `Invalid data. Expected a dictionary, but got ${pyTypeName(body)}.`, code: 'invalid' },
    ]);
  }
  const out: Partial<InvocationBody> = { mock: true };
  const c = new ErrorCollector();
  c.run(() => {
    if (!('configuration' in body))
      throw new ValidationFailure([{ path: ['configuration'], detail: 'This field is required.', code: 'required' }]);
    out.configuration = nestErrors(['configuration'], () =>
      validateHogFunction(
        { store: req.store, project: req.project, isCreate: false, ...(instance ? { instance } : {}) },
        body.configuration,
      ),
    );
  });
  if ('globals' in body) c.run(() => (out.globals = clone(dictField(body.globals, ['globals']))));
  if ('clickhouse_event' in body) c.run(() => (out.clickhouseEvent = clone(dictField(body.clickhouse_event, ['clickhouse_event']))));
  if ('mock_async_functions' in body)
    c.run(() => (out.mock = booleanField(body.mock_async_functions, ['mock_async_functions']) as boolean));
  if ('invocation_id' in body) c.run(() => charField(body.invocation_id, ['invocation_id'], { allowNull: true }));
  c.run(() => {
    const event = out.clickhouseEvent ?? (out.globals ? out.globals.event : undefined);
    if (!isObject(event)) {
      throw new ValidationFailure([
        { path: ['globals'], detail: 'Provide globals with an event, or a clickhouse_event.', code: 'invalid' },
      ]);
    }
  });
  c.throwIfAny();
  return out as InvocationBody;
}

async function invocations(req: ApiRequest, executor: HogExecutor): Promise<ApiResponse> {
  let instance: StoredHogFunction | undefined;
  try {
    instance = findHogFunction(req.project, req.params.id as string);
  } catch {
    instance = undefined; // `new` and unknown ids test an unsaved configuration
  }
  let body: InvocationBody;
  try {
    body = validateBody(req, instance);
  } catch (e) {
    // This action answers serializer.errors as they are, not in the error envelope.
    if (e instanceof ValidationFailure) return json(400, rawErrors(e));
    throw e;
  }
  const config = body.configuration;
  const type = config.type ?? instance?.type ?? 'destination';
  if (!TESTABLE_TYPES.includes(type)) return json(400, { status: 'error', errors: ['Invalid function type'] });
  const globals = body.clickhouseEvent ? globalsFromClickhouse(body.clickhouseEvent) : (body.globals as JsonObject);
  const name = config.name ?? instance?.name ?? null;
  globals.project ??= { id: req.project.id, name: req.project.name, url: `${req.url.origin}/project/${req.project.id}` };
  globals.source ??= {
    name: name ?? '',
    url: `${req.url.origin}/project/${req.project.id}/pipeline/destinations/${instance?.id ?? 'new'}`,
  };
  const inputs = resolveInputs(req.store.parser, config.inputs ?? {}, globals);
  const result = await executor.invoke({
    functionType: type,
    functionName: name,
    hog: config.hog ?? instance?.hog ?? '',
    inputs,
    globals,
    mockAsyncFunctions: body.mock,
    parser: req.store.parser,
  });
  const logs = result.logs.map((l) => ({ level: l.level, timestamp: l.timestamp, message: l.message }));
  return json(200, { status: result.status, result: result.result, errors: result.errors, logs });
}

export function invocationRoutes(executor: HogExecutor): Route[] {
  return [
    {
      path: 'hog_functions/:id/invocations',
      scope: 'hog_function',
      bucket: 'crud',
      methods: { POST: { action: 'invocations', write: true, handler: (req) => invocations(req, executor) } },
    },
  ];
}

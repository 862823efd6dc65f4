import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Target, Workspace } from '../config/target.js';
import { ConfigError, FileError, UsageError } from '../errors.js';
import { isObject, type JsonObject } from '../json.js';
import { kindWith, toIds } from '../kinds/index.js';
import { Syntax } from '../kinds/syntax.js';
import type { PostHogClient } from '../posthog/client.js';
import { invoke, type InvocationResult } from '../posthog/function-endpoints.js';
import { IdentityMap } from '../plan/resolver.js';
import { KEY_ADVICE } from '../plan/key-guard.js';
import { placeholderSecrets, sendSpec } from '../plan/secrets.js';
import type { Redactor } from '../plan/redactor.js';
import { varSourcesOf } from '../plan/vars.js';
import { readResourceFile, type ResourceFile } from '../store/resource-files.js';
import { environmentView } from './environment-view.js';
import { StateStore } from '../store/state.js';

export interface TestRunOptions {
  ws: Workspace;
  target: Target;
  client: PostHogClient;
  env: NodeJS.ProcessEnv;
  cwd: string;
  file: string;
  eventFile?: string;
  /** Told the secret values the run uses; the logs of a mocked fetch show them, and output must not. */
  redactor?: Redactor;
}

export interface TestRun {
  kind: string;
  key: string;
  /** The bound remote function whose stored secrets the run uses, or `new`. */
  id: string;
  invocation: InvocationResult;
}

/**
 * hogsync test: the file's version of a hog function (pushed or not) run by PostHog's
 * executor with async functions mocked, so `fetch` calls are logged instead of sent.
 * Hog syntax is checked here first, so a typo costs no request.
 */
export async function runHogTest(opts: TestRunOptions): Promise<TestRun> {
  const kind = kindWith('test');
  const path = resolve(opts.cwd, opts.file);
  let file: ResourceFile;
  try {
    file = readResourceFile(path, kind, opts.ws.root);
  } catch (error) {
    if (error instanceof FileError && /kind must be/.test(error.problem))
      throw new UsageError(`${opts.file} is not a ${kind.kind} file: hogsync test runs ${kind.folder} only.`);
    throw error;
  }
  // The kind's own offline checks (Hog syntax) first, so a typo costs no request.
  const syntax = await Syntax.load();
  const [problem] =
    kind
      .check?.(file.spec, { syntax, known: () => ({ keys: new Set(), naturals: new Set() }), specOf: () => undefined }, file.key)
      .filter((p) => /syntax|template/i.test(p.message)) ?? [];
  if (problem) {
    const where =
      problem.offset !== undefined
        ? file.parsed.whereIn(`/spec${problem.pointer}`, problem.offset)
        : file.parsed.where(`/spec${problem.pointer}`);
    throw new FileError(where, problem.message);
  }
  // The file in this environment's terms: its ids mapped through refs:, its override applied.
  const [view] = environmentView([file], opts.target);
  const resolved = sendSpec(
    kind,
    file.key,
    view?.spec ?? file.spec,
    varSourcesOf(opts.target, opts.env),
    undefined,
    undefined,
    opts.redactor,
  );
  if (resolved.keyLeaks.length > 0) throw new FileError(file.display, `${resolved.keyLeaks.join('; ')}; ${KEY_ADVICE}`);
  if (resolved.missing.length > 0) throw new ConfigError(`Set ${resolved.missing.join(', ')} to run ${file.display}: its inputs use them.`);
  if (resolved.literalSecrets.length > 0)
    throw new FileError(file.display, `secret input(s) ${resolved.literalSecrets.join(', ')} hold literal values; use value: \${SOME_VAR}`);

  const state = StateStore.load(opts.ws.stateDir, opts.target.environment, opts.target, opts.ws.root, { journal: false });
  const id = String(state.get(kind.kind, file.key)?.id ?? 'new');
  const spec = placeholderSecrets(kind, resolved.spec);
  // Actions and cohorts its filters name by key are this environment's bound ones.
  const identities = new IdentityMap();
  for (const other of kind.refersTo) for (const [key, b] of state.bindings(other)) identities.bind(other, key, b.id);
  const configuration = kind.toBody(toIds(kind, spec, identities), identities, 'create');
  const globals = opts.eventFile ? readEvent(resolve(opts.cwd, opts.eventFile)) : sampleGlobals(resolved.spec, opts.target);
  const invocation = await invoke(opts.client, { base: kind.apiPath, bucket: kind.rateBucket }, id, {
    configuration,
    globals,
    mock_async_functions: true,
  });
  return { kind: kind.kind, key: file.key, id, invocation };
}

/** `--event` holds either globals (`{event: {...}, person?: ...}`) or a bare event. */
function readEvent(path: string): JsonObject {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new FileError(path, `cannot read the event as JSON (${(error as Error).message})`);
  }
  if (!isObject(doc)) throw new FileError(path, 'the event must be a JSON object');
  return isObject(doc.event) ? doc : { event: doc };
}

/** A realistic event, of the first kind the function's filters listen to. */
function sampleGlobals(spec: JsonObject, target: Target): JsonObject {
  const filters = isObject(spec.filters) ? spec.filters : {};
  const first = Array.isArray(filters.events) && isObject(filters.events[0]) ? filters.events[0].id : undefined;
  const event = typeof first === 'string' ? first : '$pageview';
  const uuid = randomUUID();
  return {
    event: {
      uuid,
      event,
      distinct_id: 'hogsync-test-user',
      timestamp: new Date().toISOString(),
      url: `${target.host}/project/${target.project}/events/${uuid}`,
      elements_chain: '',
      properties: {
        $current_url: 'https://example.com/pricing?utm_source=newsletter&ref=hogsync',
        $referrer: 'https://www.google.com/',
        $browser: 'Chrome',
        $os: 'Mac OS X',
        $ip: '89.160.20.129',
        $geoip_country_code: 'NL',
        $geoip_city_name: 'Amsterdam',
        plan: 'enterprise',
      },
    },
    person: {
      id: 'a3d1b2c4-0000-4000-8000-000000000001',
      name: 'Test User',
      url: `${target.host}/project/${target.project}/person/hogsync-test-user`,
      properties: { email: 'test.user@example.com', name: 'Test User', plan: 'enterprise' },
    },
    groups: {},
  };
}

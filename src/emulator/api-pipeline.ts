// One /api request, in the order PostHog handles it: URL resolution, (injected faults), DRF's
// authentication → permissions → throttles, the view, then (injected after-commit faults).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, checkPermission, findPresentedKey, type ApiKey } from './auth.js';
import type { ApiRequest, ApiResponse } from './context.js';
import {
  AfterWrites,
  ApiError,
  notFound,
  permissionDenied,
  serverErrorBody,
  throttled,
  validationEnvelope,
  ValidationFailure,
} from './errors.js';
import { echoedError, endlessPage, HOP_PARAM, malformedAnswer, malformedInsteadOfWrite, redirectLocation } from './fault-answers.js';
import { faultResponse, type FaultDice } from './faults.js';
import { parseBody, send, type Outgoing } from './http-io.js';
import type { RequestLog } from './request-log.js';
import { matchRoute, type Method, type Route } from './router.js';
import type { EmulatorStore } from './store.js';
import type { Throttler } from './throttle.js';
import type { RequestLogEntry } from './types.js';
import { organisationUsers } from './users.js';

export interface PipelineDeps {
  store: EmulatorStore;
  keys: ApiKey[];
  throttler: Throttler;
  dice: FaultDice;
  requestLog: RequestLog;
  routes: Route[];
  onCommit(): void;
  log(line: string): void;
  /** The current tie-order stream (replaced when the order seed changes). */
  random(): number;
}

const WRITE_METHODS = ['POST', 'PATCH', 'PUT', 'DELETE'];

/** A malformed %-escape in a path segment is just an id that matches nothing. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The request's query for the log, with a key passed as `?personal_api_key=` blanked out. */
function loggedQuery(url: URL): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of url.searchParams) q[k] = k === 'personal_api_key' ? '[redacted]' : v;
  return q;
}

function resolveProjectId(ref: string, key: ApiKey, store: EmulatorStore): number | undefined {
  if (ref === '@current') return key.projects?.[0] ?? Math.min(...store.projects.keys());
  return /^\d+$/.test(ref) ? Number(ref) : undefined;
}

function toOutgoing(e: unknown, log: (line: string) => void): Outgoing {
  if (e instanceof ApiError) return { status: e.status, body: e.body, headers: e.headers };
  if (e instanceof ValidationFailure) return { status: 400, body: validationEnvelope(e) };
  // A bug in the emulator: answer like Django does, never with a stack trace.
  log(`emulator error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return { status: 500, body: serverErrorBody() };
}

export async function handleApi(deps: PipelineDeps, req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): Promise<void> {
  const started = Date.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const dice = deps.dice;
  const redirect = dice.redirectFor(method, url.pathname);
  const location = redirect ? redirectLocation(redirect, url) : undefined;
  url.searchParams.delete(HOP_PARAM);
  const entry: Omit<RequestLogEntry, 'seq'> = {
    method,
    path: url.pathname,
    query: loggedQuery(url),
    status: 0,
    bucket: null,
    key: null,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    committed: false,
  };
  const finish = (answer: Outgoing | null) => {
    if (answer) {
      let out = answer;
      if (dice.echoErrors && out.status >= 400) {
        out = echoedError(out, raw);
        if (out !== answer) entry.fault = 'echo_error';
      }
      if (dice.padBytes > 0) entry.fault = 'padded';
      send(res, out, dice.padBytes);
    }
    entry.durationMs = Date.now() - started;
    deps.requestLog.record(entry);
    deps.log(`${method} ${url.pathname}${url.search ? '?…' : ''} ${answer ? entry.status : 'reset'} ${entry.durationMs}ms`);
  };
  const faulty = (fault: NonNullable<RequestLogEntry['fault']>, out: Outgoing) => {
    entry.status = out.status;
    entry.fault = fault;
    finish(out);
  };

  const latency = dice.latencyMs();
  if (latency > 0) await sleep(latency);
  // A redirect comes from whatever sits in front of PostHog: nothing behind it sees the request.
  if (redirect && location) return faulty('redirect', { status: redirect.status, body: null, headers: { Location: location } });
  const failStatus = dice.failBefore();
  if (failStatus !== undefined) {
    const f = faultResponse(failStatus);
    return faulty('fail', { status: failStatus, body: f.body, contentType: f.contentType, headers: f.headers });
  }
  const isWrite = WRITE_METHODS.includes(method);
  const garbledWrite = isWrite ? dice.malformed(method, url.pathname, 'before') : undefined;
  if (garbledWrite) return faulty('malformed', malformedInsteadOfWrite(garbledWrite, method, raw));

  let result: ApiResponse;
  try {
    result = await dispatch(deps, req, url, raw, method, entry);
  } catch (e) {
    const out = toOutgoing(e instanceof AfterWrites ? e.failure : e, deps.log);
    entry.status = out.status;
    if (e instanceof AfterWrites) {
      entry.committed = true;
      entry.committedAt = new Date().toISOString();
      deps.onCommit();
    }
    return finish(out);
  }
  // Per-row latency models PostHog's serialisation time, so the emulator's own work
  // (including turning the answer into bytes) counts toward it.
  const itemLatency = dice.itemLatencyMs(result.itemCount ?? itemCount(result.body), result.lightRows === true);
  if (itemLatency > 0) {
    if (result.body !== null && typeof result.body === 'object' && !Buffer.isBuffer(result.body)) {
      result = { ...result, body: Buffer.from(JSON.stringify(result.body)), contentType: result.contentType ?? 'application/json' };
    }
    const owed = started + latency + itemLatency - Date.now();
    if (owed > 0) await sleep(owed);
  }
  entry.status = result.status;
  entry.committed = Boolean(result.committed);
  if (entry.committed) {
    entry.committedAt = new Date().toISOString();
    deps.onCommit();
  }
  let out: Outgoing = { status: result.status, body: result.body, ...(result.contentType ? { contentType: result.contentType } : {}) };
  if (!isWrite && result.status < 300) {
    const garbled = dice.malformed(method, url.pathname, 'read');
    if (garbled) return faulty('malformed', malformedAnswer(garbled, out));
    const endless = dice.endlessLists;
    const page = endless ? endlessPage(endless, url, out) : out;
    if (page !== out) return faulty('endless_list', page);
  }
  if (entry.committed && isWrite && result.status < 300) {
    const fault = dice.afterCommit();
    if (fault === 'reset') {
      entry.status = 0;
      entry.fault = 'reset_after_commit';
      req.socket.destroy();
      return finish(null);
    }
    if (fault === 'error') {
      const f = faultResponse(504);
      return faulty('error_after_commit', { status: 504, body: f.body, contentType: f.contentType });
    }
    const garbled = dice.malformed(method, url.pathname, 'committed');
    if (garbled) out = malformedAnswer(garbled, out);
    if (garbled) entry.fault = 'malformed_after_commit';
  }
  finish(out);
}

/** Rows in an answer: a list envelope's results, a bare array, or one object. */
function itemCount(body: unknown): number {
  if (Array.isArray(body)) return body.length;
  if (body && typeof body === 'object') {
    const results = (body as { results?: unknown }).results;
    return Array.isArray(results) ? results.length : 1;
  }
  return 0;
}

/** DRF SimpleMetadata for OPTIONS. */
function metadata(route: Route): () => ApiResponse {
  const words = (route.path.split('/')[0] || 'project').split('_').map((w) => w[0]?.toUpperCase() + w.slice(1));
  const name = `${words.join(' ')} ${route.path.includes(':') ? 'Instance' : 'List'}`;
  return () => ({
    status: 200,
    body: {
      name,
      description: '',
      renders: ['application/json'],
      parses: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
    },
  });
}

async function dispatch(
  deps: PipelineDeps,
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
  method: string,
  entry: Omit<RequestLogEntry, 'seq'>,
): Promise<ApiResponse> {
  const m = /^\/api\/(projects|environments)\/([^/]+)(\/.*)?$/.exec(url.pathname);
  if (!m) throw notFound();
  let rest = (m[3] ?? '').replace(/^\//, '');
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  const match = matchRoute(deps.routes, rest === '' ? [] : rest.split('/'));
  if (!match || (match.route.projectsOnly && m[1] === 'environments')) throw notFound();
  entry.bucket = match.route.bucket;

  const parsed = parseBody(raw, req.headers['content-type']);
  const presented = findPresentedKey(req.headers.authorization, parsed.ok ? parsed.value : undefined, url.searchParams);
  // A revoked key is one PersonalAPIKeyAuthentication no longer finds: the same 401 as an unknown key.
  const key = authenticate(deps.dice.keyRevoked(method, url.pathname) ? [] : deps.keys, presented);
  entry.key = key.fingerprint;

  const effective = (method === 'HEAD' ? 'GET' : method) as Method;
  // OPTIONS is DRF's metadata view: it needs the read scope, like `list`.
  const action =
    method === 'OPTIONS' ? { action: 'metadata', write: false, handler: metadata(match.route) } : match.route.methods[effective];
  // A method the viewset has no action for has no scope either: APIScopePermission refuses it.
  if (!action) throw permissionDenied('This action does not support Personal API Key access');

  const projectId = resolveProjectId(decode(m[2] as string), key, deps.store);
  const project = projectId === undefined ? undefined : deps.store.project(projectId);
  checkPermission(key, match.route.scope, action.write, projectId ?? -1, project !== undefined);
  if (!project) throw notFound('Project not found.');

  const wait = deps.throttler.check(key.fingerprint, match.route.bucket);
  if (wait) throw throttled(wait.wait);

  const apiReq: ApiRequest = {
    method: effective,
    url,
    params: Object.fromEntries(Object.entries(match.params).map(([k, v]) => [k, decode(v)])),
    body: () => {
      if (!parsed.ok) throw parsed.error;
      return parsed.value;
    },
    project,
    userId: key.userId,
    users: organisationUsers(deps.keys.map((k) => k.userId)),
    store: deps.store,
    random: () => deps.random(),
  };
  // A write held up somewhere before the database: the client may give up meanwhile, and the
  // write still lands (Django finishes a view whether or not anyone waits for its answer).
  if (action.write && deps.dice.commitDelayMs > 0) {
    entry.fault = 'delayed_commit';
    await sleep(deps.dice.commitDelayMs);
  }
  return action.handler(apiReq);
}

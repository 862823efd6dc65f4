import type { Json, JsonObject } from './json.js';

/**
 * One DRF validation error: where it is (`['inputs', 'url']`), its message and DRF code.
 * Kept structured so it can be rendered either in PostHog's envelope (`attr: "inputs__url"`)
 * or as raw DRF errors (the hog-function `invocations` action returns those).
 */
export interface FieldError {
  path: Array<string | number>;
  detail: string;
  code: string;
}

/** Thrown by validators; carries DRF's errors in field order, the first one is reported. */
export class ValidationFailure extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors[0]?.detail ?? 'Invalid input.');
  }
}

export function fail(path: Array<string | number>, detail: string, code = 'invalid'): never {
  throw new ValidationFailure([{ path, detail, code }]);
}

/** Re-roots errors raised by a nested validator under a parent path (`configuration`, `inputs`). */
export function nestErrors<T>(prefix: Array<string | number>, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof ValidationFailure) {
      throw new ValidationFailure(e.errors.map((x) => ({ ...x, path: [...prefix, ...x.path] })));
    }
    throw e;
  }
}

/**
 * A failure raised after some of the request's writes took effect: PostHog's views run in
 * autocommit (no ATOMIC_REQUESTS), so those writes stay although the answer is an error.
 */
export class AfterWrites extends Error {
  constructor(readonly failure: unknown) {
    super(failure instanceof Error ? failure.message : String(failure));
  }
}

export type ErrorBody = JsonObject | Json[] | Buffer | null;

/** A finished HTTP answer raised from anywhere in a handler. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export function envelope(type: string, code: string, detail: string, attr: string | null = null): JsonObject {
  return { type, code, detail, attr };
}

/** drf-exceptions-hog: first error only, path joined with `__`, `invalid` renamed `invalid_input`. */
export function validationEnvelope(failure: ValidationFailure): JsonObject {
  const first = failure.errors[0] ?? { path: [], detail: 'Invalid input.', code: 'invalid' };
  const joined = first.path.map(String).join('__');
  const attr = joined === '' || joined === 'non_field_errors' || joined === '__all__' ? null : joined;
  const code = first.code === 'invalid' ? 'invalid_input' : first.code;
  return envelope('validation_error', code, first.detail, attr);
}

/** DRF's `serializer.errors`: nested dicts keyed by field, leaves are lists of messages. */
export function rawErrors(failure: ValidationFailure): JsonObject {
  const root: JsonObject = {};
  for (const err of failure.errors) {
    const path = err.path.length ? err.path.map(String) : ['non_field_errors'];
    let node: JsonObject = root;
    for (const seg of path.slice(0, -1)) {
      const next = node[seg];
      if (next && typeof next === 'object' && !Array.isArray(next)) node = next;
      else {
        const created: JsonObject = {};
        node[seg] = created;
        node = created;
      }
    }
    const leaf = path[path.length - 1] as string;
    const existing = node[leaf];
    if (Array.isArray(existing)) existing.push(err.detail);
    else node[leaf] = [err.detail];
  }
  return root;
}

export const notFound = (detail = 'Not found.') => new ApiError(404, envelope('invalid_request', 'not_found', detail));

export const parseError = (detail: string) => new ApiError(400, envelope('invalid_request', 'parse_error', detail));

export const permissionDenied = (detail: string) => new ApiError(403, envelope('authentication_error', 'permission_denied', detail));

export const authenticationFailed = (detail: string) =>
  new ApiError(401, envelope('authentication_error', 'authentication_failed', detail));

export const notAuthenticated = () =>
  new ApiError(401, envelope('authentication_error', 'not_authenticated', 'Authentication credentials were not provided.'));

export const serverErrorBody = () => envelope('server_error', 'error', 'A server error occurred.');

/** DRF `Throttled(wait)`: the wait is rounded up and also sent as `Retry-After`. */
export function throttled(waitSeconds: number | null): ApiError {
  if (waitSeconds === null) {
    return new ApiError(429, envelope('throttled_error', 'throttled', 'Request was throttled.'));
  }
  const wait = Math.ceil(waitSeconds);
  const unit = wait === 1 ? 'second' : 'seconds';
  return new ApiError(429, envelope('throttled_error', 'throttled', `Request was throttled. Expected available in ${wait} ${unit}.`), {
    'Retry-After': String(wait),
  });
}

// Personal API key authentication and scope checks (posthog/auth.py, posthog/permissions.py).
import { createHash } from 'node:crypto';
import { authenticationFailed, notAuthenticated, notFound, permissionDenied } from './errors.js';
import { isObject } from './json.js';
import type { ApiKeyConfig } from './types.js';

export const DEV_API_KEY = 'phx_fake_hogsync_dev_key';

export type ScopeObject = 'insight' | 'insight_variable' | 'hog_function' | 'project' | 'dashboard' | 'action' | 'cohort' | 'alert';

export interface ApiKey {
  key: string;
  scopes: string[];
  /** Projects the key is limited to; undefined = every project. */
  projects?: number[];
  /** The user the key belongs to (1-based). */
  userId: number;
  fingerprint: string;
}

function fingerprint(key: string): string {
  return `key_${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

export function buildKeyRing(configs: ApiKeyConfig[] | undefined): ApiKey[] {
  const list = configs?.length ? configs : [{ key: DEV_API_KEY, scopes: ['*'] }];
  return list.map((c, i) => ({
    key: c.key,
    scopes: [...c.scopes],
    ...(c.projects ? { projects: [...c.projects] } : {}),
    userId: i + 1,
    fingerprint: fingerprint(c.key),
  }));
}

export interface PresentedKey {
  value: string;
  source: 'Authorization header' | 'body' | 'query string';
}

/** `find_key_with_source`: the header first, then the JSON body, then the query string. */
export function findPresentedKey(authorization: string | undefined, body: unknown, query: URLSearchParams): PresentedKey | null {
  if (authorization) {
    const m = /^Bearer\s+(\S.*)$/.exec(authorization);
    if (m) return { value: (m[1] as string).trim(), source: 'Authorization header' };
  }
  if (isObject(body) && typeof body.personal_api_key === 'string') return { value: body.personal_api_key, source: 'body' };
  const q = query.get('personal_api_key');
  if (q !== null) return { value: q, source: 'query string' };
  return null;
}

export function authenticate(ring: ApiKey[], presented: PresentedKey | null): ApiKey {
  if (!presented) throw notAuthenticated();
  const key = ring.find((k) => k.key === presented.value);
  if (!key) throw authenticationFailed(`Personal API key found in request ${presented.source} is invalid.`);
  return key;
}

/**
 * `APIScopePermission.has_permission` order: project scoping of the key first (an unknown project
 * is a 404 there), then the scope; `:write` satisfies `:read`, `*` satisfies everything.
 */
export function checkPermission(key: ApiKey, scope: ScopeObject, write: boolean, projectId: number, projectExists: boolean): void {
  if (key.projects) {
    if (!projectExists) throw notFound('Project not found.');
    if (!key.projects.includes(projectId)) {
      throw permissionDenied(`API key does not have access to the requested project: ID ${projectId}.`);
    }
  }
  if (key.scopes.includes('*')) return;
  const required = `${scope}:${write ? 'write' : 'read'}`;
  const valid = write ? [required] : [required, `${scope}:write`];
  if (!valid.some((s) => key.scopes.includes(s))) {
    throw permissionDenied(`API key missing required scope '${required}'`);
  }
}

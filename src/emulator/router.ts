// The PostHog route table: project-relative paths, the scope object and throttle bucket of each
// viewset, and per method the DRF action (which decides read vs write scope).
import type { ScopeObject } from './auth.js';
import type { ApiRequest, ApiResponse } from './context.js';
import type { Bucket } from './throttle.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface RouteAction {
  action: string;
  write: boolean;
  handler: (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;
}

export interface Route {
  /** Relative to `/api/projects/{id}/`, e.g. `insights/:id`; '' is the project itself. */
  path: string;
  scope: ScopeObject;
  bucket: Bucket;
  methods: Partial<Record<Method, RouteAction>>;
  /**
   * Registered with `routers.projects` only (hog-function templates, actions, cohorts): under
   * `/api/environments/:id/` the URL resolves to nothing.
   */
  projectsOnly?: boolean;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** First route whose segments match; literal routes must come before `:param` ones. */
export function matchRoute(routes: Route[], segments: string[]): RouteMatch | undefined {
  for (const route of routes) {
    const pattern = route.path === '' ? [] : route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    pattern.forEach((p, i) => {
      const seg = segments[i] as string;
      if (p.startsWith(':')) {
        if (seg === '') ok = false;
        else params[p.slice(1)] = seg;
      } else if (p !== seg) ok = false;
    });
    if (ok) return { route, params };
  }
  return undefined;
}

// Which redirects hogsync follows: same-origin ones for GET, a few hops at most. Anything else
// stops the request, because following it would send the key to another server or re-send a write.

export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;

export type RedirectDecision =
  | { follow: true; url: string }
  | { follow: false; location: string; why: 'cross_origin' | 'write' | 'too_many' | 'no_location' };

export function decideRedirect(method: string, from: string, locationHeader: string | null, hopsSoFar: number): RedirectDecision {
  if (!locationHeader) return { follow: false, location: '', why: 'no_location' };
  let target: URL;
  try {
    target = new URL(locationHeader, from);
  } catch {
    return { follow: false, location: locationHeader, why: 'no_location' };
  }
  const location = target.toString();
  if (target.origin !== new URL(from).origin) return { follow: false, location, why: 'cross_origin' };
  if (method !== 'GET') return { follow: false, location, why: 'write' };
  if (hopsSoFar >= MAX_REDIRECTS) return { follow: false, location, why: 'too_many' };
  return { follow: true, url: location };
}

/**
 * The --host a user should try after a redirect to another origin: the target with the
 * request's API path taken off (`https://eu.posthog.com/api/projects/1/insights/` → `https://eu.posthog.com`).
 */
function suggestedHost(location: string, apiPath: string): string {
  const target = new URL(location);
  const path = target.pathname;
  const prefix = path.endsWith(apiPath) ? path.slice(0, path.length - apiPath.length) : '';
  return `${target.origin}${prefix}`.replace(/\/+$/, '');
}

/**
 * One sentence for RedirectError. The Location is server text: it goes through `redact` (after the
 * suggested host is worked out from it, since a redacted URL may no longer parse).
 */
export function describeRedirect(
  method: string,
  path: string,
  status: number,
  why: Exclude<RedirectDecision, { follow: true }>['why'],
  rawLocation: string,
  apiPath: string,
  redact: (text: string) => string,
): string {
  const location = redact(rawLocation);
  switch (why) {
    case 'cross_origin':
      return `PostHog redirected ${method} ${path} to ${location} (${status}), another origin that hogsync does not follow with your key: set --host to ${redact(suggestedHost(rawLocation, apiPath))} if that is where your PostHog is.`;
    case 'write':
      return `PostHog answered ${method} ${path} with a redirect (${status}) to ${location}; hogsync never re-sends a write: set --host to the address PostHog redirects to.`;
    case 'too_many':
      return `PostHog redirected ${method} ${path} more than ${MAX_REDIRECTS} times (last to ${location}): check --host.`;
    case 'no_location':
      return `PostHog answered ${method} ${path} with a redirect (${status}) but no usable Location: check --host.`;
  }
}

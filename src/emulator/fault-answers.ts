// The bodies of hostile answers: what a misconfigured proxy, a captive portal or a buggy server
// sends instead of PostHog's JSON. Each function takes the answer that would have gone out.
import type { Outgoing } from './http-io.js';
import { isObject, type Json } from './json.js';
import type { EndlessListFault, MalformedKind, RedirectFault } from './types.js';

export const HOP_PARAM = '_emulator_hop';

/** The Location of a redirect fault, or undefined when this request has been redirected enough. */
export function redirectLocation(fault: RedirectFault, url: URL): string | undefined {
  const hop = Number(url.searchParams.get(HOP_PARAM) ?? '0');
  if (hop >= (fault.hops ?? 1)) return undefined;
  const target = new URL(`${url.pathname}${url.search}`, fault.to ?? url.origin);
  target.searchParams.set(HOP_PARAM, String(hop + 1));
  return target.toString();
}

function textOf(out: Outgoing): string {
  if (out.body === null) return '';
  if (Buffer.isBuffer(out.body)) return out.body.toString('utf8');
  if (typeof out.body === 'string' && out.contentType) return out.body;
  return JSON.stringify(out.body);
}

function jsonOf(out: Outgoing): Json | undefined {
  try {
    const text = textOf(out);
    return text ? (JSON.parse(text) as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** A sign-in or maintenance page served with 200, as a proxy in front of PostHog might. */
const HTML_PAGE =
  '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Sign in · Corporate Proxy</title></head>\n' +
  '<body><h1>Please sign in to continue</h1><form method="post" action="/login"><input name="user"></form></body>\n</html>\n';

/** A web server's own 404 page, as a proxy in front of PostHog serves it for a path it does not pass on. */
const NOT_FOUND_PAGE =
  '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n</body>\r\n</html>\r\n';

/** `base` garbled as `kind`. A `null_results`/`null_row`/`no_id` fault on an answer without that field leaves it as it is. */
export function malformedAnswer(kind: MalformedKind, base: Outgoing): Outgoing {
  const status = base.status;
  if (kind === 'html') return { status, body: HTML_PAGE, contentType: 'text/html; charset=utf-8' };
  if (kind === 'misrouted') {
    // Its lists look empty (a stub or a cached empty answer); anything else meets its 404 page.
    const list = jsonOf(base);
    if (isObject(list) && Array.isArray(list.results)) return { status: 200, body: { count: 0, next: null, previous: null, results: [] } };
    return { status: 404, body: NOT_FOUND_PAGE, contentType: 'text/html' };
  }
  const text = textOf(base) || '{}';
  // Trailing garbage after a complete value: a syntax error at the very end.
  if (kind === 'invalid_json') return { status, body: `${text},}`, contentType: 'application/json' };
  if (kind === 'truncated')
    return { status, body: text.slice(0, Math.max(1, Math.floor(text.length / 2))), contentType: 'application/json' };
  const value = jsonOf(base);
  if (!isObject(value)) return base;
  if (kind === 'null_results' && 'results' in value) return { status, body: { ...value, results: null } };
  if (kind === 'null_row' && Array.isArray(value.results)) return { status, body: { ...value, results: [null, ...value.results] } };
  if (kind === 'no_id' && 'id' in value) {
    const rest = { ...value };
    delete rest.id;
    return { status, body: rest };
  }
  return base;
}

/** What a write that never ran is answered with: its own body, garbled (201 for a create). */
export function malformedInsteadOfWrite(kind: MalformedKind, method: string, raw: Buffer): Outgoing {
  const echoed: Outgoing = {
    status: method === 'POST' ? 201 : 200,
    body: raw.length ? raw : Buffer.from('{}'),
    contentType: 'application/json',
  };
  return malformedAnswer(kind, echoed);
}

/** A list page whose `next` never runs out and/or whose `count` is inflated; other answers pass. */
export function endlessPage(fault: EndlessListFault, url: URL, out: Outgoing): Outgoing {
  const page = jsonOf(out);
  if (!isObject(page) || !Array.isArray(page.results) || !('next' in page) || typeof page.count !== 'number') return out;
  const changed = { ...page };
  if (fault.count !== undefined) changed.count = fault.count;
  if (fault.next === 'repeat') changed.next = url.toString();
  if (fault.next === 'increasing') changed.next = followingPage(url, page.results.length);
  return { status: out.status, body: changed };
}

function followingPage(url: URL, served: number): string {
  const next = new URL(url);
  const p = url.searchParams;
  if (p.has('page')) {
    next.searchParams.set('page', String(Number(p.get('page') ?? '1') + 1));
  } else {
    const limit = Number(p.get('limit') ?? '') || served || 100;
    next.searchParams.set('offset', String(Number(p.get('offset') ?? '0') + limit));
  }
  return next.toString();
}

/** An error answer whose `detail` is the request body, verbatim. Bodies that are not JSON objects pass. */
export function echoedError(out: Outgoing, raw: Buffer): Outgoing {
  if (out.status < 400 || raw.length === 0) return out;
  const body = jsonOf(out);
  if (!isObject(body)) return out;
  return { ...out, body: { ...body, detail: raw.toString('utf8') }, contentType: 'application/json' };
}

import { DEV_API_KEY, startEmulator, type Emulator, type EmulatorOptions, type SeedDoc } from '../../src/emulator/index.js';

export { DEV_API_KEY };

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: responses are arbitrary JSON, and each test narrows them with expect().
  body: any;
  text: string;
  headers: Headers;
}

/** An emulator with rate limits off unless the test turns them on. */
export function start(opts: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ rateLimits: { enabled: false }, ...opts });
}

export interface CallOptions {
  key?: string | null;
  headers?: Record<string, string>;
  /** Sent as is (for malformed JSON tests). */
  rawBody?: string;
}

export async function call(emu: Emulator, method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const key = opts.key === undefined ? DEV_API_KEY : opts.key;
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  let payload: string | undefined;
  if (opts.rawBody !== undefined) payload = opts.rawBody;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['Content-Type'] ??= 'application/json';
  const res = await fetch(`${emu.url}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** Shorthands for project 1. */
export function project(emu: Emulator, id: number | string = 1, opts: CallOptions = {}) {
  const base = `/api/projects/${id}/`;
  return {
    get: (p: string, o: CallOptions = {}) => call(emu, 'GET', base + p, undefined, { ...opts, ...o }),
    post: (p: string, b: unknown, o: CallOptions = {}) => call(emu, 'POST', base + p, b, { ...opts, ...o }),
    patch: (p: string, b: unknown, o: CallOptions = {}) => call(emu, 'PATCH', base + p, b, { ...opts, ...o }),
    put: (p: string, b: unknown, o: CallOptions = {}) => call(emu, 'PUT', base + p, b, { ...opts, ...o }),
    del: (p: string, o: CallOptions = {}) => call(emu, 'DELETE', base + p, undefined, { ...opts, ...o }),
  };
}

export const EMPTY: SeedDoc = {
  projects: [
    { id: 1, name: 'Test' },
    { id: 2, name: 'Other' },
  ],
};

export const trendsQuery = (event = '$pageview') => ({
  kind: 'InsightVizNode',
  source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event, name: event }] },
});

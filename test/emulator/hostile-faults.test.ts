// The hostile-server faults: redirects, malformed 2xx answers, endless lists, echoing errors,
// delayed commits and huge answers. Each is off by default and set with setFaults()/the control API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator, Faults } from '../../src/emulator/index.js';
import { call, DEV_API_KEY, start, trendsQuery } from './helpers.js';

const OFF: Partial<Faults> = {
  redirect: null,
  malformed: null,
  endlessLists: null,
  revokedKey: null,
  echoErrors: false,
  commitDelayMs: 0,
  padMb: 0,
  failRate: 0,
  seed: 0,
};

let emu: Emulator;
beforeAll(async () => {
  emu = await start({
    seed: { projects: [{ id: 1, name: 'Test', insights: Array.from({ length: 7 }, (_, i) => ({ name: `I${i}`, query: trendsQuery() })) }] },
  });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.setFaults(OFF);
  emu.clearRequests();
});

const variables = () => emu.project(1)?.insightVariables ?? [];
const raw = (path: string, init: RequestInit = {}) =>
  fetch(`${emu.url}${path}`, {
    redirect: 'manual',
    ...init,
    headers: { Authorization: `Bearer ${DEV_API_KEY}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });

describe('redirect fault', () => {
  it('answers matching requests with the status and a Location on another origin, and serves nothing', async () => {
    emu.setFaults({ redirect: { status: 308, to: 'https://eu.posthog.example', methods: ['POST'] } });
    const r = await raw('/api/projects/1/insight_variables/', { method: 'POST', body: JSON.stringify({ name: 'Moved', type: 'String' }) });
    expect(r.status).toBe(308);
    expect(r.headers.get('location')).toBe('https://eu.posthog.example/api/projects/1/insight_variables/?_emulator_hop=1');
    expect(variables()).toHaveLength(0);
    // GET is not in the method list: served as usual.
    expect((await raw('/api/projects/1/insights/')).status).toBe(200);
    expect(emu.requests().map((e) => [e.method, e.status, e.fault])).toEqual([
      ['POST', 308, 'redirect'],
      ['GET', 200, undefined],
    ]);
  });

  it('redirects to the same origin `hops` times (a path filter picks the requests), then serves', async () => {
    emu.setFaults({ redirect: { status: 302, path: '/insights/$', hops: 2 } });
    const first = await raw('/api/projects/1/insights/?limit=2');
    expect(first.status).toBe(302);
    expect(new URL(first.headers.get('location') ?? '').origin).toBe(emu.url);
    const followed = await fetch(`${emu.url}/api/projects/1/insights/?limit=2`, { headers: { Authorization: `Bearer ${DEV_API_KEY}` } });
    expect(followed.status).toBe(200);
    expect(((await followed.json()) as { results: unknown[] }).results).toHaveLength(2);
    expect(emu.requests().map((e) => e.status)).toEqual([302, 302, 302, 200]);
    // The hop counter is the emulator's own: it never reaches the view or the log.
    expect(emu.requests().at(-1)?.query).toEqual({ limit: '2' });
    expect((await raw('/api/projects/1/insight_variables/')).status).toBe(200);
  });
});

describe('malformed fault', () => {
  it('serves a read and garbles its answer: html, invalid JSON, truncated JSON, results null', async () => {
    emu.setFaults({ malformed: { rate: 1, kind: 'html' } });
    const html = await raw('/api/projects/1/insights/');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<html');

    emu.setFaults({ malformed: { rate: 1, kind: 'invalid_json' } });
    const invalid = await (await raw('/api/projects/1/insights/')).text();
    expect(() => JSON.parse(invalid)).toThrow(SyntaxError);

    emu.setFaults({ malformed: { rate: 1, kind: 'truncated' } });
    const cut = await raw('/api/projects/1/insights/');
    const cutText = await cut.text();
    expect(Number(cut.headers.get('content-length'))).toBe(Buffer.byteLength(cutText));
    expect(() => JSON.parse(cutText)).toThrow(SyntaxError);

    emu.setFaults({ malformed: { rate: 1, kind: 'null_results' } });
    const page = (await (await raw('/api/projects/1/insights/')).json()) as { count: number; results: unknown };
    expect(page).toMatchObject({ count: 7, results: null });
    expect(emu.requests().every((e) => e.fault === 'malformed' && e.status === 200)).toBe(true);
  });

  it('answers a write it never ran with the write’s own body garbled (201, no id, nothing stored)', async () => {
    emu.setFaults({ malformed: { rate: 1, kind: 'no_id', methods: ['POST'] } });
    const r = await raw('/api/projects/1/insight_variables/', { method: 'POST', body: JSON.stringify({ name: 'Ghost', type: 'String' }) });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ name: 'Ghost', type: 'String' });
    expect(variables()).toHaveLength(0);
    expect(emu.requests()[0]).toMatchObject({ fault: 'malformed', committed: false });
  });

  it('with afterCommit, garbles only writes that committed: the resource exists although the answer is garbage', async () => {
    emu.setFaults({ malformed: { rate: 1, kind: 'no_id', afterCommit: true } });
    const r = await raw('/api/projects/1/insight_variables/', { method: 'POST', body: JSON.stringify({ name: 'Landed', type: 'String' }) });
    expect(r.status).toBe(201);
    const body = (await r.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ name: 'Landed', code_name: 'landed' });
    expect(body).not.toHaveProperty('id');
    expect(variables().map((v) => v.name)).toEqual(['Landed']);
    expect((await (await raw('/api/projects/1/insights/')).json()) as object).toHaveProperty('results');
    const bad = await raw('/api/projects/1/insight_variables/', { method: 'POST', body: JSON.stringify({ type: 'String' }) });
    expect(bad.status).toBe(400);
    expect(emu.requests().map((e) => [e.status, e.committed, e.fault])).toEqual([
      [201, true, 'malformed_after_commit'],
      [200, false, undefined],
      [400, false, undefined],
    ]);
    expect(emu.requests()[0]?.committedAt).toEqual(expect.any(String));
  });

  it('rolls the malformed dice per request, reproducibly with a seed', async () => {
    const run = async () => {
      emu.setFaults({ malformed: { rate: 0.5, kind: 'html' }, seed: 11 });
      const kinds: string[] = [];
      for (let i = 0; i < 12; i++) kinds.push((await raw('/api/projects/1/insights/')).headers.get('content-type') ?? '');
      return kinds;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(new Set(a.map((t) => t.split(';')[0]))).toEqual(new Set(['application/json', 'text/html']));
  });
});

describe('endless lists fault', () => {
  it('repeat: every page links to itself', async () => {
    emu.setFaults({ endlessLists: { next: 'repeat' } });
    const page = (await (await raw('/api/projects/1/insights/?limit=5&offset=5')).json()) as { next: string; results: unknown[] };
    expect(page.results).toHaveLength(2);
    expect(new URL(page.next).searchParams.get('offset')).toBe('5');
    expect(emu.requests()[0]?.fault).toBe('endless_list');
  });

  it('increasing: pages past the end are empty but still link onwards; count can be inflated', async () => {
    emu.setFaults({ endlessLists: { next: 'increasing', count: 1e9 } });
    const past = (await (await raw('/api/projects/1/insights/?limit=5&offset=50')).json()) as {
      count: number;
      next: string;
      results: unknown[];
    };
    expect(past.results).toEqual([]);
    expect(past.count).toBe(1e9);
    expect(new URL(past.next).searchParams.get('offset')).toBe('55');
    const vars = (await (await raw('/api/projects/1/insight_variables/?page=1')).json()) as { count: number; next: string };
    expect(vars.count).toBe(1e9);
    expect(new URL(vars.next).searchParams.get('page')).toBe('2');
    // Not a list: left alone.
    const one = (await (await raw('/api/projects/1/insights/1/')).json()) as object;
    expect(one).not.toHaveProperty('next');
  });
});

describe('echoing errors fault', () => {
  it('puts the request body verbatim into the detail of error answers, and leaves successes alone', async () => {
    emu.setFaults({ echoErrors: true });
    const body = JSON.stringify({ type: 'String', note: 'token=sk_fake_echoed_secret_123' });
    const bad = await raw('/api/projects/1/insight_variables/', { method: 'POST', body });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string; attr: string }).detail).toBe(body);
    emu.setFaults({ failRate: 1, failStatus: 503 });
    const unavailable = await raw('/api/projects/1/insight_variables/', { method: 'PATCH', body });
    expect(unavailable.status).toBe(503);
    expect(((await unavailable.json()) as { detail: string }).detail).toBe(body);
    emu.setFaults({ failRate: 0 });
    const ok = await raw('/api/projects/1/insight_variables/', { method: 'POST', body: JSON.stringify({ name: 'Fine', type: 'String' }) });
    expect(JSON.stringify(await ok.json())).not.toContain('sk_fake');
    expect(emu.requests().map((e) => e.fault)).toEqual(['echo_error', 'echo_error', undefined]);
  });
});

describe('delayed commit fault', () => {
  it('holds a write before it runs; a client that gives up meanwhile still gets the write, and the log says when it landed', async () => {
    emu.setFaults({ commitDelayMs: 400 });
    const t0 = Date.now();
    const gaveUp = await raw('/api/projects/1/insight_variables/', {
      method: 'POST',
      body: JSON.stringify({ name: 'Late', type: 'String' }),
      signal: AbortSignal.timeout(100),
    }).catch((e: Error) => e);
    expect(gaveUp).toBeInstanceOf(Error);
    expect(variables()).toHaveLength(0);
    for (let i = 0; i < 50 && emu.requests().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    const [entry] = emu.requests();
    expect(entry).toMatchObject({ method: 'POST', status: 201, committed: true, fault: 'delayed_commit' });
    expect(Date.parse(entry?.committedAt ?? '') - Date.parse(entry?.startedAt ?? '')).toBeGreaterThanOrEqual(390);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(variables().map((v) => v.name)).toEqual(['Late']);
    // Reads are not held.
    const r0 = Date.now();
    await raw('/api/projects/1/insights/');
    expect(Date.now() - r0).toBeLessThan(300);
  });
});

describe('huge answers fault', () => {
  it('pads every answer with whitespace to padMb, still valid JSON, streamed so a client can hang up', async () => {
    emu.setFaults({ padMb: 3 });
    const r = await raw('/api/projects/1/insights/?limit=1');
    expect(Number(r.headers.get('content-length'))).toBe(3 * 1024 * 1024);
    const text = await r.text();
    expect(text.length).toBe(3 * 1024 * 1024);
    expect((JSON.parse(text) as { count: number }).count).toBe(7);
    emu.setFaults({ padMb: 500 });
    const huge = await raw('/api/projects/1/insights/');
    const reader = huge.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    emu.setFaults({ padMb: 0 });
    expect((await raw('/api/projects/1/insights/')).status).toBe(200);
    expect(emu.requests()[0]?.fault).toBe('padded');
  });
});

describe('revoked-key fault', () => {
  // posthog/auth.py PersonalAPIKeyAuthentication: a deleted key is not found, like a wrong one.
  it('lets `after` matching requests through, then answers them 401 as for an unknown key', async () => {
    emu.setFaults({ revokedKey: { after: 1, methods: ['POST'] } });
    const create = () =>
      raw('/api/projects/1/insight_variables/', {
        method: 'POST',
        body: JSON.stringify({ name: `V${variables().length}`, type: 'String' }),
      });
    expect((await create()).status).toBe(201);
    const refused = await create();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      type: 'authentication_error',
      code: 'authentication_failed',
      detail: 'Personal API key found in request Authorization header is invalid.',
      attr: null,
    });
    expect(variables()).toHaveLength(1);
    // Reads are not in the method list.
    expect((await raw('/api/projects/1/insights/')).status).toBe(200);
    expect(() => emu.setFaults({ revokedKey: { after: -1 } })).toThrow(/revokedKey.after/);
  });
});

describe('hostile faults through the control API', () => {
  it('reads and sets them with GET/PUT /_emulator/faults, refusing settings that cannot work', async () => {
    const put = (body: unknown) => call(emu, 'PUT', '/_emulator/faults', body);
    const set = await put({
      redirect: { status: 301, to: 'https://eu.posthog.example' },
      malformed: { rate: 0.25, kind: 'truncated' },
      echoErrors: true,
      padMb: 1,
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ redirect: { status: 301 }, malformed: { kind: 'truncated' }, echoErrors: true, padMb: 1 });
    expect((await call(emu, 'GET', '/_emulator/faults')).body.malformed.rate).toBe(0.25);
    for (const bad of [
      { redirect: { status: 200 } },
      { redirect: { status: 301, path: '(' } },
      { malformed: { rate: 1, kind: 'garbage' } },
      { malformed: { rate: 2, kind: 'html' } },
      { endlessLists: { next: 'sideways' } },
      { echoErrors: 'yes' },
      { commitDelayMs: -1 },
    ]) {
      const r = await put(bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await put({ redirect: null, malformed: null, echoErrors: false, padMb: 0 })).status).toBe(200);
    expect(() => emu.setFaults({ malformed: { rate: 1, kind: 'nonsense' as 'html' } })).toThrow(/malformed.kind/);
  });
});

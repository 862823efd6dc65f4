import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/config/client.js';
import { resolveTarget, resolveWorkspace } from '../../src/config/target.js';
import type { Emulator } from '../../src/emulator/index.js';
import { AmbiguousWriteError, ConfigError, NetworkError, PostHogApiError } from '../../src/errors.js';
import { PostHogClient } from '../../src/posthog/client.js';
import { testEmulator, TEST_KEY } from '../helpers/e2e.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await testEmulator({ seed: { projects: [{ id: 1, name: 'Client tests' }] } });
});
afterAll(async () => emu.close());

function client(extra: Partial<ConstructorParameters<typeof PostHogClient>[0]> = {}) {
  return new PostHogClient({ host: emu.url, project: '1', apiKey: TEST_KEY, retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...extra });
}

describe('client against the emulator', () => {
  it('iterates every page of a limit/offset list in a total order, fetching pages after the first in parallel', async () => {
    emu.reset({
      projects: [
        {
          id: 1,
          name: 'p',
          insights: Array.from({ length: 257 }, (_, i) => ({
            name: `Insight ${i}`,
            query: { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } },
          })),
        },
      ],
    });
    emu.clearRequests();
    const items = await client().listAll<{ id: number }>('insights/', {
      pagination: 'offset',
      pageSize: 50,
      bucket: 'insights',
      query: { order: 'id' },
    });
    expect(items).toHaveLength(257);
    expect(new Set(items.map((i) => i.id)).size).toBe(257);
    expect(emu.requests().filter((r) => r.path.includes('/insights'))).toHaveLength(6);
  });

  it('reads a list whose pages repeat and skip rows (unordered ties) again until every row is in', async () => {
    emu.reset({
      projects: [
        {
          id: 1,
          name: 'p',
          insights: Array.from({ length: 257 }, (_, i) => ({
            name: `Insight ${i}`,
            query: { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } },
          })),
        },
      ],
    });
    emu.clearRequests();
    // PostHog's default insight order (`order`, NULL nearly everywhere) has no tie-breaker.
    const items = await client().listAll<{ id: number }>('insights/', { pagination: 'offset', pageSize: 50, bucket: 'insights' });
    expect(new Set(items.map((i) => i.id)).size).toBe(257);
    expect(emu.requests().length).toBeGreaterThan(6);
  });

  it('iterates every page of a page-number list that has no order at all (insight variables, 500 per page)', async () => {
    emu.reset({
      projects: [
        {
          id: 1,
          name: 'p',
          insight_variables: Array.from({ length: 1203 }, (_, i) => ({ name: `Var ${i}`, type: 'Number', default_value: i })),
        },
      ],
    });
    emu.clearRequests();
    const items = await client().listAll<{ code_name: string }>('insight_variables/', { pagination: 'page', bucket: 'crud' });
    expect(items).toHaveLength(1203);
    expect(new Set(items.map((i) => i.code_name)).size).toBe(1203);
    // Three pages a read; reads are repeated until the rows add up to the count.
    expect(emu.requests().length % 3).toBe(0);
  });

  it('retries 503s with backoff until the request goes through', async () => {
    emu.reset({ projects: [{ id: 1, name: 'p' }] });
    emu.setFaults({ failRate: 0.5, failStatus: 503, seed: 7 });
    const c = client({ retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 20 } });
    for (let i = 0; i < 10; i++) await c.get('insights/', undefined, 'insights');
    emu.setFaults({ failRate: 0 });
    expect(c.stats.retries).toBeGreaterThan(0);
    expect(emu.requests().some((r) => r.status === 503)).toBe(true);
  });

  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    emu.reset({ projects: [{ id: 1, name: 'p' }] });
    emu.setRateLimits({
      enabled: true,
      scale: 60,
      buckets: { insights: [{ limit: 3, windowSeconds: 60 }], crud: [{ limit: 1000, windowSeconds: 60 }] },
    });
    const slept: number[] = [];
    const c = client({
      sleep: async (ms) => {
        slept.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      },
      random: () => 0,
    });
    for (let i = 0; i < 4; i++) await c.get('insights/', undefined, 'insights');
    emu.setRateLimits({ enabled: false });
    expect(c.stats.throttled).toBe(1);
    // The window is 1 s at scale 60: DRF asks for about a second, sent as a whole number.
    expect(slept.some((ms) => ms >= 1000)).toBe(true);
  });

  it('keeps a burst under the bucket limit: no 429 when the client knows the limit', async () => {
    emu.reset({ projects: [{ id: 1, name: 'p' }] });
    emu.setRateLimits({
      enabled: true,
      scale: 1,
      buckets: { insights: [{ limit: 10, windowSeconds: 1 }], crud: [{ limit: 1000, windowSeconds: 60 }] },
    });
    emu.clearRequests();
    const c = client({ rateLimits: { insights: [{ limit: 10, windowMs: 1000 }] } });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 25 }, () => c.get('insights/', undefined, 'insights')));
    emu.setRateLimits({ enabled: false });
    expect(emu.requests().filter((r) => r.status === 429)).toHaveLength(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
  });

  it('reports a POST whose connection dropped after the server committed as ambiguous, without resending it', async () => {
    emu.reset({ projects: [{ id: 1, name: 'p' }] });
    emu.setFaults({ resetAfterCommitRate: 1 });
    emu.clearRequests();
    const err = await client()
      .request({ method: 'POST', path: 'insight_variables/', body: { name: 'Once', type: 'String' }, bucket: 'crud' })
      .catch((e: unknown) => e);
    emu.setFaults({ resetAfterCommitRate: 0 });
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    // No answer at all: PostHog may still be working on it.
    expect((err as AmbiguousWriteError).mayCommitLater).toBe(true);
    expect(emu.requests().filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(Object.values(emu.project(1)?.insightVariables ?? {})).toHaveLength(1);
  });

  it('carries PostHog’s status, code, attr and detail in errors, and never the key', async () => {
    emu.reset({ projects: [{ id: 1, name: 'p' }] });
    const err = (await client()
      .request({ method: 'POST', path: 'insight_variables/', body: { type: 'String' }, bucket: 'crud' })
      .catch((e: unknown) => e)) as PostHogApiError;
    expect(err).toBeInstanceOf(PostHogApiError);
    expect(err.fields).toMatchObject({ status: 400, type: 'validation_error', apiCode: 'required', attr: 'name', method: 'POST' });
    expect(err.message).toContain('400');
    const bad = (await new PostHogClient({ host: emu.url, project: '1', apiKey: 'phx_wrong-fake-key' })
      .get('insights/')
      .catch((e: unknown) => e)) as PostHogApiError;
    expect(bad.status).toBe(401);
    for (const e of [err, bad]) {
      expect(`${e.message} ${e.stack} ${JSON.stringify(e.data())}`).not.toContain(TEST_KEY);
      expect(`${e.message} ${JSON.stringify(e.data())}`).not.toContain('phx_wrong-fake-key');
    }
  });

  it('refuses to send a body that holds the key, whatever put it there (issue 21)', async () => {
    emu.reset({ projects: [{ id: 1, name: 'p' }] });
    emu.clearRequests();
    const err = (await client()
      .request({
        method: 'POST',
        path: 'insight_variables/',
        body: { name: 'Leak', type: 'String', default_value: `k=${TEST_KEY}` },
        bucket: 'crud',
      })
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/^Refused to send POST \/api\/projects\/1\/insight_variables\/: its body holds the personal API key/);
    expect(err.message).not.toContain(TEST_KEY);
    expect(emu.requests()).toHaveLength(0);
  });

  it('says in one sentence what to set when the key variable is missing or the host is not a URL', () => {
    const ws = resolveWorkspace({}, '/nonexistent-dir-for-test');
    const target = resolveTarget(ws, { host: 'http://127.0.0.1:1', project: '1' }, {});
    expect(() => createClient(target, {})).toThrow(ConfigError);
    expect(() => createClient(target, {})).toThrow(/POSTHOG_PERSONAL_API_KEY is not set\. Set it to a PostHog personal API key/);
    expect(() => resolveTarget(ws, { host: 'us.posthog.com', project: '1' }, {})).toThrow(/is not a URL: use the full base URL/);
    expect(() => resolveTarget(ws, { host: 'ftp://x', project: '1' }, {})).toThrow(/must start with https:\/\//);
  });

  it('reports an unreachable host as a network error naming the host', async () => {
    const err = await new PostHogClient({ host: 'http://127.0.0.1:9', project: '1', apiKey: TEST_KEY, retry: { maxAttempts: 1 } })
      .get('insights/')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toMatch(/Could not reach PostHog at http:\/\/127\.0\.0\.1:9/);
  });
});

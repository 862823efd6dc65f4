// Every way of getting no answer ends in one NetworkError sentence that says which it was.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { AmbiguousWriteError, NetworkError } from '../../src/errors.js';
import { classifyNetworkError, describeNetworkFailure } from '../../src/posthog/network-failure.js';
import { testEmulator } from '../helpers/e2e.js';
import { closedPort, failure, fastClient, httpServer, json, silentServer } from './servers.js';

let emu: Emulator;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  emu = await testEmulator({ seed: { projects: [{ id: 1, name: 'Network' }] } });
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await emu.close();
});
beforeEach(() => {
  emu.setFaults({ commitDelayMs: 0 });
  emu.clearRequests();
});
afterEach(() => {
  expect(unhandled).toEqual([]);
});

const oneSentencePair = (message: string) => expect(message.split(/(?<=\.) (?=[A-Z])/).length).toBeLessThanOrEqual(2);

describe('network failures', () => {
  it('a port fetch refuses ("bad port") is a NetworkError, not a crash, and is not retried', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const err = await failure(
        fastClient('http://127.0.0.1:6000').request({ method, path: 'insights/', ...(method === 'POST' ? { body: {} } : {}) }),
      );
      expect(err).toBeInstanceOf(NetworkError);
      expect(err.message).toBe(
        'Could not reach PostHog at http://127.0.0.1:6000/api/projects/1/insights/: fetch refuses to connect to port 6000, one of the ports it blocks as unsafe (bad port). Run PostHog (or the emulator) on another port.',
      );
      expect((err as NetworkError).kind).toBe('bad_port');
    }
    const list = await failure(fastClient('http://127.0.0.1:6000').listAll('insights/', { pagination: 'offset', onPage: () => undefined }));
    expect((list as NetworkError).kind).toBe('bad_port');
  });

  it('a refused connection says so, after a few attempts', async () => {
    const port = await closedPort();
    const c = fastClient(`http://127.0.0.1:${port}`);
    const err = await failure(c.get('insights/'));
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.message).toBe(
      `Could not reach PostHog at http://127.0.0.1:${port}/api/projects/1/insights/: the connection was refused, gave up after 3 attempts (ECONNREFUSED). Check --host / POSTHOG_HOST and that PostHog is running there.`,
    );
    expect(c.stats.requests).toBe(3);
  });

  it('a host that accepts a connection but never completes it fails at the connect timeout, once', async () => {
    const silent = await silentServer();
    try {
      const t0 = Date.now();
      const c = fastClient(`https://127.0.0.1:${silent.port}`, { connectTimeoutMs: 300 });
      const err = await failure(c.get('insights/'));
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as NetworkError).kind).toBe('connect_timeout');
      expect(err.message).toBe(
        `Could not reach PostHog at https://127.0.0.1:${silent.port}/api/projects/1/insights/: no connection within 0.3 s (UND_ERR_CONNECT_TIMEOUT). Check --host / POSTHOG_HOST and your network (HOGSYNC_CONNECT_TIMEOUT_MS sets the limit).`,
      );
      // A host that never answered is not tried again: that would only multiply the wait.
      expect(silent.hits).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it('a host that connects but never answers fails at the request timeout, once', async () => {
    const silent = await silentServer();
    try {
      const err = await failure(fastClient(silent.url, { timeoutMs: 300 }).get('insights/'));
      expect((err as NetworkError).kind).toBe('timeout');
      expect(err.message).toBe(
        `PostHog at ${silent.url} did not answer GET /api/projects/1/insights/ within 0.3 s. Try again later, or raise HOGSYNC_TIMEOUT_MS.`,
      );
      expect(silent.hits).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it('a TLS failure says so (https:// to a plain-HTTP server)', async () => {
    const err = await failure(fastClient(emu.url.replace('http:', 'https:')).get('insights/'));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).kind).toBe('tls');
    expect(err.message).toMatch(
      /^Could not reach PostHog at https:\/\/127\.0\.0\.1:\d+\/api\/projects\/1\/insights\/: the TLS connection could not be set up \([A-Z_]+\)\. Check that --host is the right https:\/\/ address/,
    );
    oneSentencePair(err.message);
    expect(emu.requests()).toHaveLength(0);
  });

  it('names certificate problems and unknown host names as such', () => {
    const ctx = {
      method: 'GET',
      url: 'https://posthog.example/api/projects/1/insights/',
      path: '/api/projects/1/insights/',
      answeredBefore: false,
      connectTimeoutMs: 15_000,
      timeoutMs: 60_000,
    };
    const cert = classifyNetworkError(
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' } }),
    );
    expect(cert).toMatchObject({ kind: 'tls', permanent: true, maybeSent: false });
    expect(describeNetworkFailure(cert, ctx)).toContain('the TLS connection could not be set up (DEPTH_ZERO_SELF_SIGNED_CERT)');
    const dns = classifyNetworkError(
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND posthog.example' } }),
    );
    expect(describeNetworkFailure(dns, ctx)).toBe(
      'Could not reach PostHog at https://posthog.example/api/projects/1/insights/: the host name posthog.example was not found (ENOTFOUND). Check the spelling of --host / POSTHOG_HOST.',
    );
    const unreachable = classifyNetworkError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'EHOSTUNREACH' } }));
    expect(describeNetworkFailure(unreachable, ctx)).toContain('posthog.example is unreachable from this machine');
  });

  it('a reset after PostHog has answered is "the connection to PostHog was reset"; before any answer, not reaching it', async () => {
    const flaky = await httpServer((req, res, hit) => {
      if (hit === 1) json(res, 200, { ok: true });
      else req.socket.destroy();
    });
    try {
      const c = fastClient(flaky.url, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
      await c.get('insights/');
      const err = await failure(c.get('insights/'));
      expect((err as NetworkError).kind).toBe('reset');
      expect(err.message).toMatch(
        /^The connection to PostHog was reset during GET \/api\/projects\/1\/insights\/, gave up after 2 attempts \([A-Z_a-z ]+\)\. Try again;/,
      );
      const fresh = await failure(fastClient(flaky.url, { retry: { maxAttempts: 1 } }).get('insights/'));
      expect(fresh.message).toMatch(
        /^Could not reach PostHog at http:\/\/127\.0\.0\.1:\d+\/api\/projects\/1\/insights\/: the connection was closed before any answer/,
      );
    } finally {
      await flaky.close();
    }
  });

  it('a create that times out is ambiguous and not sent again, and it lands later (delayed commit)', async () => {
    const c = fastClient(emu.url, { timeoutMs: 200 });
    await c.get('insight_variables/');
    emu.setFaults({ commitDelayMs: 500 });
    const err = await failure(c.request({ method: 'POST', path: 'insight_variables/', body: { name: 'Late', type: 'String' } }));
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(err.message).toBe(
      'POST /api/projects/1/insight_variables/ may or may not have been applied (no answer within 0.2 s); hogsync checks before retrying.',
    );
    for (let i = 0; i < 60 && !emu.requests().some((r) => r.method === 'POST'); i++) await new Promise((r) => setTimeout(r, 25));
    const posts = emu.requests().filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ committed: true, fault: 'delayed_commit' });
    expect(emu.project(1)?.insightVariables.map((v) => v.name)).toEqual(['Late']);
  });
});

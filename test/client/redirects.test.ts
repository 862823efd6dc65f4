// Redirects: never to another origin (the key would go with the request), same-origin ones only
// for GET and a few hops at most, and a write is never sent twice.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { RedirectError } from '../../src/errors.js';
import { testEmulator, TEST_KEY } from '../helpers/e2e.js';
import { failure, fastClient, httpServer, json, type TestServer } from './servers.js';

let emu: Emulator;
/** Stands in for the origin a redirect points at (e.g. another PostHog region). */
let other: TestServer;
const otherAuth: Array<string | undefined> = [];

beforeAll(async () => {
  emu = await testEmulator({ seed: { projects: [{ id: 1, name: 'Redirects', insight_variables: [{ name: 'Seeded', type: 'String' }] }] } });
  other = await httpServer((req, res) => {
    otherAuth.push(req.headers.authorization);
    json(res, 200, { count: 0, next: null, previous: null, results: [] });
  });
});
afterAll(async () => {
  await emu.close();
  await other.close();
});
beforeEach(() => {
  emu.reset();
  emu.setFaults({ redirect: null });
  emu.clearRequests();
});

describe('redirects to another origin', () => {
  it('stop a GET with one sentence naming the target and the --host to use; the other server receives nothing', async () => {
    emu.setFaults({ redirect: { status: 301, to: other.url } });
    const err = await failure(fastClient(emu.url).get('insight_variables/'));
    expect(err).toBeInstanceOf(RedirectError);
    expect(err.message).toBe(
      `PostHog redirected GET /api/projects/1/insight_variables/ to ${other.url}/api/projects/1/insight_variables/?_emulator_hop=1 (301), ` +
        `another origin that hogsync does not follow with your key: set --host to ${other.url} if that is where your PostHog is.`,
    );
    expect((err as RedirectError).data()).toMatchObject({
      status: 301,
      location: `${other.url}/api/projects/1/insight_variables/?_emulator_hop=1`,
    });
    expect(other.hits).toBe(0);
    expect(emu.requests()).toHaveLength(1);
  });

  it('stop a POST: nothing is sent again, here or there, and nothing is created', async () => {
    emu.setFaults({ redirect: { status: 307, to: other.url, methods: ['POST'] } });
    const err = await failure(
      fastClient(emu.url).request({ method: 'POST', path: 'insight_variables/', body: { name: 'Moved', type: 'String' } }),
    );
    expect(err).toBeInstanceOf(RedirectError);
    expect(err.message).toContain('PostHog redirected POST /api/projects/1/insight_variables/ to');
    expect(other.hits).toBe(0);
    expect(otherAuth).toEqual([]);
    expect(emu.requests().map((r) => [r.method, r.status])).toEqual([['POST', 307]]);
    expect(emu.project(1)?.insightVariables.map((v) => v.name)).toEqual(['Seeded']);
  });

  it('count a different port or scheme as another origin', async () => {
    const sameHostOtherPort = other.url.replace('127.0.0.1', 'localhost');
    emu.setFaults({ redirect: { status: 302, to: sameHostOtherPort } });
    expect(await failure(fastClient(emu.url).get('insights/'))).toBeInstanceOf(RedirectError);
    emu.setFaults({ redirect: { status: 302, to: emu.url.replace('http:', 'https:') } });
    expect((await failure(fastClient(emu.url).get('insights/'))).message).toContain('set --host to https://127.0.0.1');
    expect(other.hits).toBe(0);
  });
});

describe('redirects on the same origin', () => {
  it('are followed for GET, with the key, a few hops at most', async () => {
    emu.setFaults({ redirect: { status: 302, hops: 2 } });
    const page = await fastClient(emu.url).get<{ count: number }>('insight_variables/');
    expect(page.count).toBe(1);
    expect(emu.requests().map((r) => [r.status, r.key !== null])).toEqual([
      [302, false],
      [302, false],
      [200, true],
    ]);
    emu.clearRequests();
    emu.setFaults({ redirect: { status: 301, hops: 10 } });
    const err = await failure(fastClient(emu.url).get('insight_variables/'));
    expect(err.message).toMatch(
      /^PostHog redirected GET \/api\/projects\/1\/insight_variables\/ more than 3 times \(last to http:\/\/127\.0\.0\.1:\d+\/api\/projects\/1\/insight_variables\/\?_emulator_hop=4\): check --host\.$/,
    );
    expect(emu.requests()).toHaveLength(4);
  });

  it('stop a write: the PATCH is not sent again', async () => {
    const id = emu.project(1)?.insightVariables[0]?.id;
    emu.setFaults({ redirect: { status: 308, methods: ['PATCH'] } });
    const err = await failure(
      fastClient(emu.url).request({ method: 'PATCH', path: `insight_variables/${id}/`, body: { name: 'Renamed' } }),
    );
    expect(err).toBeInstanceOf(RedirectError);
    expect(err.message).toContain(`PostHog answered PATCH /api/projects/1/insight_variables/${id}/ with a redirect (308)`);
    expect(err.message).toContain('hogsync never re-sends a write');
    expect(emu.requests()).toHaveLength(1);
    expect(emu.project(1)?.insightVariables[0]?.name).toBe('Seeded');
    expect(err.message).not.toContain(TEST_KEY);
  });
});

// What an error built from PostHog's answer says: which budget ran out, PostHog's code and
// detail but never an HTML page, what a missing project means, and never a secret an echoing
// server sends back.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator, Faults } from '../../src/emulator/index.js';
import { PostHogApiError } from '../../src/errors.js';
import { testEmulator, TEST_KEY } from '../helpers/e2e.js';
import { failure, fastClient, httpServer } from './servers.js';

const OFF: Partial<Faults> = { failRate: 0, failStatus: 503, echoErrors: false };
let emu: Emulator;

beforeAll(async () => {
  emu = await testEmulator({ seed: { projects: [{ id: 1, name: 'Errors', insight_variables: [{ name: 'Seeded', type: 'String' }] }] } });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.setFaults(OFF);
  emu.clearRequests();
});

describe('an exhausted retry budget', () => {
  it('per request: says so, with the last status and a summary of an HTML body, never the HTML', async () => {
    emu.setFaults({ failRate: 1, failStatus: 502 });
    const err = await failure(fastClient(emu.url).get('insights/'));
    expect(err).toBeInstanceOf(PostHogApiError);
    expect(err.message).toBe(
      'The server answered 502 to GET /api/projects/1/insights/ (gave up after 3 attempts): an HTML page ("502 Bad Gateway"). PostHog (or a proxy in front of it) keeps failing; try again later.',
    );
    expect(JSON.stringify((err as PostHogApiError).data())).not.toMatch(/<|center/);
    expect(emu.requests()).toHaveLength(3);
  });

  it('per request: carries PostHog’s code and detail when the body is its JSON envelope', async () => {
    emu.setFaults({ failRate: 1, failStatus: 503 });
    const err = await failure(fastClient(emu.url).get('insights/'));
    expect(err.message).toBe(
      'PostHog answered 503 (service_unavailable) to GET /api/projects/1/insights/ (gave up after 3 attempts): Service temporarily unavailable, try again later. PostHog (or a proxy in front of it) keeps failing; try again later.',
    );
    expect((err as PostHogApiError).data()).toMatchObject({ status: 503, code: 'service_unavailable', gaveUp: 'gave up after 3 attempts' });
  });

  it('per run: says the run’s budget is used up', async () => {
    emu.setFaults({ failRate: 1, failStatus: 503 });
    const c = fastClient(emu.url, { retry: { runBudget: 2, maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 2 } });
    const err = await failure(c.get('insights/'));
    expect(err.message).toContain("(the run's budget of 2 retries is used up)");
    expect(emu.requests()).toHaveLength(3);
    const next = await failure(c.get('insights/'));
    expect(next.message).toContain("(the run's budget of 2 retries is used up)");
    expect(emu.requests()).toHaveLength(4);
  });

  it('summarises a plain-text error body in one line and a long one by its size', async () => {
    const server = await httpServer((req, res) => {
      res.writeHead(req.url?.includes('long') ? 500 : 400, { 'Content-Type': 'text/plain' });
      res.end(req.url?.includes('long') ? 'x\n'.repeat(5000) : 'upstream connect error or disconnect/reset before headers');
    });
    try {
      expect((await failure(fastClient(server.url).get('short/'))).message).toBe(
        'The server answered 400 to GET /api/projects/1/short/: "upstream connect error or disconnect/reset before headers"',
      );
      expect((await failure(fastClient(server.url).get('long/'))).message).toBe(
        "The server answered 500 to GET /api/projects/1/long/: 10000 bytes that are not PostHog's JSON (text/plain)",
      );
    } finally {
      await server.close();
    }
  });
});

describe('a project that does not exist', () => {
  it('is reported on its collection list as not found or not visible to this key, with what to check', async () => {
    const err = await failure(fastClient(emu.url, { project: '999' }).listAll('insights/', { pagination: 'offset' }));
    expect(err).toBeInstanceOf(PostHogApiError);
    expect(err.message).toBe(
      'PostHog answered 404 (not_found) to GET /api/projects/999/insights/?limit=500&offset=0: Project not found. Project 999 not found or not visible to this key: check --project (or POSTHOG_PROJECT_ID) and the projects the personal API key is scoped to.',
    );
    // One resource that is gone is not a missing project.
    const gone = await failure(fastClient(emu.url).get('insight_variables/00000000-0000-0000-0000-000000000000/'));
    expect(gone.message).not.toContain('not visible to this key');
  });
});

describe('redaction of server text', () => {
  const SECRET = 'sk_live_fake_0123456789abcdef';
  const redact = (text: string) => text.split(SECRET).join('[secret]');

  it('applies the redactor to an echoed request body in error details', async () => {
    emu.setFaults({ echoErrors: true });
    const c = fastClient(emu.url, { redact });
    const body = { type: 'String', default_value: SECRET };
    const err = await failure(c.request({ method: 'POST', path: 'insight_variables/', body }));
    expect(err).toBeInstanceOf(PostHogApiError);
    const shown = `${err.message} ${JSON.stringify((err as PostHogApiError).data())}`;
    expect(shown).toContain('[secret]');
    expect(shown).not.toContain(SECRET);
    // The echo reached the client: without the redactor the secret would have been printed.
    expect(emu.requests()[0]?.fault).toBe('echo_error');
  });

  it('masks the key itself in what a server echoes (here, its Authorization header)', async () => {
    // The client sends no body that holds the key (client.test.ts): the header is all a server can echo.
    const server = await httpServer((req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({ type: 'validation_error', code: 'invalid', detail: `bad header ${req.headers.authorization ?? ''}`, attr: null }),
      );
    });
    try {
      const err = await failure(fastClient(server.url).request({ method: 'POST', path: 'insight_variables/', body: { name: 'x' } }));
      expect(err.message).toContain('[redacted]');
      expect(`${err.message} ${JSON.stringify((err as PostHogApiError).data())}`).not.toContain(TEST_KEY);
    } finally {
      await server.close();
    }
  });

  it('redacts before it shortens a long detail, so no piece of a secret survives the cut', async () => {
    emu.setFaults({ echoErrors: true });
    const body = { type: 'String', description: `${'x'.repeat(460)}${SECRET}${'y'.repeat(2000)}` };
    const err = await failure(fastClient(emu.url, { redact }).request({ method: 'POST', path: 'insight_variables/', body }));
    expect(err.message).toMatch(/… \(\d+ more characters\)/);
    expect(err.message).not.toContain('sk_live');
  });

  it('applies it to 5xx answers after retries, and to a Location an echoing server makes up', async () => {
    emu.setFaults({ echoErrors: true, failRate: 1, failStatus: 503 });
    const id = emu.project(1)?.insightVariables[0]?.id;
    const err = await failure(
      fastClient(emu.url, { redact }).request({ method: 'PATCH', path: `insight_variables/${id}/`, body: { default_value: SECRET } }),
    );
    expect(err.message).toContain('[secret]');
    expect(err.message).not.toContain(SECRET);
    const server = await httpServer((_req, res) => {
      res.writeHead(302, { Location: `https://${SECRET}.example/?token=${SECRET}` });
      res.end();
    });
    try {
      const moved = await failure(fastClient(server.url, { redact }).get('insights/'));
      expect(moved.message).toContain('to https://[secret].example/?token=[secret] (302)');
      expect(moved.message).toContain('set --host to https://[secret].example if');
      expect(moved.message).not.toContain(SECRET);
    } finally {
      await server.close();
    }
  });
});

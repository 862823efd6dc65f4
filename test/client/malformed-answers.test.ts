// A 2xx that is not what the caller relies on is a lost answer: retried for reads, ambiguous for
// creates, and reported without quoting the body.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator, Faults } from '../../src/emulator/index.js';
import { AmbiguousWriteError, MalformedAnswerError } from '../../src/errors.js';
import { idOf, unusableAnswer } from '../../src/posthog/answer-check.js';
import { testEmulator } from '../helpers/e2e.js';
import { failure, fastClient } from './servers.js';

const OFF: Partial<Faults> = { malformed: null, seed: 0 };
let emu: Emulator;

beforeAll(async () => {
  emu = await testEmulator({
    seed: { projects: [{ id: 1, name: 'Malformed answers', insight_variables: [{ name: 'Seeded', type: 'String' }] }] },
  });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.setFaults(OFF);
  emu.clearRequests();
});

const gets = () => emu.requests().filter((r) => r.method === 'GET');
const posts = () => emu.requests().filter((r) => r.method === 'POST');
const variableNames = () => (emu.project(1)?.insightVariables ?? []).map((v) => v.name);

describe('malformed 2xx answers to reads', () => {
  it('retries an HTML page answered 200, then names method, path, status and the problem, without the HTML', async () => {
    emu.setFaults({ malformed: { rate: 1, kind: 'html' } });
    const err = await failure(fastClient(emu.url).request({ path: 'insight_variables/', expect: 'page' }));
    expect(err).toBeInstanceOf(MalformedAnswerError);
    expect(gets()).toHaveLength(3);
    expect(err.message).toMatch(
      /^PostHog answered GET \/api\/projects\/1\/insight_variables\/ with 200, but the answer cannot be used: not JSON but an HTML page \("Sign in · Corporate Proxy"\) \(gave up after 3 attempts\)\./,
    );
    expect(err.message).not.toMatch(/<|form|Please sign in/);
    expect((err as MalformedAnswerError).data()).toMatchObject({ method: 'GET', status: 200, gaveUp: 'gave up after 3 attempts' });
  });

  it('goes through once a retry gets a good answer', async () => {
    emu.setFaults({ malformed: { rate: 0.5, kind: 'invalid_json' }, seed: 3 });
    const c = fastClient(emu.url, { retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 20 } });
    for (let i = 0; i < 8; i++) expect(await c.request({ path: 'insight_variables/', expect: 'page' })).toMatchObject({ count: 1 });
    expect(c.stats.retries).toBeGreaterThan(0);
    expect(emu.requests().some((r) => r.fault === 'malformed')).toBe(true);
  });

  it('says when the JSON is cut off, and when a list page has results: null', async () => {
    emu.setFaults({ malformed: { rate: 1, kind: 'truncated' } });
    const cut = await failure(fastClient(emu.url, { retry: { maxAttempts: 1 } }).get('insight_variables/'));
    expect(cut).toBeInstanceOf(MalformedAnswerError);
    expect(cut.message).toMatch(/the JSON is cut off after \d+ bytes/);

    emu.setFaults({ malformed: { rate: 1, kind: 'null_results' } });
    emu.clearRequests();
    const nulls = await failure(fastClient(emu.url).listAll('insight_variables/', { pagination: 'page' }));
    expect(nulls).toBeInstanceOf(MalformedAnswerError);
    expect(nulls.message).toContain('the list page has no results list (results: null)');
    expect(gets()).toHaveLength(3);
  });

  it('checks the shape the caller asked for: object, list, created object with an id', async () => {
    const c = fastClient(emu.url, { retry: { maxAttempts: 1 } });
    expect(await c.request({ path: 'insight_variables/', expect: 'object' })).toMatchObject({ count: 1 });
    expect((await failure(c.request({ path: 'insight_variables/', expect: 'array' }))).message).toContain('expected a list, got an object');
    expect(
      (await failure(c.request({ path: 'insight_variables/', expect: (b) => (Array.isArray(b) ? undefined : 'not what we wanted') })))
        .message,
    ).toContain('not what we wanted');
    const id = emu.project(1)?.insightVariables[0]?.id;
    emu.setFaults({ malformed: { rate: 1, kind: 'no_id' } });
    const noId = await failure(c.request({ path: `insight_variables/${id}/`, expect: 'created' }));
    expect(noId.message).toContain('the created object has no id');
    expect(idOf({ id: 5 })).toBe(5);
    expect(idOf({ id: '' })).toBeUndefined();
    // What the engine raises when its own check of an answer fails.
    expect(unusableAnswer('POST', '/api/projects/1/insights/', 201, 'the created object has no id')).toBeInstanceOf(AmbiguousWriteError);
    expect(unusableAnswer('PATCH', '/api/projects/1/insights/5/', 200, 'the object has no id').message).toContain(
      'PostHog answered PATCH /api/projects/1/insights/5/ with 200, but the answer cannot be used: the object has no id.',
    );
  });
});

describe('malformed 2xx answers to creates', () => {
  it('reports a 201 without an id for a POST that committed as ambiguous, and does not send it again', async () => {
    emu.setFaults({ malformed: { rate: 1, kind: 'no_id', afterCommit: true } });
    const err = await failure(
      fastClient(emu.url).request({
        method: 'POST',
        path: 'insight_variables/',
        body: { name: 'Landed', type: 'String' },
        expect: 'created',
      }),
    );
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(err.message).toBe(
      'POST /api/projects/1/insight_variables/ may or may not have been applied (the answer could not be read: the created object has no id); hogsync checks before retrying.',
    );
    expect(posts()).toHaveLength(1);
    expect(variableNames()).toEqual(['Seeded', 'Landed']);
  });

  it('reports garbage answered to a POST as ambiguous whether or not the write happened', async () => {
    emu.setFaults({ malformed: { rate: 1, kind: 'html', methods: ['POST'] } });
    const err = await failure(
      fastClient(emu.url).request({
        method: 'POST',
        path: 'insight_variables/',
        body: { name: 'Ghost', type: 'String' },
        expect: 'created',
      }),
    );
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(err.message).toContain('the answer could not be read: not JSON but an HTML page');
    // The answer came in full: nothing PostHog could still commit later, one lookup settles it.
    expect((err as AmbiguousWriteError).mayCommitLater).toBe(false);
    expect(posts()).toHaveLength(1);
    expect(variableNames()).toEqual(['Seeded']);
  });
});

// Reading a list always ends: a `next` that does not move on, a count far beyond what the pages
// hold, or pages without end stop with one clear error after a bounded number of requests.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator, Faults } from '../../src/emulator/index.js';
import { MalformedAnswerError } from '../../src/errors.js';
import { testEmulator } from '../helpers/e2e.js';
import { failure, fastClient, httpServer, json } from './servers.js';

const query = { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } };
const OFF: Partial<Faults> = { endlessLists: null };
let emu: Emulator;

beforeAll(async () => {
  emu = await testEmulator({
    seed: {
      projects: [
        {
          id: 1,
          name: 'Lists',
          insights: Array.from({ length: 7 }, (_, i) => ({ name: `Insight ${i}`, query })),
          insight_variables: Array.from({ length: 3 }, (_, i) => ({ name: `Var ${i}`, type: 'String' })),
        },
      ],
    },
  });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.setFaults(OFF);
  emu.clearRequests();
});

// In a total order, as hogsync reads insights (the default order has unordered ties: posthog-api.md §10).
const insights = () =>
  fastClient(emu.url).listAll<{ id: number }>('insights/', {
    pagination: 'offset',
    pageSize: 5,
    bucket: 'insights',
    query: { order: 'id' },
  });
const variables = () => fastClient(emu.url).listAll<{ id: string }>('insight_variables/', { pagination: 'page', bucket: 'crud' });

describe('endless lists', () => {
  it('stops at a next link that points back at the same page', async () => {
    emu.setFaults({ endlessLists: { next: 'repeat' } });
    const err = await failure(insights());
    expect(err).toBeInstanceOf(MalformedAnswerError);
    expect(err.message).toContain(
      'GET /api/projects/1/insights/ with 200, but the answer cannot be used: the page at offset 0 links back to itself or an earlier page (offset 0)',
    );
    expect(emu.requests().length).toBeLessThanOrEqual(2);
    const vars = await failure(variables());
    expect(vars.message).toContain('page 1 links back to itself or an earlier page (page 1)');
  });

  it('reads no further than the end when every page, even past the end, links onwards', async () => {
    emu.setFaults({ endlessLists: { next: 'increasing' } });
    expect((await insights()).map((i) => i.id).sort((a, b) => a - b)).toHaveLength(7);
    expect(emu.requests()).toHaveLength(2);
    emu.clearRequests();
    // A page-number list does not say its page size: the page after a first page that links on is
    // asked for, and its 404 ("Invalid page.") ends the list.
    expect(await variables()).toHaveLength(3);
    expect(emu.requests().map((r) => r.status)).toEqual([200, 404]);
  });

  it('stops when the count (1e9) is far beyond what the pages hold, after a bounded number of requests', async () => {
    emu.setFaults({ endlessLists: { next: 'increasing', count: 1e9 } });
    const err = await failure(insights());
    expect(err.message).toContain('the list announced 1000000000 rows but its pages held 7');
    // The first page, then at most one round of concurrent pages (4) up to the short one.
    expect(emu.requests().length).toBeLessThanOrEqual(5);
    emu.clearRequests();
    const vars = await failure(variables());
    expect(vars.message).toContain('the list announced 1000000000 rows but its pages held 3');
    expect(emu.requests().length).toBeLessThanOrEqual(5);
  });

  it('gives up on a list that keeps delivering new rows past its count, a few pages past it at most', async () => {
    // No emulator fault can make fresh rows out of nothing: a server that always has more.
    const server = await httpServer((req, res) => {
      const offset = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('offset') ?? 0);
      const results = Array.from({ length: 5 }, (_, i) => ({ id: offset + i }));
      json(res, 200, {
        count: 10,
        next: `http://127.0.0.1/api/projects/1/insights/?limit=5&offset=${offset + 5}`,
        previous: null,
        results,
      });
    });
    try {
      const err = await failure(fastClient(server.url).listAll('insights/', { pagination: 'offset', pageSize: 5 }));
      expect(err).toBeInstanceOf(MalformedAnswerError);
      expect(err.message).toContain('the list kept linking to more pages after the 2 that its count of 10 announced');
      expect(server.hits).toBe(6);
    } finally {
      await server.close();
    }
  });

  it('stops at a server that ignores the offset and serves the same page again', async () => {
    const server = await httpServer((req, res) => {
      const offset = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('offset') ?? 0);
      json(res, 200, {
        count: 15,
        next: `http://127.0.0.1/x/?limit=5&offset=${offset + 5}`,
        previous: null,
        results: [1, 2, 3, 4, 5].map((id) => ({ id })),
      });
    });
    try {
      const err = await failure(fastClient(server.url).listAll('insights/', { pagination: 'offset', pageSize: 5 }));
      expect(err.message).toContain('the page at offset 5 repeats rows of earlier pages');
      expect(server.hits).toBeLessThanOrEqual(3);
    } finally {
      await server.close();
    }
  });
});

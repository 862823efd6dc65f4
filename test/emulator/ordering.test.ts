// List order as Postgres gives it to PostHog's viewsets: equal sort keys in no particular order,
// different between requests (insights: order_by("order"), InsightViewSet.order_queryset; hog
// functions: ("execution_order", "-updated_at"); insight variables: no ordering at all).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator, SeedDoc } from '../../src/emulator/index.js';
import { call, project, start } from './helpers.js';

const SEED: SeedDoc = {
  projects: [
    {
      id: 1,
      name: 'Test',
      insights: Array.from({ length: 12 }, (_, i) => ({ name: `I${String(i).padStart(2, '0')}` })),
      insight_variables: Array.from({ length: 12 }, (_, i) => ({ name: `V${i}`, type: 'String' })),
      hog_functions: Array.from({ length: 12 }, (_, i) => ({
        name: `T${i}`,
        type: 'transformation',
        hog: 'return event',
        execution_order: 1,
        created_at: '2024-01-01T00:00:00Z',
      })),
    },
  ],
};

let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({ seed: SEED, orderSeed: 7 });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const names = async (path: string) => (await api().get(path)).body.results.map((r: { name: string }) => r.name).join(',');

/** Distinct orders seen over a few requests: more than one means ties are not stable. */
async function distinctOrders(path: string, requests = 6): Promise<number> {
  const seen = new Set<string>();
  for (let i = 0; i < requests; i++) seen.add(await names(path));
  return seen.size;
}

describe('unordered ties', () => {
  it('insights: the default order_by("order") returns equal rows in a different order per request', async () => {
    expect(await distinctOrders('insights/?basic=true')).toBeGreaterThan(1);
  });

  it('insights: ?order=id is a total order, -id its reverse; `order` itself sorts NULLs last', async () => {
    const sorted = Array.from({ length: 12 }, (_, i) => `I${String(i).padStart(2, '0')}`);
    expect(await distinctOrders('insights/?basic=true&order=id', 3)).toBe(1);
    expect(await names('insights/?basic=true&order=id')).toBe(sorted.join(','));
    expect(await names('insights/?basic=true&order=-id')).toBe([...sorted].reverse().join(','));
    const last = (await api().get('insights/?order=id')).body.results[11];
    await api().patch(`insights/${last.id}/`, { order: 0 });
    expect((await names('insights/?basic=true')).split(',')[0]).toBe(last.name);
  });

  it("insights: an unknown ?order field fails like Django's FieldError (500)", async () => {
    expect((await api().get('insights/?order=nope')).status).toBe(500);
  });

  it('insight variables: no ordering at all', async () => {
    expect(await distinctOrders('insight_variables/')).toBeGreaterThan(1);
  });

  it('hog functions: equal (execution_order, updated_at) come back in a different order per request', async () => {
    expect(await distinctOrders('hog_functions/')).toBeGreaterThan(1);
  });

  it('rearrange answers the type ordered by execution_order, ties in no particular order', async () => {
    const all = (await api().get('hog_functions/')).body.results as Array<{ id: string }>;
    const first = all[0] as { id: string };
    const r = await api().patch('hog_functions/rearrange/', { orders: { [first.id]: 0 } });
    expect(r.body[0].id).toBe(first.id);
    expect(r.body.slice(1).map((f: { execution_order: number }) => f.execution_order)).toEqual(Array(11).fill(1));
  });
});

describe('orderSeed', () => {
  it('replays the same orders for the same seed and requests, via the option or PUT /_emulator/ordering', async () => {
    const sequence = async (e: Emulator) => {
      const out: string[] = [];
      for (let i = 0; i < 4; i++)
        out.push((await project(e).get('insights/?basic=true')).body.results.map((r: { name: string }) => r.name).join(','));
      return out;
    };
    const other = await start({ seed: SEED, orderSeed: 7 });
    try {
      const a = await sequence(other);
      await call(emu, 'PUT', '/_emulator/ordering', { seed: 7 });
      expect(await sequence(emu)).toEqual(a);
      expect((await call(emu, 'GET', '/_emulator/ordering')).body).toEqual({ seed: 7 });
      expect((await call(emu, 'PUT', '/_emulator/ordering', { seed: 'x' })).status).toBe(400);
    } finally {
      await other.close();
    }
  });
});

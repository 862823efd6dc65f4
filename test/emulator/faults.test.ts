import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { EMPTY, project, start } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await start({ seed: EMPTY });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.setFaults({ latencyMs: 0, latencyJitterMs: 0, failRate: 0, failStatus: 503, resetAfterCommitRate: 0, errorAfterCommitRate: 0 });
  emu.clearRequests();
});

const variables = () => emu.project(1)?.insightVariables ?? [];

describe('faults', () => {
  it('adds latencyMs (+ jitter) to every /api request before handling it', async () => {
    emu.setFaults({ latencyMs: 120, latencyJitterMs: 30 });
    const t0 = Date.now();
    await project(emu).get('insights/');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
    expect(emu.requests()[0]?.durationMs).toBeGreaterThanOrEqual(115);
  });

  it('charges latencyPerItemMs per row of the full serializer and latencyPerBasicItemMs per row of ?basic=true (InsightBasicSerializer vs InsightSerializer, products/product_analytics/backend/api/insight.py)', async () => {
    for (let i = 0; i < 20; i++)
      await project(emu).post('insights/', {
        name: `Row ${i}`,
        query: { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } },
      });
    emu.setFaults({ latencyPerItemMs: 10, latencyPerBasicItemMs: 1 });
    emu.clearRequests();
    await project(emu).get('insights/?limit=20');
    await project(emu).get('insights/?limit=20&basic=true');
    emu.setFaults({ latencyPerItemMs: 0, latencyPerBasicItemMs: 0 });
    const [full, basic] = emu.requests().map((r) => r.durationMs);
    expect(full).toBeGreaterThanOrEqual(200);
    expect(basic).toBeGreaterThanOrEqual(20);
    expect(basic).toBeLessThan(150);
  });

  it('answers failRate of requests with failStatus before doing anything (no auth, no state change)', async () => {
    emu.setFaults({ failRate: 1 });
    const r = await project(emu).post('insight_variables/', { name: 'Never', type: 'String' });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ type: 'server_error', code: 'service_unavailable' });
    expect((await project(emu, 1, { key: null }).get('insights/')).status).toBe(503);
    expect(variables()).toHaveLength(0);
    emu.setFaults({ failStatus: 502 });
    const gw = await project(emu).get('insights/');
    expect(gw.status).toBe(502);
    expect(gw.headers.get('content-type')).toBe('text/html');
    expect(emu.requests().every((e) => e.fault === 'fail' && !e.committed)).toBe(true);
  });

  it('commits a write and then destroys the socket without an answer (resetAfterCommitRate)', async () => {
    emu.setFaults({ resetAfterCommitRate: 1 });
    await expect(project(emu).post('insight_variables/', { name: 'Committed', type: 'String' })).rejects.toThrow();
    expect(variables().map((v) => v.name)).toEqual(['Committed']);
    expect(emu.requests()[0]).toMatchObject({ method: 'POST', status: 0, committed: true, fault: 'reset_after_commit' });
  });

  it('commits a write and then answers 504 like a gateway timeout (errorAfterCommitRate)', async () => {
    emu.setFaults({ errorAfterCommitRate: 1 });
    const r = await project(emu).post('insight_variables/', { name: 'Committed', type: 'String' });
    expect(r.status).toBe(504);
    expect(r.text).toContain('504 Gateway Time-out');
    expect(variables()).toHaveLength(1);
  });

  it('never applies after-commit faults to reads or to writes that did not succeed', async () => {
    emu.setFaults({ resetAfterCommitRate: 0.5, errorAfterCommitRate: 0.5 });
    expect((await project(emu).get('insights/')).status).toBe(200);
    expect((await project(emu).post('insight_variables/', { type: 'String' })).status).toBe(400);
    expect((await project(emu).del('insights/1/')).status).toBe(405);
  });

  it('rolls deterministic dice when a fault seed is set', async () => {
    const run = async () => {
      emu.setFaults({ failRate: 0.5, seed: 42 });
      const out: number[] = [];
      for (let n = 0; n < 12; n++) out.push((await project(emu).get('insights/')).status);
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(new Set(a)).toEqual(new Set([200, 503]));
  });
});

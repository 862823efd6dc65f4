import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, SeedDoc } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace } from '../helpers/e2e.js';

/**
 * The nightly backup on a PostHog whose insight list has unordered ties (`order_by("order")`,
 * NULL for nearly every insight: posthog-api.md §10, products/product_analytics/backend/api/insight.py
 * get_queryset). A pull writes one file per insight, further pulls change nothing, and a pull
 * that runs while insights are created and deleted never removes the file of one that exists.
 */

const COUNT = 1600;
const query = { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } };
const seed = (): SeedDoc => ({ projects: [{ id: 1, name: 'Big', insights: Array.from({ length: COUNT }, (_, i) => ({ name: `Insight ${i % 400}`, query })) }] });

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: seed() });
});
afterAll(async () => emu.close());

describe(`a project of ${COUNT} insights whose list has unordered ties`, () => {
  it('is pulled into exactly one file per insight, and five further pulls change nothing', async () => {
    emu.reset(seed());
    const ws = await workspace(emu);
    const first = await ws.run(['pull', '--commit']);
    expect(first.code, first.stderr).toBe(0);
    expect(ws.files('posthog/insights')).toHaveLength(COUNT);
    expect(Object.keys(ws.state().resources)).toHaveLength(COUNT);
    for (let i = 0; i < 5; i++) {
      const again = await ws.run(['pull', '--commit', '-o', 'json']);
      expect(again.code, again.stderr).toBe(0);
      const doc = JSON.parse(again.stdout) as { summary: Record<string, number>; commit?: string };
      expect(doc.summary).toMatchObject({ added: 0, changed: 0, removed: 0 });
      expect(doc.commit).toBeUndefined();
    }
    expect(ws.files('posthog/insights')).toHaveLength(COUNT);
  });

  it('never loses the file of an insight that exists when insights are created and deleted during the pull', async () => {
    emu.reset(seed());
    const ws = await workspace(emu);
    expect((await ws.run(['pull'])).code).toBe(0);
    const before = new Map(Object.entries(ws.state().resources).map(([ref, b]) => [String(b.id), ref.slice('Insight/'.length)]));

    // Slow pages, so that the churn below happens while the pull is reading.
    emu.setFaults({ latencyMs: 40 });
    const deleted = new Set<string>();
    let stop = false;
    const api = (path: string, init: RequestInit) =>
      fetch(`${emu.url}/api/projects/1/${path}`, { ...init, headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' } });
    const churn = (async () => {
      const ids = [...before.keys()];
      for (let i = 0; !stop && i < 200; i++) {
        const id = ids[(i * 37) % ids.length] as string;
        if (!deleted.has(id)) {
          deleted.add(id);
          await api(`insights/${id}/`, { method: 'PATCH', body: JSON.stringify({ deleted: true }) });
        }
        await api('insights/', { method: 'POST', body: JSON.stringify({ name: `New ${i}`, query }) });
      }
    })();
    const pull = await ws.run(['pull']);
    stop = true;
    await churn;
    emu.setFaults({ latencyMs: 0 });
    expect(pull.code, pull.stderr).toBe(0);

    const alive = new Set(emu.project(1)?.insights.filter((i) => !i.deleted).map((i) => String(i.id)));
    const files = new Set(ws.files('posthog/insights'));
    const lost = [...before].filter(([id, key]) => alive.has(id) && !files.has(`${key}.yaml`));
    expect(lost).toEqual([]);
    // What was deleted before its page was read is gone from the files: the retrieve said so.
    expect(deleted.size).toBeGreaterThan(0);
  });
});

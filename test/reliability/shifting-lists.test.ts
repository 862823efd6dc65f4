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
const seed = (): SeedDoc => ({
  projects: [{ id: 1, name: 'Big', insights: Array.from({ length: COUNT }, (_, i) => ({ name: `Insight ${i % 400}`, query })) }],
});

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
      fetch(`${emu.url}/api/projects/1/${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
      });
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

    const alive = new Set(
      emu
        .project(1)
        ?.insights.filter((i) => !i.deleted)
        .map((i) => String(i.id)),
    );
    const files = new Set(ws.files('posthog/insights'));
    const lost = [...before].filter(([id, key]) => alive.has(id) && !files.has(`${key}.yaml`));
    expect(lost).toEqual([]);
    // What was deleted before its page was read is gone from the files: the retrieve said so.
    expect(deleted.size).toBeGreaterThan(0);
  });

  /** Deletes insights (soft, as the UI does) one after another until stopped; returns the ids it deleted. */
  function deleter(ids: string[]): { stop(): Promise<Set<string>> } {
    const deleted = new Set<string>();
    let stopped = false;
    const run = (async () => {
      for (let i = 0; !stopped && i < 300; i++) {
        const id = ids[(i * 53) % ids.length] as string;
        if (deleted.has(id)) continue;
        deleted.add(id);
        await fetch(`${emu.url}/api/projects/1/insights/${id}/`, {
          method: 'PATCH',
          headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ deleted: true }),
        });
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        await run;
        return deleted;
      },
    };
  }

  it('pull --commit while insights are deleted commits no removal of a file whose insight exists', async () => {
    emu.reset(seed());
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const before = new Map(Object.entries(ws.state().resources).map(([ref, b]) => [String(b.id), ref.slice('Insight/'.length)]));
    emu.setFaults({ latencyMs: 40 });
    const churn = deleter([...before.keys()]);
    const pull = await ws.run(['pull', '--commit']);
    const deleted = await churn.stop();
    emu.setFaults({ latencyMs: 0 });
    expect(pull.code, pull.stderr).toBe(0);
    expect(deleted.size).toBeGreaterThan(0);

    const alive = new Set(
      emu
        .project(1)
        ?.insights.filter((i) => !i.deleted)
        .map((i) => String(i.id)),
    );
    const committed = new Set(
      (await ws.git.raw(['ls-tree', '--name-only', 'HEAD', 'posthog/insights/']))
        .trim()
        .split('\n')
        .map((f) => f.slice('posthog/insights/'.length)),
    );
    const lost = [...before].filter(
      ([id, key]) => alive.has(id) && !(committed.has(`${key}.yaml`) && ws.exists(`posthog/insights/${key}.yaml`)),
    );
    expect(lost).toEqual([]);
    // Nothing new appeared, so no file was added either.
    expect(committed.size).toBeLessThanOrEqual(COUNT);
  });

  /** A pulled repository with one file in eight edited: the push writes while the list shifts. */
  async function editedRepo() {
    emu.reset(seed());
    const ws = await workspace(emu);
    expect((await ws.run(['pull', '--commit'])).code).toBe(0);
    const ids = Object.values(ws.state().resources).map((b) => String(b.id));
    for (const file of ws.files('posthog/insights').filter((_, i) => i % 8 === 0))
      ws.write(`posthog/insights/${file}`, ws.read(`posthog/insights/${file}`).replace(/^ {2}name: (.*)$/m, '  name: $1 (v2)'));
    return { ws, ids };
  }

  it('push --force while insights are deleted creates no second insight for a file whose insight exists', async () => {
    const { ws, ids } = await editedRepo();
    emu.setFaults({ latencyMs: 40 });
    const churn = deleter(ids);
    const push = await ws.run(['push', '--yes', '--force', '--concurrency', '8']);
    const deleted = await churn.stop();
    emu.setFaults({ latencyMs: 0 });
    expect(deleted.size).toBeGreaterThan(0);
    // Writes to insights deleted after they were read fail (404); the next push finishes.
    expect([0, 1]).toContain(push.code);
    const again = await ws.run(['push', '--yes', '--force']);
    expect(again.code, again.stdout + again.stderr).toBe(0);

    const live = emu.project(1)?.insights.filter((i) => !i.deleted) ?? [];
    const liveIds = new Set(live.map((i) => String(i.id)));
    // Every insight nobody deleted is still there and still bound to its file ...
    expect(ids.filter((id) => !deleted.has(id) && !liveIds.has(id))).toEqual([]);
    const bound = new Set(Object.values(ws.state().resources).map((b) => String(b.id)));
    expect(ids.filter((id) => !deleted.has(id) && !bound.has(id))).toEqual([]);
    // ... and there is exactly one live insight per file: only the deleted ones were brought back.
    expect(live).toHaveLength(COUNT);
    expect([...liveIds].filter((id) => !bound.has(id))).toEqual([]);
    expect((await ws.run(['diff'])).code).toBe(0);
  });

  // An insight deleted in PostHog whose file is still there is undeleted in place (PATCH {"deleted": false}),
  // keeping its id and short_id, as PostHog allows (posthog-api.md §2.4).
  it('push --force brings an insight deleted during the push back in place, without a POST', async () => {
    const { ws, ids } = await editedRepo();
    emu.setFaults({ latencyMs: 40 });
    emu.clearRequests();
    const churn = deleter(ids);
    await ws.run(['push', '--yes', '--force', '--concurrency', '8']);
    await churn.stop();
    emu.setFaults({ latencyMs: 0 });
    expect((await ws.run(['push', '--yes', '--force'])).code).toBe(0);
    expect(emu.requests().filter((r) => r.method === 'POST')).toEqual([]);
    expect(emu.project(1)?.insights).toHaveLength(COUNT);
  });
});

import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { testEmulator, workspace } from '../helpers/e2e.js';
import { insightFile, startCli, waitFor } from './attack-kit.js';

/**
 * Pull and push at scale under faults and kills, each against an emulator of its own: moved
 * here from the e2e suite, whose minute they took too much of, beside the other attacks.
 */

describe('pull under a kill', () => {
  it('a pull killed while writing leaves only whole YAML files, and the next pull completes', async () => {
    const insights = Array.from({ length: 3000 }, (_, i) => ({
      name: `Insight ${i}`,
      description: 'x'.repeat(390),
      query: {
        kind: 'DataTableNode',
        source: { kind: 'EventsQuery', select: Array.from({ length: 200 }, (_, c) => `properties.column_number_${c}_${i}`) },
      },
    }));
    const big = await testEmulator({ seed: { projects: [{ id: 1, name: 'Big', insights }] } });
    try {
      const ws = await workspace(big);
      const dir = join(ws.dir, 'posthog', 'insights');
      mkdirSync(dir, { recursive: true });
      const pull = startCli(ws.dir, ['pull']);
      // Kill as soon as some files exist, while others are still being written.
      await waitFor(() => readdirSync(dir).length >= 200, 10_000);
      pull.child.kill('SIGKILL');
      await pull.done;
      const written = readdirSync(dir);
      expect(written.length).toBeGreaterThan(0);
      expect(written.length).toBeLessThan(3000);
      for (const f of written.filter((n) => n.endsWith('.yaml'))) {
        const doc = parse(readFileSync(join(dir, f), 'utf8'));
        expect(doc.apiVersion, f).toBe('hogsync/v1');
        expect(doc.spec.description, f).toHaveLength(390);
        expect(doc.spec.query.source.select, f).toHaveLength(200);
      }
      const again = await ws.run(['pull']);
      expect(again.code, again.stderr).toBe(0);
      expect(readdirSync(dir).filter((n) => n.endsWith('.yaml'))).toHaveLength(3000);
      expect(readdirSync(dir).filter((n) => !n.endsWith('.yaml'))).toEqual([]);
      const diff = await ws.run(['diff']);
      expect(diff.code, diff.stdout).toBe(0);
    } finally {
      await big.close();
    }
  });
});

describe('push under failure', () => {
  it('with 20% 503s and resets after committed writes, 300 creates converge to exactly 300 resources', async () => {
    const faulty = await testEmulator({ seed: { projects: [{ id: 1, name: 'Faulty' }] } });
    try {
      const ws = await workspace(faulty);
      mkdirSync(join(ws.dir, 'posthog/insights'), { recursive: true });
      mkdirSync(join(ws.dir, 'posthog/insight-variables'), { recursive: true });
      mkdirSync(join(ws.dir, 'posthog/hog-functions'), { recursive: true });
      for (let i = 0; i < 150; i++) ws.write(`posthog/insights/i-${i}.yaml`, insightFile(`i-${i}`, `Insight ${i}`));
      for (let i = 0; i < 100; i++)
        ws.write(
          `posthog/insight-variables/v_${i}.yaml`,
          `apiVersion: hogsync/v1\nkind: InsightVariable\nkey: v_${i}\nspec:\n  name: v_${i}\n  type: Number\n  default_value: ${i}\n`,
        );
      for (let i = 0; i < 50; i++)
        ws.write(
          `posthog/hog-functions/h-${i}.yaml`,
          `apiVersion: hogsync/v1\nkind: HogFunction\nkey: h-${i}\nspec:\n  name: Hook ${i}\n  type: destination\n  hog: fetch('https://example.com', {})\n`,
        );
      faulty.setFaults({ failRate: 0.2, failStatus: 503, resetAfterCommitRate: 0.2, seed: 42 });
      let runs = 0;
      let last = { code: -1, stdout: '', stderr: '' };
      while (runs < 8) {
        runs++;
        last = await ws.run(['push', '--yes', '--concurrency', '8']);
        if (last.code === 0) break;
      }
      faulty.setFaults({ failRate: 0, resetAfterCommitRate: 0 });
      expect(last.code, last.stdout + last.stderr).toBe(0);
      const store = faulty.project(1);
      const live = {
        insights: store?.insights.filter((x) => !x.deleted).length,
        variables: store?.insightVariables.length,
        hogFunctions: store?.hogFunctions.filter((x) => !x.deleted).length,
      };
      expect(live).toEqual({ insights: 150, variables: 100, hogFunctions: 50 });
      expect(new Set(store?.insights.map((x) => x.name)).size).toBe(150);
      expect(faulty.requests().some((r) => r.fault === 'reset_after_commit')).toBe(true);
      console.log(`300 creates under faults converged in ${runs} run(s)`);
      const diff = await ws.run(['diff']);
      expect(diff.code, diff.stdout).toBe(0);
    } finally {
      await faulty.close();
    }
  });

  it('kill -9 in the middle of a 500-resource push, then push again: no duplicates, state consistent', async () => {
    const slow = await testEmulator({ seed: { projects: [{ id: 1, name: 'Slow' }] }, faults: { latencyMs: 15 } });
    try {
      const ws = await workspace(slow);
      mkdirSync(join(ws.dir, 'posthog/insights'), { recursive: true });
      for (let i = 0; i < 500; i++) ws.write(`posthog/insights/k-${i}.yaml`, insightFile(`k-${i}`, `Killed ${i}`));
      const push = startCli(ws.dir, ['push', '--yes']);
      await waitFor(() => (slow.project(1)?.insights.length ?? 0) >= 150, 15_000);
      push.child.kill('SIGKILL');
      await push.done;
      const partial = slow.project(1)?.insights.length ?? 0;
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(500);
      slow.setFaults({ latencyMs: 0 });
      const again = await ws.run(['push', '--yes']);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      const names =
        slow
          .project(1)
          ?.insights.filter((x) => !x.deleted)
          .map((x) => x.name) ?? [];
      expect(names).toHaveLength(500);
      expect(new Set(names).size).toBe(500);
      const state = ws.state();
      expect(Object.keys(state.resources)).toHaveLength(500);
      expect(ws.exists('.hogsync/state/production.journal')).toBe(false);
      expect((await ws.run(['diff'])).code).toBe(0);
    } finally {
      await slow.close();
    }
  });
});

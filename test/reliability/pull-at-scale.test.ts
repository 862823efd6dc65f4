import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testEmulator, workspace } from '../helpers/e2e.js';

// A scale check, here rather than in the default suite: its time grows with the machine's load.

/** Every resource file under a workspace's posthog/ folder. */
function allYaml(dir: string): string[] {
  const root = join(dir, 'posthog');
  return readdirSync(root).flatMap((folder) =>
    statSync(join(root, folder)).isDirectory() ? readdirSync(join(root, folder)).filter((f) => f.endsWith('.yaml')) : [],
  );
}

describe('pull at scale', () => {
  it('pulls 5,000 insights, 500 hog functions and 500 variables with the minimum of requests the page sizes allow', async () => {
    const insights = Array.from({ length: 5000 }, (_, i) => ({
      name: `Insight ${i}`,
      query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: `event_${i % 50}` }] } },
    }));
    const hogFunctions = Array.from({ length: 500 }, (_, i) => ({
      name: `Transform ${i}`,
      type: 'transformation',
      enabled: false,
      hog: 'return event',
    }));
    const variables = Array.from({ length: 500 }, (_, i) => ({ name: `Var ${i}`, type: 'Number', default_value: i }));
    const big = await testEmulator({
      seed: { projects: [{ id: 1, name: 'Big', insights, hog_functions: hogFunctions, insight_variables: variables }] },
    });
    try {
      const ws = await workspace(big);
      big.clearRequests();
      const t0 = Date.now();
      const r = await ws.run(['pull', '--output', 'json']);
      const ms = Date.now() - t0;
      expect(r.code, r.stderr).toBe(0);
      const reqs = big.requests();
      // Page size 500: 10 insight pages, 1 hog-function page, 1 variable page (fixed server size 500),
      // and one (empty) page each of dashboards, alerts, actions and cohorts.
      const minimum = Math.ceil(5000 / 500) + Math.ceil(500 / 500) + Math.ceil(500 / 500) + 4;
      console.log(`pull of 6,000 resources: ${reqs.length} requests (minimum ${minimum}), ${ms} ms`);
      expect(reqs.length).toBe(minimum);
      expect(allYaml(ws.dir)).toHaveLength(6000);
    } finally {
      await big.close();
    }
  });
});

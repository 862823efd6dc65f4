import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { testEmulator } from '../helpers/e2e.js';
import { committedRepo, freshClone, startCli, waitFor } from './attack-kit.js';

/**
 * A push that creates a dashboard with its tiles is two writes apart: the dashboard first, its
 * insights next (an insight's `dashboards` is what puts it on a dashboard), then the tiles' layouts
 * and text tiles by a second request on the dashboard. Killed anywhere in between (kill -9: no
 * state; SIGTERM: the state the run wrote, committed by the workflow's cleanup step), a push from a
 * fresh clone must leave one dashboard, one insight per file, and every tile as the files say.
 */

const LATENCY_MS = 40;
const INSIGHTS = 6;
const layout = (i: number) => ({ x: (i % 2) * 6, y: Math.floor(i / 2) * 5, w: 6, h: 5 });

function insightFile(i: number): string {
  return `apiVersion: hogsync/v1\nkind: Insight\nkey: launch-${i}\nspec:\n  name: Launch metric ${i}\n  dashboards:\n    - launch\n  query:\n    kind: DataTableNode\n    source:\n      kind: EventsQuery\n      select: ["*"]\n`;
}

function dashboardFile(): string {
  const tiles = Array.from({ length: INSIGHTS }, (_, i) => {
    const l = layout(i);
    return `    - insight: launch-${i}\n      layouts:\n        sm: {x: ${l.x}, y: ${l.y}, w: ${l.w}, h: ${l.h}}\n`;
  });
  return `apiVersion: hogsync/v1\nkind: Dashboard\nkey: launch\nspec:\n  name: Launch week\n  tiles:\n${tiles.join('')}    - text: Launch notes\n      layouts:\n        sm: {x: 0, y: 30, w: 12, h: 2}\n`;
}

const files = {
  'posthog/dashboards/launch.yaml': dashboardFile(),
  ...Object.fromEntries(Array.from({ length: INSIGHTS }, (_, i) => [`posthog/insights/launch-${i}.yaml`, insightFile(i)])),
};

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => emu.close());

const project = () => emu.project(1);
const dashboards = () => project()?.dashboards.filter((d) => d.name === 'Launch week' && !d.deleted) ?? [];
const insights = () => project()?.insights.filter((i) => !i.deleted) ?? [];
const laidOut = () =>
  (project()?.dashboardTiles ?? []).filter((t) => t.deleted !== true && JSON.stringify(t.layouts ?? {}) !== '{}').length;

// Where the run is killed: with the dashboard made but none of its insights; with some insights
// made; with every insight made but no tile laid out yet (the second request on the dashboard).
const POINTS = [
  { at: 'the dashboard made', reached: () => dashboards().length === 1 },
  { at: 'half the insights made', reached: () => insights().length >= INSIGHTS / 2 },
  { at: 'every insight made, no tile laid out', reached: () => insights().length === INSIGHTS && laidOut() === 0 },
];
const CASES = POINTS.flatMap((p) => (['SIGKILL', 'SIGTERM'] as const).map((signal) => ({ ...p, signal })));

describe('a push creating a dashboard with tiles, killed part-way, then pushed again from a fresh clone', () => {
  it.each(CASES)('$signal with $at: one dashboard, one insight per file, every tile as the file says', async ({ reached, signal }) => {
    emu.reset();
    emu.setFaults({ latencyMs: LATENCY_MS });
    const ws = await committedRepo(emu, files);
    const push = startCli(ws.dir, ['push', '--yes', '--concurrency', '1']);
    const got = await waitFor(reached, 30_000);
    push.child.kill(signal);
    const killed = await push.done;
    expect(got, `the push never got there: ${killed.stdout}${killed.stderr}`).toBe(true);
    if (signal === 'SIGTERM') {
      expect(killed.code, killed.stderr).toBe(143);
      await ws.git.add('.hogsync/state/production.json');
      await ws.git.commit('state after a cancelled push');
    } else {
      // Writes the killed process had sent still land.
      await new Promise((r) => setTimeout(r, LATENCY_MS * 3));
    }

    emu.setFaults({ latencyMs: 0 });
    const clone = await freshClone(ws);
    const again = await clone.run(['push', '--yes']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(dashboards()).toHaveLength(1);
    expect(
      insights()
        .map((i) => i.name)
        .sort(),
    ).toEqual(Array.from({ length: INSIGHTS }, (_, i) => `Launch metric ${i}`).sort());
    const tiles = (project()?.dashboardTiles ?? []).filter((t) => t.dashboard_id === dashboards()[0]?.id && t.deleted !== true);
    const byInsight = Object.fromEntries(
      tiles
        .filter((t) => t.insight_id !== null)
        .map((t) => [insights().find((i) => i.id === t.insight_id)?.name, (t.layouts as { sm?: unknown }).sm]),
    );
    expect(byInsight).toEqual(Object.fromEntries(Array.from({ length: INSIGHTS }, (_, i) => [`Launch metric ${i}`, layout(i)])));
    expect(tiles.filter((t) => t.text_id !== null)).toHaveLength(1);
    const diff = await clone.run(['diff']);
    expect(diff.code, diff.stdout).toBe(0);
  });
});

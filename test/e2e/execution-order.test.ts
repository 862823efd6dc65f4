import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { testEmulator, workspace } from '../helpers/e2e.js';

/**
 * Transformations and log transformations each have an execution order of their own
 * (TYPES_WITH_EXECUTION_ORDER in products/cdp/backend/api/hog_function.py), and PostHog's
 * rearrange takes one type per call (posthog-api.md §10).
 */

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: { projects: [{ id: 1, name: 'Orders' }] } });
});
afterAll(async () => emu.close());

const fn = (key: string, type: string, order: number, hog: string) =>
  `apiVersion: hogsync/v1\nkind: HogFunction\nkey: ${key}\nspec:\n  name: ${key}\n  type: ${type}\n  enabled: true\n  execution_order: ${order}\n  hog: ${hog}\n`;

describe('execution orders', () => {
  it('transformations and log transformations are put in their files’ order with one rearrange per type, and diff then shows nothing', async () => {
    const ws = await workspace(emu);
    mkdirSync(join(ws.dir, 'posthog/hog-functions'), { recursive: true });
    const write = (orders: [number, number, number, number]) => {
      ws.write('posthog/hog-functions/t-a.yaml', fn('t-a', 'transformation', orders[0], 'return event'));
      ws.write('posthog/hog-functions/t-b.yaml', fn('t-b', 'transformation', orders[1], 'return event'));
      ws.write('posthog/hog-functions/l-a.yaml', fn('l-a', 'transformation_log', orders[2], 'return record'));
      ws.write('posthog/hog-functions/l-b.yaml', fn('l-b', 'transformation_log', orders[3], 'return record'));
    };
    write([1, 2, 1, 2]);
    const first = await ws.run(['push', '--yes']);
    expect(first.code, first.stdout + first.stderr).toBe(0);

    write([2, 1, 2, 1]);
    emu.clearRequests();
    const second = await ws.run(['push', '--yes']);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const rearranges = emu.requests().filter((r) => r.path.endsWith('/hog_functions/rearrange/'));
    expect(rearranges.map((r) => `${r.method} ${r.status}`)).toEqual(['PATCH 200', 'PATCH 200']);
    expect(second.stdout).toContain('2 transformation position(s) set with one rearrange call');
    expect(second.stdout).toContain('2 transformation_log position(s) set with one rearrange call');
    const order = (name: string) => emu.project(1)?.hogFunctions.find((h) => h.name === name)?.execution_order;
    expect([order('t-a'), order('t-b'), order('l-a'), order('l-b')]).toEqual([2, 1, 2, 1]);
    expect((await ws.run(['diff'])).code).toBe(0);
  });
});

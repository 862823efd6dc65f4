import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace } from '../helpers/e2e.js';

/**
 * PostHog keeps Unicode letters in a code_name (`País` → `país`, products/product_analytics'
 * InsightVariable derivation, posthog-api.md §3.2), and a code_name may start with `_` or run past
 * a hundred characters: none of those can be a file's key as they are. Whatever the set of
 * code_names a project holds, pull gives each variable its own key, the files validate, and a
 * copy into an empty project makes the same code_names again.
 */

const NAMES = ['País', 'Pais', 'Año', 'Ano', '_internal', '日本', 'Région 2', `Long ${'x'.repeat(120)}`];

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({
    seed: {
      projects: [
        { id: 1, name: 'Production' },
        { id: 2, name: 'Staging' },
      ],
    },
  });
});
afterAll(async () => emu.close());

describe('variables whose code_names cannot all be keys as they are', () => {
  it('each get their own key, the pulled files validate and diff is empty, and a copy makes the same code_names', async () => {
    for (const name of NAMES) {
      const res = await fetch(`${emu.url}/api/projects/1/insight_variables/`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, type: 'String', default_value: 'x' }),
      });
      expect(res.status, name).toBe(201);
    }
    const ws = await workspace(emu, { environments: { production: { project: 1 }, staging: { project: 2 } } });
    const pull = await ws.run(['pull', '--commit']);
    expect(pull.code, pull.stderr).toBe(0);
    const files = ws.files('posthog/insight-variables');
    expect(files).toHaveLength(NAMES.length);
    // Where the code_name can be the key, it is.
    expect(files).toEqual(expect.arrayContaining(['pais.yaml', 'ano.yaml', 'pa-s-a5e60c4f.yaml']));
    expect(files.filter((f) => f.endsWith('-2.yaml'))).toEqual([]);
    const validate = await ws.run(['validate']);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    expect((await ws.run(['diff'])).code).toBe(0);

    const copy = await ws.run(['copy', '--from', 'production', '--to', 'staging', '--yes']);
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    const codes = (p: number) =>
      emu
        .project(p)
        ?.insightVariables.map((v) => v.code_name)
        .sort();
    expect(codes(2)).toEqual(codes(1));
    expect((await ws.run(['-e', 'staging', 'diff'])).code).toBe(0);
  });
});

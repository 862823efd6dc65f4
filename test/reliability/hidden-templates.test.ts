import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, SeedDoc } from '../../src/emulator/index.js';
import { testEmulator, workspace } from '../helpers/e2e.js';

/**
 * PostHog refuses every update that would leave a function built from a hidden (internal)
 * template enabled, even one that does not send `enabled`: such a function may only be disabled
 * or deleted (`_validate_hidden_template_not_enabled` in products/cdp/backend/api/hog_function.py).
 * Push must report that refusal in one line with PostHog's status, code and attr, and say what
 * the file can do about it.
 */

const HIDDEN_ID = '0190b2f3-0000-7000-8000-0000000d1ff2';
// An enabled function built from PostHog's hidden `template-email`, made before PostHog stopped creating them.
const projects: SeedDoc['projects'] = [
  {
    id: 3,
    name: 'Hidden template',
    hog_functions: [
      {
        id: HIDDEN_ID,
        name: 'Old email destination',
        type: 'destination',
        template_id: 'template-email',
        enabled: true,
        inputs_schema: [{ key: 'note', type: 'string' }],
        inputs: {},
        hog: 'return event',
      },
    ],
  },
];

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => emu.close());

describe('a function built from a hidden template (_validate_hidden_template_not_enabled)', () => {
  it('an edit that leaves it enabled is refused by PostHog, and push says so in one line with status, code and attr; disabling it in the file lets the edit through', async () => {
    emu.reset({ projects });
    const ws = await workspace(emu, { environments: { production: { project: 3 } } });
    expect((await ws.run(['pull'])).code).toBe(0);
    const file = 'posthog/hog-functions/old-email-destination.yaml';
    expect(ws.read(file)).toContain('template_id: template-email');
    ws.write(file, ws.read(file).replace('name: Old email destination', 'name: Renamed'));

    const r = await ws.run(['push', '--yes']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.includes('internal template'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `x failed HogFunction/old-email-destination (id ${HIDDEN_ID}): PostHog answered 400 (invalid_input, attr enabled) to PATCH /api/projects/3/hog_functions/${HIDDEN_ID}/: ` +
        'This function was created from an internal template and can only be disabled or deleted, not kept enabled. ' +
        `Set enabled: false in its file to push other changes to it, or remove the file and push --prune to delete it. [${file}]`,
    );
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    expect(emu.project(3)?.hogFunctions.find((f) => f.id === HIDDEN_ID)).toMatchObject({ name: 'Old email destination', enabled: true });

    ws.write(file, ws.read(file).replace('enabled: true', 'enabled: false'));
    const again = await ws.run(['push', '--yes']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(emu.project(3)?.hogFunctions.find((f) => f.id === HIDDEN_ID)).toMatchObject({ name: 'Renamed', enabled: false });
  });
});

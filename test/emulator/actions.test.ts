import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { tempDir } from '../helpers/temp.js';
import { call, project, start } from './helpers.js';

// The actions API as products/actions/backend/api/action.py has it, beyond the ported tests.
let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({
    seed: {
      projects: [
        { id: 1, name: 'Test', actions: [{ id: 40, name: 'Signed up' }] },
        { id: 2, name: 'Staging', actions: [{ id: 40, name: 'Signed up' }] },
      ],
    },
    orderSeed: 7,
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function action(body: Record<string, unknown>) {
  const r = await api().post('actions/', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe('actions: seeds and ids', () => {
  it('loads the old {id, name} seed form as full rows, and keeps one id sequence after the highest pinned id', async () => {
    const seeded = (await api().get('actions/40/')).body;
    expect(seeded).toMatchObject({
      id: 40,
      name: 'Signed up',
      steps: [],
      description: '',
      deleted: false,
      tags: [],
      created_by: expect.objectContaining({ id: 1 }),
    });
    expect((await project(emu, 2).get('actions/40/')).body.name).toBe('Signed up');
    const next = await action({ name: 'Next' });
    expect(next.id).toBe(41);
    expect((await project(emu, 2).post('actions/', { name: 'Elsewhere' })).body.id).toBe(42);
  });

  it('seeds a full action (steps, created_at) through the same validation, and refuses what PostHog would', async () => {
    emu.reset({
      projects: [
        {
          id: 1,
          name: 'Test',
          actions: [{ id: 3, name: ' Paid ', created_at: '2025-01-02T03:04:05Z', steps: [{ event: 'paid', url: ' /x ' }] }],
        },
      ],
    });
    const a = (await api().get('actions/3')).body;
    expect(a).toMatchObject({ name: 'Paid', created_at: '2025-01-02T03:04:05Z', last_calculated_at: '2025-01-02T03:04:05Z' });
    expect(a.steps[0]).toMatchObject({ event: 'paid', url: '/x', url_matching: 'contains', tag_name: null });
    expect(() => emu.reset({ projects: [{ id: 1, name: 'Test', actions: [{ name: 'A' }, { name: 'A' }] }] })).toThrow(
      /actions\[1\]: This project already has an action with this name, ID 1 \(attr name\)/,
    );
  });

  it('reads an old state file whose actions are {id, name}', async () => {
    const dir = tempDir('actions');
    const file = join(dir, 'state.json');
    const base = {
      dashboards: [],
      insights: [],
      dashboardTiles: [],
      insightVariables: [],
      hogFunctions: [],
      hogFunctionLogs: [],
      hogFunctionMetrics: [],
      nextIds: { tile: 1 },
      tagging: true,
    };
    writeFileSync(
      file,
      JSON.stringify({ version: 1, uuid_counter: 0, projects: [{ id: 1, name: 'Old', actions: [{ id: 9, name: 'Legacy' }], ...base }] }),
    );
    const old = await start({ stateFile: file });
    try {
      expect((await project(old).get('actions/9')).body).toMatchObject({ id: 9, name: 'Legacy', steps: [] });
      expect((await project(old).post('actions/', { name: 'New' })).body.id).toBe(10);
      expect((await project(old).get('cohorts')).body.count).toBe(0);
    } finally {
      await old.close();
    }
  });
});

describe('actions: list, soft delete, names', () => {
  it('lists {count, results} without pagination, live rows only, newest last_calculated_at first then name', async () => {
    emu.reset({
      projects: [
        {
          id: 1,
          name: 'Test',
          actions: [
            { name: 'b', created_at: '2025-01-01T00:00:00Z' },
            { name: 'a', created_at: '2025-01-01T00:00:00Z' },
            { name: 'newest', created_at: '2025-02-01T00:00:00Z' },
            { name: 'gone', deleted: true },
          ],
        },
      ],
    });
    const r = await api().get('actions/');
    expect(Object.keys(r.body)).toEqual(['count', 'results']);
    expect(r.body.results.map((a: { name: string }) => a.name)).toEqual(['newest', 'a', 'b']);
    expect(r.body.count).toBe(3);
    const page = (await api().get('actions/?limit=1&offset=1')).body;
    expect(page).toEqual({ count: 3, results: [expect.objectContaining({ name: 'a' })] });
    expect((await api().get('actions/?ordering=name')).body.results.map((a: { name: string }) => a.name)).toEqual(['a', 'b', 'newest']);
    expect((await api().get('actions/?search=NEW')).body.results.map((a: { name: string }) => a.name)).toEqual(['newest']);
  });

  it('soft-deletes by PATCH: gone from the list, still retrievable and patchable; the name is free again, and a restore does not re-check it', async () => {
    const first = await action({ name: 'Dup' });
    expect((await api().patch(`actions/${first.id}/`, { deleted: true })).body.deleted).toBe(true);
    expect((await api().get('actions/')).body.results.map((a: { id: number }) => a.id)).not.toContain(first.id);
    expect((await api().get(`actions/${first.id}/`)).body.deleted).toBe(true);
    const second = await action({ name: 'Dup' });
    const restored = await api().patch(`actions/${first.id}/`, { deleted: false });
    expect(restored.status).toBe(200);
    expect(
      (await api().get('actions/')).body.results
        .filter((a: { name: string }) => a.name === 'Dup')
        .map((a: { id: number }) => a.id)
        .sort(),
    ).toEqual([first.id, second.id].sort());
    expect((await api().patch(`actions/${second.id}/`, { name: 'Dup' })).body).toMatchObject({
      code: 'unique',
      detail: `This project already has an action with this name, ID ${first.id}`,
    });
  });

  it('an explicit null name is `name IS NULL`: it collides with another nameless action; an omitted name does not', async () => {
    const nameless = await action({});
    expect(nameless.name).toBeNull();
    await action({ description: 'also nameless' });
    const r = await api().post('actions/', { name: null });
    expect(r.body).toMatchObject({
      code: 'unique',
      attr: 'name',
      detail: expect.stringMatching(/^This project already has an action with this name, ID \d+$/),
    });
  });

  it('a hog function still compiles filters on a soft-deleted action (the plain manager)', async () => {
    const a = await action({ name: 'Soon gone', steps: [{ event: '$pageview' }] });
    await api().patch(`actions/${a.id}`, { deleted: true });
    const r = await api().post('hog_functions/', {
      type: 'destination',
      name: 'On action',
      hog: 'return event',
      enabled: true,
      filters: { actions: [{ id: a.id, type: 'actions' }] },
    });
    expect(r.status).toBe(201);
    expect(r.body.filters.bytecode).toEqual(expect.arrayContaining(['_H']));
  });
});

describe('actions: fields', () => {
  it('names the step and field of an error, first error only', async () => {
    const cases: Array<[unknown, string, string]> = [
      [[{ event: 'a' }, { url_matching: 'fuzzy' }], 'steps__1__url_matching', '"fuzzy" is not a valid choice.'],
      [['nope'], 'steps__0__non_field_errors', 'Invalid data. Expected a dictionary, but got str.'],
      [{ event: 'a' }, 'steps__non_field_errors', 'Expected a list of items but got type "dict".'],
      [[{ properties: ['x'] }], 'steps__0__properties__0', 'Expected a dictionary of items but got type "str".'],
      [[{ href: '' }], 'steps__0__href', 'This field may not be blank.'],
      [null, 'steps', 'This field may not be null.'],
    ];
    for (const [steps, attr, detail] of cases) {
      const r = await api().post('actions/', { name: `x${attr}`, steps });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ type: 'validation_error', attr, detail });
    }
  });

  it('keeps href, text and tag_name as sent, trims url and selector, and replaces the whole step list on update', async () => {
    const a = await action({
      name: 'spaces',
      steps: [{ href: ' /a ', text: ' t ', tag_name: ' b ', url: ' /u ', selector: ' .c ', url_matching: null, isNew: 'x' }],
    });
    expect(a.steps[0]).toMatchObject({ href: ' /a ', text: ' t ', tag_name: ' b ', url: '/u', selector: '.c', url_matching: null });
    expect(a.steps[0]).not.toHaveProperty('isNew');
    const r = await api().patch(`actions/${a.id}`, { steps: [{ event: 'only' }] });
    expect(r.body.steps).toEqual([expect.objectContaining({ event: 'only', href: null, url_matching: 'contains' })]);
  });

  it('pinned_at: the sent time on create, "" refused, a second pin keeps the first, null unpins', async () => {
    const a = await action({ name: 'pinned', pinned_at: '2024-03-04T05:06:07+02:00' });
    expect(a.pinned_at).toBe('2024-03-04T03:06:07Z');
    expect((await api().post('actions/', { name: 'blank pin', pinned_at: '' })).body).toMatchObject({
      attr: 'pinned_at',
      code: 'invalid_input',
      detail: expect.stringContaining('Datetime has wrong format'),
    });
    expect((await api().patch(`actions/${a.id}`, { pinned_at: '2030-01-01T00:00:00Z' })).body.pinned_at).toBe('2024-03-04T03:06:07Z');
    expect((await api().patch(`actions/${a.id}`, { pinned_at: null })).body.pinned_at).toBeNull();
  });

  it('last_calculated_at is writable (it orders the list); slack_message_format is capped at 1200', async () => {
    const a = await action({ name: 'old', last_calculated_at: '2020-01-01T00:00:00Z' });
    expect(a.last_calculated_at).toBe('2020-01-01T00:00:00Z');
    expect((await api().post('actions/', { name: 'long', slack_message_format: 'x'.repeat(1201) })).body).toMatchObject({
      attr: 'slack_message_format',
      code: 'max_length',
    });
  });
});

describe('actions: routes and scopes', () => {
  it('is served under /api/projects/ only, with the action scope, and DELETE is 405', async () => {
    expect((await call(emu, 'GET', '/api/environments/1/actions/')).status).toBe(404);
    const limited = await start({
      keys: [{ key: 'phx_read_only', scopes: ['action:read'] }],
      seed: { projects: [{ id: 1, name: 'T', actions: [{ id: 1, name: 'A' }] }] },
    });
    try {
      expect((await project(limited, 1, { key: 'phx_read_only' }).get('actions/1/references/')).status).toBe(200);
      expect((await project(limited, 1, { key: 'phx_read_only' }).post('actions/', { name: 'B' })).body.detail).toBe(
        "API key missing required scope 'action:write'",
      );
    } finally {
      await limited.close();
    }
    expect((await api().get('actions/abc/')).status).toBe(404);
  });
});

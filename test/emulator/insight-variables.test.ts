import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { EMPTY, project, start } from './helpers.js';

let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({ seed: EMPTY });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('insight variables', () => {
  it('derives code_name at create: trimmed name, Python isalnum (Unicode letters count), spaces to _, lower-case', async () => {
    const cases: Array<[string, string]> = [
      ['Test 1', 'test_1'],
      ['Test @#$ Var!', 'test__var'],
      ['foo  bar', 'foo__bar'],
      [' spaced ', 'spaced'],
      ['Größe Ärger', 'größe_ärger'],
      ['snake_Case-Name', 'snake_casename'],
    ];
    for (const [name, code] of cases) {
      const r = await api().post('insight_variables/', { name, type: 'String' });
      expect(r.status).toBe(201);
      expect(r.body.code_name).toBe(code);
    }
  });

  it('refuses a code_name already used in the project at create: 400 invalid_input "Variable with this code name already exists"', async () => {
    await api().post('insight_variables/', { name: 'Country', type: 'String' });
    const r = await api().post('insight_variables/', { name: 'country', type: 'List' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'Variable with this code name already exists',
      attr: null,
    });
    expect((await project(emu, 2).post('insight_variables/', { name: 'Country', type: 'String' })).status).toBe(201);
  });

  it('keeps code_name when the variable is renamed', async () => {
    const v = (await api().post('insight_variables/', { name: 'Country', type: 'String' })).body;
    const r = await api().patch(`insight_variables/${v.id}/`, { name: 'Market' });
    expect(r.body).toMatchObject({ name: 'Market', code_name: 'country' });
  });

  it('coerces values to [] for List variables and keeps the fields of the serializer', async () => {
    const list = (await api().post('insight_variables/', { name: 'Plan', type: 'List', values: null, default_value: 'free' })).body;
    expect(list).toEqual({
      id: list.id,
      name: 'Plan',
      type: 'List',
      default_value: 'free',
      created_by: 1,
      created_at: list.created_at,
      code_name: 'plan',
      values: [],
      is_multi: false,
      values_query: null,
      values_query_connection_id: null,
    });
    expect((await api().patch(`insight_variables/${list.id}/`, { values: 'nope' })).body.values).toEqual([]);
    expect((await api().patch(`insight_variables/${list.id}/`, { values: ['a', 'b'] })).body.values).toEqual(['a', 'b']);
    const str = (await api().post('insight_variables/', { name: 'S', type: 'String' })).body;
    expect(str.values).toBeNull();
    expect(list.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('returns created_by as an integer user id, not a nested object', async () => {
    const v = (await api().post('insight_variables/', { name: 'N', type: 'Number', default_value: 3 })).body;
    expect(v.created_by).toBe(1);
  });

  it('hard-deletes with DELETE, answering 204', async () => {
    const v = (await api().post('insight_variables/', { name: 'Gone', type: 'Boolean' })).body;
    const r = await api().del(`insight_variables/${v.id}/`);
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect((await api().get(`insight_variables/${v.id}/`)).status).toBe(404);
    expect(emu.project(1)?.insightVariables).toHaveLength(0);
  });

  it('validates type against its choices (invalid_choice, attr type)', async () => {
    const r = await api().post('insight_variables/', { name: 'X', type: 'Text' });
    expect(r.body).toEqual({ type: 'validation_error', code: 'invalid_choice', detail: '"Text" is not a valid choice.', attr: 'type' });
  });

  it('requires name (required, attr name), also on PUT', async () => {
    const r = await api().post('insight_variables/', { type: 'String' });
    expect(r.body).toEqual({ type: 'validation_error', code: 'required', detail: 'This field is required.', attr: 'name' });
    const v = (await api().post('insight_variables/', { name: 'X', type: 'Date' })).body;
    expect((await api().put(`insight_variables/${v.id}/`, { type: 'Date' })).body.attr).toBe('name');
    expect((await api().put(`insight_variables/${v.id}/`, { name: 'Y', type: 'Date' })).body.name).toBe('Y');
  });

  it('paginates by page number: page size 500, 1-based page, out of range 404 "Invalid page."', async () => {
    for (let n = 0; n < 3; n++) await api().post('insight_variables/', { name: `V${n}`, type: 'String' });
    const first = await api().get('insight_variables/');
    expect(first.body).toMatchObject({ count: 3, next: null, previous: null });
    expect(first.body.results).toHaveLength(3);
    expect((await api().get('insight_variables/?page=1')).status).toBe(200);
    const out = await api().get('insight_variables/?page=2');
    expect(out.status).toBe(404);
    expect(out.body).toEqual({ type: 'invalid_request', code: 'not_found', detail: 'Invalid page.', attr: null });
    expect((await api().get('insight_variables/?page=abc')).status).toBe(404);
  });

  it('coerces a List default_value to a string: null → "", a list → its first element, a number → str(); is_multi keeps a list of strings', async () => {
    const post = async (body: Record<string, unknown>) => (await api().post('insight_variables/', { type: 'List', ...body })).body;
    expect((await post({ name: 'A', default_value: null })).default_value).toBe('');
    expect((await post({ name: 'B', default_value: ['x', 'y'] })).default_value).toBe('x');
    expect((await post({ name: 'C', default_value: [] })).default_value).toBe('');
    expect((await post({ name: 'D', default_value: 3 })).default_value).toBe('3');
    expect((await post({ name: 'E', default_value: { label: 'L', value: 'v' } })).default_value).toBe('v');
    expect((await post({ name: 'F', is_multi: true, default_value: ['x', 2, null] })).default_value).toEqual(['x', '2']);
    expect((await post({ name: 'G', is_multi: true })).default_value).toEqual([]);
    const bad = await api().post('insight_variables/', { name: 'H', type: 'List', values: ['a', { b: 1 }] });
    expect(bad.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      attr: 'values',
      detail: 'List variable values must be strings or numbers (got an object at index 1). Enter each value as plain text or a number.',
    });
  });

  it('gives non-List types is_multi false and values_query null; a blank values_query is null and drops its connection id', async () => {
    const n = (
      await api().post('insight_variables/', { name: 'N', type: 'Number', is_multi: true, values_query: 'select 1', default_value: 3 })
    ).body;
    expect(n).toMatchObject({ is_multi: false, values_query: null, values_query_connection_id: null, default_value: 3 });
    const l = (await api().post('insight_variables/', { name: 'L', type: 'List', values_query: '  ', values_query_connection_id: 'abc' }))
      .body;
    expect(l).toMatchObject({ values_query: null, values_query_connection_id: null });
    const q = (
      await api().post('insight_variables/', { name: 'Q', type: 'List', values_query: ' select 1 ', values_query_connection_id: 'abc' })
    ).body;
    expect(q).toMatchObject({ values_query: 'select 1', values_query_connection_id: 'abc' });
  });
});

// Ported from PostHog's products/product_analytics/backend/api/test/test_insight_variable.py.
// Rows PostHog creates with the ORM are created through the API here (or reached through a type
// change, for values the API would normalise on a List write).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { call, project, start } from '../helpers.js';

let emu: Emulator;
const env = '/api/environments/1/insight_variables/';
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({ seed: { projects: [{ id: 1, name: 'Test' }] } });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function variable(body: Record<string, unknown>) {
  const r = await call(emu, 'POST', env, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe('test_insight_variable.py', () => {
  it('test_insight_variable.py::test_create_insight_variable', async () => {
    const v = await variable({ name: 'Test 1', type: 'String' });
    expect(v).toMatchObject({ name: 'Test 1', type: 'String', code_name: 'test_1', created_by: 1 });
    expect(v.created_at).toEqual(expect.any(String));
  });

  it('test_insight_variable.py::test_no_duplicate_code_names', async () => {
    await variable({ name: 'Test 1', type: 'String' });
    expect((await call(emu, 'POST', env, { name: 'Test 1', type: 'String' })).status).toBe(400);
    expect(emu.project(1)?.insightVariables).toHaveLength(1);
  });

  it('test_insight_variable.py::test_delete_insight_variable', async () => {
    const v = await variable({ name: 'Test Delete', type: 'String' });
    expect((await call(emu, 'DELETE', `${env}${v.id}/`)).status).toBe(204);
    expect(emu.project(1)?.insightVariables.some((x) => x.id === v.id)).toBe(false);
  });

  it('test_insight_variable.py::test_create_list_variable_coerces_null_values_to_empty_list', async () => {
    expect((await variable({ name: 'List Var', type: 'List' })).values).toEqual([]);
  });

  it('test_insight_variable.py::test_insight_variable_limit — a page holds 500', async () => {
    expect((await call(emu, 'GET', env)).status).toBe(200);
    emu.seed({
      projects: [
        { id: 1, name: 'Test', insight_variables: Array.from({ length: 501 }, (_, i) => ({ name: `Test ${i}`, type: 'String' })) },
      ],
    });
    const r = await call(emu, 'GET', env);
    expect(r.status).toBe(200);
    expect(r.body.results).toHaveLength(500);
  });

  it.each([
    ['preserves_underscores', 'my_var', 'my_var'],
    ['strips_special_chars', 'Test @#$ Var!', 'test__var'],
    ['multiple_spaces', 'foo  bar', 'foo__bar'],
    ['leading_trailing_spaces', ' spaced ', 'spaced'],
    ['mixed_alphanumeric', 'abc123', 'abc123'],
  ])('test_insight_variable.py::test_code_name_generation (%s)', async (_name, name, codeName) => {
    expect((await variable({ name, type: 'String' })).code_name).toBe(codeName);
  });

  it('test_insight_variable.py::test_update_variable_name', async () => {
    const v = await variable({ name: 'Original', type: 'String' });
    const r = await call(emu, 'PATCH', `${env}${v.id}/`, { name: 'Updated' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Updated', code_name: 'original' });
  });

  it('test_insight_variable.py::test_update_list_variable_values', async () => {
    const v = await variable({ name: 'List Var', type: 'List', values: ['a'] });
    expect((await call(emu, 'PATCH', `${env}${v.id}/`, { values: ['a', 'b', 'c'] })).body.values).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['null_values', null],
    ['dict_values', { unexpected: 'shape' }],
    ['string_values', 'not-a-list'],
  ])('test_insight_variable.py::test_list_variable_with_non_array_values_is_normalized_on_read (%s)', async (_name, stored) => {
    // The API normalises List writes, so the legacy shape is stored on a String and the type changed.
    const v = await variable({ name: 'List Var', type: 'String', values: stored });
    await call(emu, 'PATCH', `${env}${v.id}/`, { type: 'List' });
    expect(emu.project(1)?.insightVariables[0]?.values).toEqual(stored);
    const r = await call(emu, 'GET', `${env}${v.id}/`);
    expect(r.status).toBe(200);
    expect(r.body.values).toEqual([]);
  });

  it.each([
    ['null_values', null],
    ['dict_values', { unexpected: 'shape' }],
    ['string_values', 'not-a-list'],
  ])('test_insight_variable.py::test_update_list_variable_with_non_array_values_coerces_to_empty_list (%s)', async (_name, values) => {
    const v = await variable({ name: 'List Var', type: 'List', values: ['a'] });
    const r = await call(emu, 'PATCH', `${env}${v.id}/`, { values });
    expect(r.status).toBe(200);
    expect(r.body.values).toEqual([]);
    expect(emu.project(1)?.insightVariables[0]?.values).toEqual([]);
  });

  it.each([
    ['object_elements', [{ label: 'School 1', value: '1' }], 400, null],
    ['array_elements', [['nested']], 400, null],
    ['numeric_elements', [1, 2.5], 200, ['1', '2.5']],
    ['boolean_elements', [true], 200, ['true']],
    ['null_elements_dropped', [null, 'a'], 200, ['a']],
  ])('test_insight_variable.py::test_update_list_variable_values_element_shapes (%s)', async (_name, values, status, expected) => {
    const v = await variable({ name: 'List Var', type: 'List', values: ['a'] });
    const r = await call(emu, 'PATCH', `${env}${v.id}/`, { values });
    expect(r.status).toBe(status);
    const stored = emu.project(1)?.insightVariables[0]?.values;
    if (status === 200) {
      expect(r.body.values).toEqual(expected);
      expect(stored).toEqual(expected);
    } else {
      expect(r.body.attr).toBe('values');
      expect(stored).toEqual(['a']);
    }
  });

  it('test_insight_variable.py::test_update_unrelated_field_with_legacy_object_values_succeeds', async () => {
    const legacy = [{ label: 'School 1', value: '1' }];
    const v = await variable({ name: 'List Var', type: 'String', values: legacy });
    await api().patch(`insight_variables/${v.id}/`, { type: 'List' });
    const r = await api().patch(`insight_variables/${v.id}/`, { name: 'Renamed' });
    expect(r.status).toBe(200);
    expect(emu.project(1)?.insightVariables[0]).toMatchObject({ name: 'Renamed', values: legacy });
  });

  it('test_insight_variable.py::test_update_type_to_list_coerces_null_values', async () => {
    const v = await variable({ name: 'Str Var', type: 'String' });
    const r = await call(emu, 'PATCH', `${env}${v.id}/`, { type: 'List' });
    expect(r.status).toBe(200);
    expect(r.body.values).toEqual([]);
  });
});

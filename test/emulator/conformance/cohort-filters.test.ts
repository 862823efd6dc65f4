// Ported from PostHog's posthog/api/test/test_cohort.py: the filter validation cases
// (`validate_filters`, the pydantic models and `_cohort_error_message` of posthog/api/cohort.py).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { project, start } from '../helpers.js';

let emu: Emulator;
const api = () => project(emu);

beforeAll(async () => {
  emu = await start({ seed: { projects: [{ id: 1, name: 'Test' }] } });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const withValues = (name: string, values: unknown[], type = 'OR') =>
  api().post('cohorts', { name, filters: { properties: { type, values } } });
const behavioral = (extra: Record<string, unknown>) => ({
  key: '$pageview',
  type: 'behavioral',
  value: 'performed_event',
  event_type: 'events',
  ...extra,
});

describe('test_cohort.py: property validation', () => {
  it('test_cohort.py::test_cohort_property_validation_missing_operator', async () => {
    const r = await withValues('cohort missing operator', [{ key: 'some_prop', value: 'some_value', type: 'person' }]);
    expect(r.status).toBe(400);
    expect(r.body.detail).toBe('Missing required keys for person filter: operator');
    expect(r.body.attr).toBe('filters');
  });

  it('test_cohort.py::test_cohort_property_validation_missing_value', async () => {
    const r = await withValues('cohort missing value', [{ key: 'some_prop', type: 'person', operator: 'exact' }]);
    expect(r.status).toBe(400);
    expect(r.body.detail).toBe('Missing required keys for person filter: value');
  });

  it('test_cohort.py::test_cohort_property_validation_behavioral_filter — a missing event_type', async () => {
    const r = await withValues('cohort behavioral', [{ key: '$pageview', type: 'behavioral', value: 'performed_event' }]);
    expect(r.status).toBe(400);
    expect(r.body.detail).toBe('Missing required keys for behavioral filter: event_type');
  });

  it('test_cohort.py::test_cohort_property_validation_nested_groups', async () => {
    const r = await withValues('cohort nested groups', [
      {
        type: 'AND',
        values: [
          { key: 'some_prop', value: 'some_value', type: 'person', operator: 'exact' },
          { key: 'another_prop', type: 'person' },
        ],
      },
    ]);
    expect(r.status).toBe(400);
    expect(r.body.detail).toBe('Missing required keys for person filter: value, operator');
  });

  it('test_cohort.py::test_cohort_property_validation_is_set_operator — is_set needs no value', async () => {
    const r = await withValues('cohort is_set', [{ key: 'some_prop', type: 'person', operator: 'is_set' }]);
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBeNull();
  });

  it('test_cohort.py::test_cohort_property_validation_cohort_filter — a cohort leaf without its id', async () => {
    await withValues('first cohort', [{ key: 'some_prop', value: 'some_value', type: 'person', operator: 'exact' }]);
    const r = await withValues('cohort with cohort filter', [{ key: 'id', type: 'cohort' }]);
    expect(r.status).toBe(400);
    expect(r.body.detail).toBe('Missing required keys for cohort filter: value');
  });
});

describe('test_cohort.py: behavioral filters', () => {
  it('test_cohort.py::test_behavioral_filter_with_operator_and_operator_value', async () => {
    let r = await withValues('behavioral with operator', [
      behavioral({ operator: 'gte', operator_value: 5, time_value: 30, time_interval: 'day' }),
    ]);
    expect(r.status).toBe(201);
    while (r.body.is_calculating) r = await api().get(`cohorts/${r.body.id}`);
    expect(r.status).toBe(200);
  });

  it('test_cohort.py::test_behavioral_filter_missing_operator — operator is optional', async () => {
    const r = await withValues('behavioral missing operator', [behavioral({ operator_value: 5, time_value: 30, time_interval: 'day' })]);
    expect(r.status).toBe(201);
  });

  it('test_cohort.py::test_behavioral_filter_invalid_operator_value_type — a list is no integer', async () => {
    const r = await withValues('behavioral invalid operator_value', [behavioral({ operator: 'gte', operator_value: [5] })]);
    expect(r.status).toBe(400);
    expect(r.text).toContain('operator_value');
  });

  it('test_cohort.py::test_behavioral_filter_extra_field_forbidden — the pydantic text names the key', async () => {
    const r = await withValues('behavioral extra field', [behavioral({ operator: 'gte', operator_value: 5, not_a_field: 123 })]);
    expect(r.status).toBe(400);
    expect(r.text).toContain('not_a_field');
    expect(r.body.detail).toContain("'type': 'extra_forbidden'");
  });

  it('test_cohort.py::test_behavioral_filter_seq_event_types — string, integer (action id) and null seq_event', async () => {
    for (const seq of [
      { seq_event: 'reauthentication_completed', seq_event_type: 'events' },
      { seq_event: 1, seq_event_type: 'actions' },
      { seq_event: null, seq_event_type: null },
    ]) {
      const r = await withValues('behavioral seq_event', [behavioral({ ...seq, time_value: 30, time_interval: 'day' })]);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  });

  it('test_cohort.py::test_behavioral_filter_with_hogql_event_filter_and_null_value', async () => {
    const leaf = behavioral({
      negation: false,
      key: 'PaymentSuccess',
      event_filters: [
        { key: "to_date(timestamp) = current_date() - INTERVAL '3 days'", type: 'hogql', value: null },
        { key: 'planId', type: 'event', value: ['UPSC26STARTERV1'], operator: 'exact' },
      ],
      explicit_datetime: '-30d',
    });
    const r = await withValues('Cohort with HogQL Event Filter and Null Value', [{ type: 'OR', values: [leaf] }]);
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBeNull();
  });
});

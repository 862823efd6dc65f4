// Ported from PostHog's products/actions/backend/api/test/test_action.py (TestActionApi), with the
// tag tests of the older posthog/api/test/test_action.py for an organisation without the TAGGING
// feature. Rows PostHog creates with the ORM (`Action.objects.create`, `Insight.objects.create`,
// …) are created through the API here, so they have a creator and go through validation; where
// that changes an assertion, the test says so.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_API_KEY, type Emulator } from '../../../src/emulator/index.js';
import { project, start } from '../helpers.js';

const OTHER_KEY = 'phx_fake_conformance_second_user';
let emu: Emulator;
const api = () => project(emu);
const other = () => project(emu, 1, { key: OTHER_KEY });

beforeAll(async () => {
  emu = await start({
    keys: [
      { key: DEV_API_KEY, scopes: ['*'] },
      { key: OTHER_KEY, scopes: ['*'] },
    ],
    seed: {
      projects: [
        { id: 1, name: 'Test' },
        { id: 2, name: 'Other team' },
        { id: 3, name: 'No tagging', tagging: false },
      ],
    },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function action(body: Record<string, unknown>, via = api()) {
  const r = await via.post('actions/', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/**
 * PostHog's tests store `{kind: "DataTableNode", source: {kind: "TrendsQuery", …}}` with the ORM;
 * the API's query schema refuses that source under a DataTableNode, so the insight wraps it in an
 * InsightVizNode (the ActionsNode the reference search looks for is the same).
 */
const trendsOn = (id: number | string) => ({
  kind: 'InsightVizNode',
  source: { kind: 'TrendsQuery', series: [{ kind: 'ActionsNode', id }] },
});
const refs = async (id: number) => (await api().get(`actions/${id}/references/`)).body;

describe('test_action.py: create, validate, update', () => {
  it('test_action.py::test_create_action — the whole answer, steps with every ActionStepJSON key', async () => {
    const r = await api().post('actions/', {
      name: 'user signed up',
      steps: [{ text: 'sign up', selector: 'div > button', url: '/signup' }],
      description: 'Test description',
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.any(Number),
      name: 'user signed up',
      description: 'Test description',
      post_to_slack: false,
      slack_message_format: '',
      steps: [
        {
          event: null,
          properties: null,
          selector: 'div > button',
          selector_regex: expect.any(String),
          tag_name: null,
          text: 'sign up',
          text_matching: null,
          href: null,
          href_matching: null,
          url: '/signup',
          url_matching: 'contains',
        },
      ],
      created_at: expect.any(String),
      created_by: expect.objectContaining({ id: 1 }),
      pinned_at: null,
      deleted: false,
      creation_context: null,
      is_calculating: false,
      last_calculated_at: expect.any(String),
      team_id: 1,
      is_action: true,
      bytecode_error: null,
      tags: [],
      user_access_level: 'manager',
    });
  });

  it('test_action.py::test_create_action_generates_bytecode — adapted: the stored bytecode is the emulator stand-in', async () => {
    const created = await action({ name: 'user signed up', steps: [{ text: 'sign up', selector: 'div > button', url: '/signup' }] });
    // PostHog asserts the compiled `%/signup%` match; the emulator compiles nothing, but stores bytecode on every save.
    expect(emu.project(1)?.actions.find((a) => a.id === created.id)?.bytecode).toEqual(expect.arrayContaining(['_H', 1]));
  });

  it('test_action.py::test_cant_create_action_with_the_same_name — another user, code unique, the clashing id named', async () => {
    const original = await action({ name: 'user signed up' });
    const r = await other().post('actions/', { name: 'user signed up' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      type: 'validation_error',
      code: 'unique',
      detail: `This project already has an action with this name, ID ${original.id}`,
      attr: 'name',
    });
    expect(emu.project(1)?.actions).toHaveLength(1);
  });

  it('test_action.py::test_cant_create_action_with_empty_name', async () => {
    const r = await api().post('actions/', { name: '' });
    expect(r.body).toEqual({ type: 'validation_error', code: 'blank', detail: 'This field may not be blank.', attr: 'name' });
    expect(emu.project(1)?.actions).toHaveLength(0);
  });

  it('test_action.py::test_cant_create_action_with_whitespace_only_name', async () => {
    const r = await api().post('actions/', { name: '   ' });
    expect(r.body).toEqual({ type: 'validation_error', code: 'blank', detail: 'This field may not be blank.', attr: 'name' });
  });

  it('test_action.py::test_update_action — steps replaced whole, a sent created_by ignored, pinned_at set to the server time', async () => {
    const created = await action({ name: 'user signed up', steps: [{ event: '$autocapture', text: 'sign me up!' }] });
    const before = Date.now();
    const r = await other().patch(`actions/${created.id}/`, {
      name: 'user signed up 2',
      steps: [
        {
          event: '$autocapture',
          text: 'sign up NOW',
          selector: 'div > button',
          properties: [{ key: '$browser', value: 'Chrome' }],
          url: null,
        },
        { event: '$pageview', href: '/a-new-link' },
      ],
      description: 'updated description',
      created_by: { id: 1, distinct_id: 'BLKJzxHq4z2d8P1icfpg5wo4eIHaSrMtnotkwdtD8Ok', first_name: 'person', email: 'person@email.com' },
      pinned_at: '2021-12-11T00:00:00Z',
    });
    expect(r.status).toBe(200);
    expect(r.body.name).toBe('user signed up 2');
    expect(r.body.description).toBe('updated description');
    // PostHog's row came from the ORM with no creator (`assert not created_by`); here it keeps its API creator.
    expect(r.body.created_by.id).toBe(1);
    expect(r.body.steps).toEqual([
      {
        event: '$autocapture',
        properties: [{ key: '$browser', value: 'Chrome' }],
        selector: 'div > button',
        selector_regex: expect.any(String),
        tag_name: null,
        text: 'sign up NOW',
        text_matching: null,
        href: null,
        href_matching: null,
        url: null,
        url_matching: 'contains',
      },
      {
        event: '$pageview',
        properties: null,
        selector: null,
        selector_regex: null,
        tag_name: null,
        text: null,
        text_matching: null,
        href: '/a-new-link',
        href_matching: null,
        url: null,
        url_matching: 'contains',
      },
    ]);
    // PostHog (frozen at 2021-12-12) reports "2021-12-12T00:00:00+00:00": its own now, as Python's isoformat.
    expect(r.body.pinned_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    expect(Date.parse(r.body.pinned_at)).toBeGreaterThanOrEqual(before - 1000);
    expect((await api().get(`actions/${created.id}/`)).body.pinned_at).toMatch(/Z$/);
  });

  it('test_action.py::test_update_action_remove_all_steps', async () => {
    const created = await action({ name: 'user signed up', steps: [{ text: 'sign me up!' }] });
    const r = await api().patch(`actions/${created.id}/`, { name: 'user signed up 2', steps: [] });
    expect(r.status).toBe(200);
    expect(r.body.steps).toHaveLength(0);
  });

  it('test_action.py::test_http_to_https — a plain create answers 201', async () => {
    expect((await api().post('actions/', { name: 'user signed up again' })).status).toBe(201);
  });

  it('test_action.py::test_create_action_event_with_space — event names are not trimmed', async () => {
    const created = await action({ name: 'test event', steps: [{ event: 'test_event ' }] });
    expect(emu.project(1)?.actions.find((a) => a.id === created.id)?.steps[0]?.event).toBe('test_event ');
  });

  it('test_action.py::test_hard_deletion_is_forbidden — DELETE is 405', async () => {
    const created = await action({
      name: 'user signed up',
      steps: [{ text: 'sign up', selector: 'div > button', url: '/signup', isNew: 'asdf' }],
      description: 'Test description',
    });
    const r = await api().del(`actions/${created.id}`);
    expect(r.status).toBe(405);
    expect(r.text).toBe('');
  });
});

describe('test_action.py: tags', () => {
  it('test_action.py::test_create_action_with_tags', async () => {
    const r = await api().post('actions/', { name: 'Default', tags: ['random', 'hello'] });
    expect(r.status).toBe(201);
    expect([...r.body.tags].sort()).toEqual(['hello', 'random']);
  });

  it('test_action.py::test_update_action_tags / test_get_tags_returns_list', async () => {
    const created = await action({ name: 'private dashboard', tags: ['random'] });
    expect((await api().get(`actions/${created.id}`)).body.tags).toEqual(['random']);
    const r = await api().patch(`actions/${created.id}`, {
      name: 'action new name',
      tags: ['random', 'hello'],
      description: 'Internal system metrics.',
    });
    expect([...r.body.tags].sort()).toEqual(['hello', 'random']);
  });

  it('test_action.py::test_undefined_tags_allows_other_props_to_update / test_empty_tags_clears_all_tags', async () => {
    const created = await action({ name: 'private action', tags: ['random'] });
    const kept = await api().patch(`actions/${created.id}`, { name: 'action new name', description: 'Internal system metrics.' });
    expect(kept.body).toMatchObject({ name: 'action new name', description: 'Internal system metrics.', tags: ['random'] });
    expect((await api().patch(`actions/${created.id}`, { tags: [] })).body.tags).toEqual([]);
  });

  it('posthog/api/test/test_action.py::test_create_tags_on_non_ee_not_allowed — without TAGGING, tags are dropped', async () => {
    const r = await project(emu, 3).post('actions/', { name: 'Default', tags: ['random', 'hello'] });
    expect(r.status).toBe(201);
    expect(r.body.tags).toEqual([]);
  });
});

describe('test_action.py: references', () => {
  it('test_action.py::test_references_returns_insight_using_action', async () => {
    const a = await action({ name: 'test action', steps: [{ event: '$pageview' }] });
    const insight = (await api().post('insights/', { name: 'My insight', query: trendsOn(a.id) })).body;
    const data = await refs(a.id);
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ type: 'insight', name: 'My insight', id: insight.short_id, url: `/insights/${insight.short_id}` });
  });

  it('test_action.py::test_references_returns_insight_with_legacy_filters', async () => {
    const a = await action({ name: 'test action', steps: [{ event: '$pageview' }] });
    await api().post('insights/', { name: 'Legacy insight', filters: { actions: [{ id: a.id, type: 'actions' }] } });
    expect(await refs(a.id)).toEqual([expect.objectContaining({ type: 'insight', name: 'Legacy insight' })]);
  });

  it("test_action.py::test_references_returns_cohort_using_action — adapted: the API needs the leaf's value", async () => {
    const a = await action({ name: 'test action', steps: [{ event: '$pageview' }] });
    // PostHog writes the cohort with the ORM; through the API a behavioural leaf needs `value`.
    const leaf = { type: 'behavioral', event_type: 'actions', key: a.id, value: 'performed_event' };
    const cohort = (
      await api().post('cohorts/', {
        name: 'My cohort',
        filters: { properties: { type: 'AND', values: [{ type: 'AND', values: [leaf] }] } },
      })
    ).body;
    expect(await refs(a.id)).toEqual([expect.objectContaining({ type: 'cohort', name: 'My cohort', url: `/cohorts/${cohort.id}` })]);
  });

  it('test_action.py::test_references_returns_hog_function_using_action / test_references_matches_action_id_stored_as_string', async () => {
    const a = await action({ name: 'test action', steps: [{ event: '$pageview' }] });
    const hf = (
      await api().post('hog_functions/', {
        type: 'destination',
        name: 'My destination',
        hog: 'return event',
        filters: { actions: [{ id: String(a.id), type: 'actions' }] },
      })
    ).body;
    expect(await refs(a.id)).toEqual([
      expect.objectContaining({ type: 'hog_function', id: hf.id, name: 'My destination', url: `/functions/${hf.id}` }),
    ]);
  });

  it('test_action.py::test_references_returns_empty_list_when_no_references', async () => {
    const a = await action({ name: 'orphan action', steps: [{ event: '$pageview' }] });
    expect(await refs(a.id)).toEqual([]);
  });

  it('test_action.py::test_references_does_not_return_deleted_insights / _cohorts / _hog_functions', async () => {
    const a = await action({ name: 'test action', steps: [{ event: '$pageview' }] });
    const insight = (await api().post('insights/', { name: 'Deleted insight', query: trendsOn(a.id) })).body;
    await api().patch(`insights/${insight.id}`, { deleted: true });
    const leaf = { type: 'behavioral', event_type: 'actions', key: a.id, value: 'performed_event' };
    const cohort = (await api().post('cohorts/', { name: 'Deleted cohort', filters: { properties: { type: 'AND', values: [leaf] } } }))
      .body;
    await api().patch(`cohorts/${cohort.id}`, { deleted: true });
    const hf = (
      await api().post('hog_functions/', {
        type: 'destination',
        name: 'Deleted destination',
        hog: 'return event',
        filters: { actions: [{ id: String(a.id), type: 'actions' }] },
      })
    ).body;
    await api().patch(`hog_functions/${hf.id}`, { deleted: true });
    expect(await refs(a.id)).toEqual([]);
  });

  it('test_action.py::test_references_does_not_return_other_team_resources', async () => {
    const a = await action({ name: 'test action', steps: [{ event: '$pageview' }] });
    expect((await project(emu, 2).post('insights/', { name: 'Other team insight', query: trendsOn(a.id) })).status).toBe(201);
    expect(await refs(a.id)).toEqual([]);
  });

  it('test_action.py::test_include_reference_count_param_adds_count_to_list / test_list_without_include_reference_count_omits_count', async () => {
    const used = await action({ name: 'action with refs', steps: [{ event: '$pageview' }] });
    const unused = await action({ name: 'action without refs', steps: [{ event: '$pageleave' }] });
    await api().post('insights/', { name: 'Referencing insight', query: trendsOn(used.id) });
    const counts = (await api().get('actions/?include_reference_count=1')).body.results.map(
      (r: { id: number; reference_count: number }) => [r.id, r.reference_count],
    );
    expect(Object.fromEntries(counts)).toEqual({ [used.id]: 1, [unused.id]: 0 });
    for (const r of (await api().get('actions/')).body.results) expect(r).not.toHaveProperty('reference_count');
  });

  it('test_action.py::test_include_reference_count_counts_across_all_resource_types — adapted: no experiments in the emulator', async () => {
    const a = await action({ name: 'widely used action', steps: [{ event: '$pageview' }] });
    await api().post('insights/', { name: 'Insight ref', query: trendsOn(a.id) });
    const leaf = { type: 'behavioral', event_type: 'actions', key: a.id, value: 'performed_event' };
    await api().post('cohorts/', {
      name: 'Cohort ref',
      filters: { properties: { type: 'AND', values: [{ type: 'AND', values: [leaf] }] } },
    });
    await api().post('hog_functions/', {
      type: 'destination',
      name: 'Hog function ref',
      hog: 'return event',
      filters: { actions: [{ id: String(a.id), type: 'actions' }] },
    });
    // PostHog counts 4 with an experiment; experiments are not emulated.
    expect((await api().get('actions/?include_reference_count=1')).body.results[0].reference_count).toBe(3);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { call, DEV_API_KEY, EMPTY, project, start } from './helpers.js';

let emu: Emulator;
const READER = 'phx_fake_reader_key';
const WRITER = 'phx_fake_writer_key';
const SCOPED = 'phx_fake_project_two_key';

beforeAll(async () => {
  emu = await start({
    seed: EMPTY,
    keys: [
      { key: DEV_API_KEY, scopes: ['*'] },
      { key: READER, scopes: ['insight:read'] },
      { key: WRITER, scopes: ['insight:write', 'hog_function:read'] },
      { key: SCOPED, scopes: ['*'], projects: [2] },
    ],
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('routing', () => {
  it('serves insights and variables under both /api/projects/{id}/ and /api/environments/{id}/ (register_legacy_dual_route)', async () => {
    const created = await call(emu, 'POST', '/api/environments/1/insight_variables/', { name: 'Country', type: 'String' });
    expect(created.status).toBe(201);
    const viaProjects = await call(emu, 'GET', `/api/projects/1/insight_variables/${created.body.id}/`);
    expect(viaProjects.body.code_name).toBe('country');
    for (const path of ['insights/', 'insight_variables/', '']) {
      expect((await call(emu, 'GET', `/api/environments/1/${path}`)).status).toBe(200);
      expect((await call(emu, 'GET', `/api/projects/1/${path}`)).status).toBe(200);
    }
  });

  it('serves hog functions under both forms (register_legacy_dual_route_team_nested_viewset, posthog/api/__init__.py), their templates under /api/projects/{id}/ only', async () => {
    for (const path of ['hog_functions/', 'hog_functions/icons/?query=x']) {
      expect((await call(emu, 'GET', `/api/projects/1/${path}`)).status).toBe(200);
      expect((await call(emu, 'GET', `/api/environments/1/${path}`)).status).toBe(200);
    }
    expect((await call(emu, 'GET', '/api/projects/1/hog_function_templates/')).status).toBe(200);
    const env = await call(emu, 'GET', '/api/environments/1/hog_function_templates/');
    expect(env.status).toBe(404);
    expect(env.body).toMatchObject({ type: 'invalid_request', code: 'not_found' });
  });

  it('accepts paths with or without the trailing slash (trailing_slash = "/?")', async () => {
    expect((await call(emu, 'GET', '/api/projects/1/insights')).status).toBe(200);
    expect((await call(emu, 'GET', '/api/projects/1/insights/')).status).toBe(200);
    expect((await call(emu, 'GET', '/api/projects/1')).body.id).toBe(1);
  });

  it("resolves @current to the key's first project", async () => {
    expect((await call(emu, 'GET', '/api/projects/@current/')).body).toMatchObject({ id: 1, name: 'Test' });
    expect((await call(emu, 'GET', '/api/projects/@current/', undefined, { key: SCOPED })).body).toMatchObject({ id: 2, name: 'Other' });
  });

  it('GET /api/projects/{id}/ returns the project {id, name, ...} without a real-looking token', async () => {
    const r = await call(emu, 'GET', '/api/projects/2/');
    expect(r.body).toMatchObject({ id: 2, name: 'Other', timezone: 'UTC' });
    expect(r.body.api_token).not.toMatch(/phc_[A-Za-z0-9]{20,}/);
  });

  it('answers unknown routes 404 in the error envelope', async () => {
    for (const path of ['/api/projects/1/feature_flags/', '/api/nothing', '/elsewhere']) {
      const r = await call(emu, 'GET', path);
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ type: 'invalid_request', code: 'not_found', detail: 'Not found.', attr: null });
    }
  });
});

describe('auth', () => {
  it('accepts the key as a Bearer header or as ?personal_api_key=', async () => {
    expect((await call(emu, 'GET', '/api/projects/1/insights/')).status).toBe(200);
    const q = await call(emu, 'GET', `/api/projects/1/insights/?personal_api_key=${DEV_API_KEY}`, undefined, { key: null });
    expect(q.status).toBe(200);
  });

  it("answers an invalid key 401 authentication_failed with PostHog's message", async () => {
    const r = await call(emu, 'GET', '/api/projects/1/insights/', undefined, { key: 'phx_fake_not_a_key' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({
      type: 'authentication_error',
      code: 'authentication_failed',
      detail: 'Personal API key found in request Authorization header is invalid.',
      attr: null,
    });
    const q = await call(emu, 'GET', '/api/projects/1/insights/?personal_api_key=nope', undefined, { key: null });
    expect(q.body.detail).toBe('Personal API key found in request query string is invalid.');
  });

  it('answers a request without credentials 401 not_authenticated', async () => {
    const r = await call(emu, 'GET', '/api/projects/1/insights/', undefined, { key: null });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({
      type: 'authentication_error',
      code: 'not_authenticated',
      detail: 'Authentication credentials were not provided.',
      attr: null,
    });
  });

  it('answers a missing scope 403 permission_denied "API key missing required scope \'insight:write\'"', async () => {
    const p = project(emu, 1, { key: READER });
    expect((await p.get('insights/')).status).toBe(200);
    const w = await p.post('insights/', { name: 'x' });
    expect(w.status).toBe(403);
    expect(w.body).toEqual({
      type: 'authentication_error',
      code: 'permission_denied',
      detail: "API key missing required scope 'insight:write'",
      attr: null,
    });
    expect((await p.get('hog_functions/')).body.detail).toBe("API key missing required scope 'hog_function:read'");
    expect((await p.get('insight_variables/')).body.detail).toBe("API key missing required scope 'insight_variable:read'");
    expect((await p.get('')).body.detail).toBe("API key missing required scope 'project:read'");
  });

  it('lets :write satisfy :read, and * satisfy everything', async () => {
    const p = project(emu, 1, { key: WRITER });
    expect((await p.get('insights/')).status).toBe(200);
    expect((await p.post('insights/', { name: 'ok' })).status).toBe(201);
    expect((await p.get('hog_functions/')).status).toBe(200);
    expect((await p.post('hog_functions/', { hog: 'return 1' })).body.detail).toBe("API key missing required scope 'hog_function:write'");
  });

  it('answers a key scoped to other projects 403 "API key does not have access to the requested project: ID N."', async () => {
    const r = await project(emu, 1, { key: SCOPED }).get('insights/');
    expect(r.status).toBe(403);
    expect(r.body.detail).toBe('API key does not have access to the requested project: ID 1.');
    expect((await project(emu, 2, { key: SCOPED }).get('insights/')).status).toBe(200);
  });

  it('answers an unknown project 404', async () => {
    const r = await project(emu, 99).get('insights/');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('not_found');
    expect((await project(emu, 99, { key: SCOPED }).get('insights/')).status).toBe(404);
  });
});

describe('error envelope', () => {
  it('answers a malformed JSON body 400 parse_error', async () => {
    const r = await project(emu).post('insights/', undefined, { rawBody: '{"name": ' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ type: 'invalid_request', code: 'parse_error', attr: null });
    expect(r.body.detail).toMatch(/^JSON parse error - /);
  });

  it('reports only the first validation error, nested attrs joined with __, `invalid` renamed `invalid_input`', async () => {
    const r = await project(emu).post('hog_functions/', {
      hog: 'return 1',
      inputs_schema: [{ key: 'url', type: 'string', required: true }, { type: 'nope' }],
      execution_order: 'x',
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      type: 'validation_error',
      code: 'invalid_choice',
      detail: '"nope" is not a valid choice.',
      attr: 'inputs_schema__1__type',
    });
    const inputs = await project(emu).post('hog_functions/', {
      hog: 'return 1',
      inputs_schema: [{ key: 'url', type: 'string', required: true }],
    });
    expect(inputs.body).toEqual({
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'This field is required.',
      attr: 'inputs__url',
    });
  });

  it('refuses a method the viewset has no action for, as APIScopePermission does for personal API keys', async () => {
    const r = await project(emu).post('insights/1/', {});
    expect(r.status).toBe(403);
    expect(r.body.detail).toBe('This action does not support Personal API Key access');
  });

  it('answers an unsupported Content-Type 415', async () => {
    const r = await project(emu).post('insights/', undefined, { rawBody: 'name=x', headers: { 'Content-Type': 'text/plain' } });
    expect(r.status).toBe(415);
    expect(r.body.code).toBe('unsupported_media_type');
  });
});

it('answers a bug in the emulator 500 server_error with no stack trace', async () => {
  const broken = await start({
    seed: EMPTY,
    log: () => {},
    executor: {
      invoke() {
        throw new Error('boom at secret/path.ts:12');
      },
    },
  });
  try {
    const r = await project(broken).post('hog_functions/new/invocations/', {
      configuration: { hog: 'return 1' },
      globals: { event: { event: '$pageview', properties: {} } },
    });
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ type: 'server_error', code: 'error', detail: 'A server error occurred.', attr: null });
    expect(r.text).not.toContain('boom');
  } finally {
    await broken.close();
  }
});

it('answers OPTIONS with DRF metadata when the key can read the viewset', async () => {
  const r = await call(emu, 'OPTIONS', '/api/projects/1/insights/');
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ name: 'Insights List', renders: ['application/json'] });
  expect((await call(emu, 'OPTIONS', '/api/projects/1/hog_functions/', undefined, { key: READER })).status).toBe(403);
});

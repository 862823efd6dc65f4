// Read-only catalogue endpoints: the project itself and hog function templates.
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { notFound } from './errors.js';
import { templateOut } from './hog-function-read.js';
import { TEMPLATES } from './hog-function-template-data.js';
import { shortHash } from './ids.js';
import type { JsonObject } from './json.js';
import { limitOffset } from './pagination.js';
import type { Route } from './router.js';
import type { ProjectStore } from './types.js';

function projectOut(p: ProjectStore): JsonObject {
  const h = shortHash(`project:${p.id}`, 32);
  return {
    id: p.id,
    uuid: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`,
    organization: '01900000-0000-4000-8000-000000000001',
    name: p.name,
    // Deliberately not shaped like a real project token (no long alphanumeric run after phc_).
    api_token: `phc_fake_emulator_project_${p.id}`,
    timezone: 'UTC',
    is_demo: false,
    access_control: false,
    has_group_types: false,
    test_account_filters: [],
    test_account_filters_default_checked: false,
    data_attributes: ['data-attr'],
    completed_snippet_onboarding: true,
  };
}

function templates(req: ApiRequest): ApiResponse {
  const q = req.url.searchParams;
  const types = q.get('types')?.split(',') ?? [q.get('type') ?? 'destination'];
  const templateId = q.get('template_id');
  const found = TEMPLATES.filter(
    (t) => types.includes(t.type) && t.status !== 'deprecated' && t.status !== 'hidden' && (!templateId || t.id === templateId),
  );
  return json(200, limitOffset(req.url, [...found], templateOut));
}

function template(req: ApiRequest): ApiResponse {
  const t = TEMPLATES.find((x) => x.id === req.params.template_id);
  if (!t) throw notFound();
  return json(200, templateOut(t));
}

export const catalogRoutes: Route[] = [
  {
    path: '',
    scope: 'project',
    bucket: 'crud',
    methods: { GET: { action: 'retrieve', write: false, handler: (req) => json(200, projectOut(req.project)) } },
  },
  {
    path: 'hog_function_templates',
    scope: 'hog_function',
    bucket: 'crud',
    methods: { GET: { action: 'list', write: false, handler: templates } },
  },
  {
    path: 'hog_function_templates/:template_id',
    scope: 'hog_function',
    bucket: 'crud',
    methods: { GET: { action: 'retrieve', write: false, handler: template } },
  },
];

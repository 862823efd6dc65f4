import { isObject, type Json, type JsonObject } from '../json.js';
import { defineKind } from './define.js';
import { dropDefaults, fillDefaults, omit, pick, tagSet, text, trimFields, trimString } from './normalize.js';
import { linksIn } from './query-refs.js';

// ActionSerializer (posthog/api/action.py; posthog-api-kinds.md §3.2). `pinned_at` is a time the
// server sets (it keeps its own clock on update), so files say `pinned: true`; `is_calculating`,
// `last_calculated_at`, `bytecode_error`, `creation_context` and the creator are server-managed.
const WRITABLE = ['name', 'description', 'tags', 'post_to_slack', 'slack_message_format', 'pinned', 'steps'] as const;

const DEFAULTS: Record<string, Json> = {
  description: '',
  tags: [],
  post_to_slack: false,
  slack_message_format: '',
  pinned: false,
  steps: [],
};

/** Sent on update for fields a file removed (an action's steps are replaced as a whole). */
const CLEARED: Record<string, Json> = { description: '', tags: [], post_to_slack: false, slack_message_format: '', steps: [] };

// ActionStepJSON (posthog/models/action/action.py): PostHog stores every key of a step, null when
// unset, `url_matching` "contains" when absent; `selector_regex` is computed from `selector`.
const STEP_FIELDS = [
  'event',
  'properties',
  'selector',
  'tag_name',
  'text',
  'text_matching',
  'href',
  'href_matching',
  'url',
  'url_matching',
] as const;

function normalizeStep(step: Json): Json {
  if (!isObject(step)) return step;
  const out = pick(step, STEP_FIELDS);
  // ActionStepJSONSerializer's `url` is a trimmed CharField.
  const url = trimString(out.url);
  if (url !== undefined) out.url = url;
  return dropDefaults(out, { url_matching: 'contains', properties: [] });
}

function normalize(spec: JsonObject): JsonObject {
  const out = pick(spec, WRITABLE);
  trimFields(out, ['name', 'description']);
  if (out.tags !== undefined) out.tags = tagSet(out.tags);
  if (Array.isArray(out.steps)) out.steps = out.steps.map(normalizeStep);
  return dropDefaults(out, DEFAULTS);
}

const action = defineKind({
  kind: 'Action',
  cliName: 'action',
  folder: 'actions',
  apiPath: 'actions/',
  // ActionViewSet.list is not paginated: one answer holds every action.
  pagination: 'none',
  rateBucket: 'crud',
  scope: 'action',
  deleteStyle: 'soft',
  refsType: 'actions',
  idFormat: 'integer',
  // Step filters may name cohorts, and cohorts may name actions: they wait for each other one by one.
  dependsOn: [],
  refersTo: ['Cohort'],
  // A second live action with the same name is refused ("This project already has an action with this name").
  autoAdopt: true,
  createOnly: [],
  sentAs: { pinned: 'pinned_at' },
  fieldOrder: ['name', 'description', 'tags', 'pinned', 'post_to_slack', 'slack_message_format', 'steps'],
  schema: 'action.schema.json',

  remoteId: (raw) => raw.id as number,
  keyHint: (raw) => text(raw.name) || `action-${String(raw.id)}`,
  naturalKey: (spec) => text(spec.name) || undefined,

  toSpec: (raw) => ({ ...pick(raw, WRITABLE), pinned: raw.pinned_at !== null && raw.pinned_at !== undefined && raw.pinned_at !== '' }),
  normalize,
  toBody(spec, _refs, mode) {
    const body = omit(spec, ['pinned']);
    // A truthy pinned_at pins (PostHog then keeps its own time); null unpins.
    if (spec.pinned === true) body.pinned_at = new Date().toISOString();
    else if (mode === 'update') body.pinned_at = null;
    return mode === 'update' ? fillDefaults(body, CLEARED) : body;
  },

  codePaths: () => [],
  varPaths: () => [],
  secrets: () => [],
  links: (spec) =>
    Array.isArray(spec.steps)
      ? spec.steps.flatMap((step, i) => (isObject(step) ? linksIn(step.properties ?? null, `/steps/${i}/properties`) : []))
      : [],
});

export default action;

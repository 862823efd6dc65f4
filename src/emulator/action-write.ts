// ActionSerializer / ActionStepJSONSerializer writes (products/actions/backend/api/action.py) on
// the Action model (products/actions/backend/models/action.py): field checks in Meta.fields
// order, `validate` (blank name, then a name another live action uses), steps stored as
// `asdict(ActionStepJSON(**step))`, `pinned_at` handled by `update`.
import { nowDrf } from './dates.js';
import { drfDateTime, pythonIsoformat } from './drf-datetime.js';
import { booleanField, charField, choiceField, dictField, ErrorCollector, listField, nestedObject } from './drf-fields.js';
import { fail } from './errors.js';
import { filtersBytecode } from './hog-bytecode.js';
import { clone, pyTypeName, type Json, type JsonObject } from './json.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredAction } from './types.js';

const MATCHING = ['contains', 'regex', 'exact'] as const;

/** The `ActionStepJSON` dataclass: every key, in its order, with its default. */
const STEP_DEFAULTS: JsonObject = {
  tag_name: null,
  text: null,
  text_matching: null,
  href: null,
  href_matching: null,
  selector: null,
  url: null,
  url_matching: 'contains',
  event: null,
  properties: null,
};

type Path = Array<string | number>;

/** One step, fields in the serializer's declared order; `trim_whitespace=False` where PostHog says so. */
function validateStep(raw: unknown, path: Path): JsonObject {
  const body = nestedObject(raw, [...path, 'non_field_errors']);
  const out: JsonObject = {};
  const c = new ErrorCollector();
  const has = (k: string) => Object.hasOwn(body, k);
  const text = (key: string, trim: boolean) => {
    if (has(key)) c.run(() => (out[key] = charField(body[key], [...path, key], { allowNull: true, trim })));
  };
  const matching = (key: string) => {
    if (has(key)) c.run(() => (out[key] = choiceField(body[key], [...path, key], MATCHING, true)));
  };
  text('event', false);
  if (has('properties')) {
    c.run(() => {
      if (body.properties === null) return void (out.properties = null);
      const list = listField(body.properties, [...path, 'properties']);
      const items = new ErrorCollector();
      list.forEach((item, i) => items.run(() => dictField(item, [...path, 'properties', i])));
      items.throwIfAny();
      out.properties = clone(list);
    });
  }
  text('selector', true);
  text('tag_name', false);
  text('text', false);
  matching('text_matching');
  text('href', false);
  matching('href_matching');
  text('url', true);
  matching('url_matching');
  c.throwIfAny();
  return {
    ...STEP_DEFAULTS,
    ...Object.fromEntries(
      Object.keys(STEP_DEFAULTS)
        .filter((k) => k in out)
        .map((k) => [k, out[k] as Json]),
    ),
  };
}

function validateSteps(raw: unknown): JsonObject[] {
  // ListSerializer: null is refused by the field, a non-list under non_field_errors.
  if (raw === null) fail(['steps'], 'This field may not be null.', 'null');
  if (!Array.isArray(raw)) fail(['steps', 'non_field_errors'], `Expected a list of items but got type "${pyTypeName(raw)}".`, 'not_a_list');
  const list = raw as Json[];
  const c = new ErrorCollector();
  const out = list.map((s, i) => {
    let step: JsonObject = {};
    c.run(() => (step = validateStep(s, ['steps', i])));
    return step;
  });
  c.throwIfAny();
  return out;
}

/** TaggedItemSerializerMixin: stripped, lower-cased, de-duplicated. */
function tagList(value: unknown): string[] {
  const out: string[] = [];
  for (const t of listField(value, ['tags'])) {
    const tag = String(t).trim().toLowerCase();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

interface ActionFields {
  name?: string | null;
  description?: string;
  tags?: string[];
  post_to_slack?: boolean;
  slack_message_format?: string;
  steps?: JsonObject[];
  deleted?: boolean;
  last_calculated_at?: string;
  pinned_at?: string | null;
}

function validate(project: ProjectStore, raw: unknown, instance: StoredAction | undefined): ActionFields {
  const body = nestedObject(raw, ['non_field_errors']);
  const has = (k: string) => Object.hasOwn(body, k);
  const f: ActionFields = {};
  const c = new ErrorCollector();
  if (has('name')) c.run(() => (f.name = charField(body.name, ['name'], { allowNull: true, allowBlank: true, maxLength: 400 })));
  if (has('description')) c.run(() => (f.description = charField(body.description, ['description'], { allowBlank: true }) as string));
  if (has('tags')) c.run(() => (f.tags = tagList(body.tags)));
  if (has('post_to_slack')) c.run(() => (f.post_to_slack = booleanField(body.post_to_slack, ['post_to_slack']) as boolean));
  if (has('slack_message_format')) {
    c.run(
      () =>
        (f.slack_message_format = charField(body.slack_message_format, ['slack_message_format'], {
          allowBlank: true,
          maxLength: 1200,
        }) as string),
    );
  }
  if (has('steps')) c.run(() => (f.steps = validateSteps(body.steps)));
  if (has('deleted')) c.run(() => (f.deleted = booleanField(body.deleted, ['deleted']) as boolean));
  if (has('last_calculated_at'))
    c.run(() => (f.last_calculated_at = drfDateTime(body.last_calculated_at, ['last_calculated_at'], false) as string));
  if (has('pinned_at')) c.run(() => (f.pinned_at = drfDateTime(body.pinned_at, ['pinned_at'], true)));
  if (has('_create_in_folder')) c.run(() => charField(body._create_in_folder, ['_create_in_folder'], { allowBlank: true }));
  c.throwIfAny();
  // ActionSerializer.validate: a blank name first, then one a live action of the team already has.
  // `filter(name=None)` is `name IS NULL`, so an explicit null collides with another nameless action.
  if (f.name !== undefined && f.name !== null && f.name.trim() === '') fail(['name'], 'This field may not be blank.', 'blank');
  if (f.name !== undefined) {
    const clash = project.actions.find((a) => !a.deleted && a.name === f.name && a.id !== instance?.id);
    if (clash) fail(['name'], `This project already has an action with this name, ID ${clash.id}`, 'unique');
  }
  return f;
}

/** `Action.refresh_bytecode` on every save: the emulator's stand-in for `action_to_expr` compiled. */
function refreshBytecode(action: StoredAction): void {
  action.bytecode = filtersBytecode({ steps: action.steps });
  action.bytecode_error = null;
}

export interface ActionExtras {
  id?: number;
  created_at?: string;
}

export function createAction(
  store: EmulatorStore,
  project: ProjectStore,
  raw: unknown,
  userId: number,
  extras: ActionExtras = {},
): StoredAction {
  const f = validate(project, raw, undefined);
  if (extras.id !== undefined && project.actions.some((a) => a.id === extras.id))
    throw new Error(`Action id ${extras.id} already exists in project ${project.id}`);
  const now = extras.created_at ?? nowDrf();
  const action: StoredAction = {
    id: store.allocateActionId(extras.id),
    name: f.name ?? null,
    description: f.description ?? '',
    tags: project.tagging ? (f.tags ?? []) : [],
    post_to_slack: f.post_to_slack ?? false,
    slack_message_format: f.slack_message_format ?? '',
    steps: f.steps ?? [],
    created_at: now,
    created_by: userId,
    deleted: f.deleted ?? false,
    // `last_calculated_at` defaults to timezone.now: the creation time, never recalculated since.
    last_calculated_at: f.last_calculated_at ?? now,
    pinned_at: f.pinned_at ?? null,
    bytecode: null,
    bytecode_error: null,
    updated_at: now,
  };
  refreshBytecode(action);
  project.actions.push(action);
  return action;
}

/**
 * ActionSerializer.update. A truthy `pinned_at` pins at the server's now (the sent time is
 * ignored) unless already pinned; the answer then carries Python's `isoformat()` of that now,
 * a string the model field was assigned and DRF passes through (`+00:00`, not `Z`).
 */
export function updateAction(project: ProjectStore, action: StoredAction, raw: unknown): { pinnedAnswer?: string } {
  const f = validate(project, raw, action);
  let pinnedAnswer: string | undefined;
  if (f.pinned_at) {
    if (action.pinned_at) delete f.pinned_at;
    else {
      f.pinned_at = nowDrf();
      pinnedAnswer = pythonIsoformat(f.pinned_at);
    }
  }
  if (f.name !== undefined) action.name = f.name;
  if (f.description !== undefined) action.description = f.description;
  if (f.tags !== undefined && project.tagging) action.tags = f.tags;
  if (f.post_to_slack !== undefined) action.post_to_slack = f.post_to_slack;
  if (f.slack_message_format !== undefined) action.slack_message_format = f.slack_message_format;
  if (f.steps !== undefined) action.steps = f.steps;
  if (f.deleted !== undefined) action.deleted = f.deleted;
  if (f.last_calculated_at !== undefined) action.last_calculated_at = f.last_calculated_at;
  if (f.pinned_at !== undefined) action.pinned_at = f.pinned_at;
  action.updated_at = nowDrf();
  refreshBytecode(action);
  return pinnedAnswer ? { pinnedAnswer } : {};
}

/** A state file from before actions were full rows holds `{id, name}`: fill in the defaults. */
export function upgradeAction(row: Partial<StoredAction> & { id: number }): StoredAction {
  if (Array.isArray(row.steps)) return row as StoredAction;
  const created = row.created_at ?? nowDrf();
  const action: StoredAction = {
    id: row.id,
    name: row.name ?? null,
    description: '',
    tags: [],
    post_to_slack: false,
    slack_message_format: '',
    steps: [],
    created_at: created,
    created_by: null,
    deleted: false,
    last_calculated_at: created,
    pinned_at: null,
    bytecode: null,
    bytecode_error: null,
    updated_at: created,
  };
  refreshBytecode(action);
  return action;
}

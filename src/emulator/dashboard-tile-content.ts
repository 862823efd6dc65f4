// What a text or button tile shows: the `Text` and `ButtonTile` rows written through a dashboard's
// raw `tiles` (DashboardSerializer._update_tiles in products/dashboards/backend/api/dashboard.py)
// and read with TextSerializer / ButtonTileSerializer.
import { isManagerTile } from './dashboard-store.js';
import { nowDrf } from './dates.js';
import { charField, choiceField, ErrorCollector } from './drf-fields.js';
import { fail, nestErrors, ValidationFailure } from './errors.js';
import { isObject, pyTruthy, type JsonObject } from './json.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredButtonTile, StoredDashboard, StoredText } from './types.js';
import { userBasic } from './users.js';

type Path = Array<string | number>;

/** A CharField whose max_length message is PostHog's own (`error_messages={"max_length": ...}`). */
function limitedChar(
  value: unknown,
  path: Path,
  maxLength: number,
  message: string,
  opts: { allowNull?: boolean; allowBlank?: boolean } = {},
): string | null {
  try {
    return charField(value, path, { ...opts, maxLength });
  } catch (e) {
    if (e instanceof ValidationFailure && e.errors[0]?.code === 'max_length') fail(path, message, 'max_length');
    throw e;
  }
}

/**
 * The emulator has no user accounts: the organisation's users are taken to be 1 up to the
 * highest user id the caller or the project's rows know of.
 */
function isOrganisationUser(project: ProjectStore, id: unknown, callerId: number): boolean {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) return false;
  const known = [
    callerId,
    ...project.insights.flatMap((i) => [i.created_by ?? 0, i.last_modified_by ?? 0]),
    ...project.dashboards.map((d) => d.created_by ?? 0),
  ];
  return id <= Math.max(...known);
}

/** `created_by` given (a tile read back and sent again): that user, with the caller as modifier. */
function authorship(project: ProjectStore, json: JsonObject, callerId: number): { created_by: number; last_modified_by: number | null } {
  const given = json.created_by;
  if (!pyTruthy(given)) return { created_by: callerId, last_modified_by: null };
  if (!isObject(given)) throw new TypeError(`'${typeof given}' object has no attribute 'get'`);
  if (!isOrganisationUser(project, given.id, callerId)) fail([], 'User not found in this organization.');
  return { created_by: given.id as number, last_modified_by: callerId };
}

/** A row id as Django's IntegerField lookup takes it; anything else is its ValueError (500). */
export function pkValue(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return parseInt(value, 10);
  throw new TypeError(`Field 'id' expected a number but got ${JSON.stringify(value)}.`);
}

/** Whether a live tile of this dashboard shows the row (`DashboardTile.objects.filter(dashboard=...)`). */
function onDashboard(
  project: ProjectStore,
  dashboard: StoredDashboard,
  match: (t: ProjectStore['dashboardTiles'][number]) => boolean,
): boolean {
  return project.dashboardTiles.some((t) => t.dashboard_id === dashboard.id && match(t) && isManagerTile(project, t));
}

/** The text half of `_update_tiles`: a new Text, or the one `text.id` names on this dashboard, updated. */
export function upsertText(
  store: EmulatorStore,
  project: ProjectStore,
  dashboard: StoredDashboard,
  json: JsonObject,
  callerId: number,
): StoredText {
  const who = authorship(project, json, callerId);
  const has = Object.hasOwn(json, 'body');
  const body = has
    ? nestErrors(['text'], () =>
        limitedChar(json.body, ['body'], 4000, 'Text body cannot exceed 4000 characters', { allowNull: true, allowBlank: true }),
      )
    : undefined;
  const fields = { ...who, last_modified_at: nowDrf(), ...(has ? { body: body ?? null } : {}) };
  if (pyTruthy(json.id)) {
    const id = pkValue(json.id);
    const text = project.dashboardTexts.find((t) => t.id === id);
    if (!text) fail(['text'], 'Text tile not found in this team.');
    if (!onDashboard(project, dashboard, (t) => t.text_id === id)) fail(['text'], 'Text tile not found.');
    return Object.assign(text, fields);
  }
  const text: StoredText = { id: store.allocateId('text'), body: null, ...fields };
  project.dashboardTexts.push(text);
  return text;
}

const PATHNAME = /^\/[a-zA-Z0-9._~:/?#[\]@!$&'()*+,;=%-]*$/;
const HTTP_URL =
  /^https?:\/\/(?:[^\s:@/]+(?::[^\s:@/]*)?@)?(?:localhost|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}\.?|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\])(?::\d{1,5})?(?:[/?#]\S*)?$/i;

/** ButtonTileSerializer: url and text required, `validate_url`, placement and style choices. */
function validateButton(json: JsonObject): Pick<StoredButtonTile, 'url' | 'text'> & Partial<Pick<StoredButtonTile, 'placement' | 'style'>> {
  const c = new ErrorCollector();
  const has = (k: string) => Object.hasOwn(json, k);
  const required = (k: string) => fail([k], 'This field is required.', 'required');
  const out: JsonObject = {};
  c.run(() => {
    if (!has('url')) required('url');
    const url = limitedChar(json.url, ['url'], 2000, 'Button URL cannot exceed 2000 characters') as string;
    if (url.startsWith('/') && !PATHNAME.test(url)) fail(['url'], 'Pathname must start with / and contain valid URL path characters');
    if (!url.startsWith('/') && !HTTP_URL.test(url)) fail(['url'], 'Must be a valid URL or a pathname starting with /');
    out.url = url;
  });
  c.run(
    () => (out.text = has('text') ? limitedChar(json.text, ['text'], 200, 'Button text cannot exceed 200 characters') : required('text')),
  );
  if (has('placement')) c.run(() => (out.placement = choiceField(json.placement, ['placement'], ['left', 'right'])));
  if (has('style')) c.run(() => (out.style = choiceField(json.style, ['style'], ['primary', 'secondary'])));
  c.throwIfAny();
  return out as ReturnType<typeof validateButton>;
}

/** The button half of `_update_tiles`, shaped like the text half. */
export function upsertButton(
  store: EmulatorStore,
  project: ProjectStore,
  dashboard: StoredDashboard,
  json: JsonObject,
  callerId: number,
): StoredButtonTile {
  const who = authorship(project, json, callerId);
  const fields = { ...nestErrors(['button_tile'], () => validateButton(json)), ...who, last_modified_at: nowDrf() };
  if (pyTruthy(json.id)) {
    const id = String(json.id);
    const button = project.buttonTiles.find((b) => b.id === id);
    if (!button) fail(['button_tile'], 'Button tile not found in this team.');
    if (!onDashboard(project, dashboard, (t) => t.button_tile_id === id)) fail(['button_tile'], 'Button tile not found.');
    return Object.assign(button, fields);
  }
  const button: StoredButtonTile = { id: store.nextUuid(), placement: 'left', style: 'primary', ...fields };
  project.buttonTiles.push(button);
  return button;
}

/** DashboardTileBasicSerializer of the live tiles showing a row. */
function tilesShowing(project: ProjectStore, match: (t: ProjectStore['dashboardTiles'][number]) => boolean): JsonObject[] {
  return project.dashboardTiles
    .filter((t) => match(t) && isManagerTile(project, t))
    .map((t) => ({ id: t.id, dashboard_id: t.dashboard_id, deleted: t.deleted }));
}

export function textOut(project: ProjectStore, text: StoredText): JsonObject {
  return {
    id: text.id,
    created_by: userBasic(text.created_by),
    last_modified_by: userBasic(text.last_modified_by),
    body: text.body,
    dashboard_tiles: tilesShowing(project, (t) => t.text_id === text.id),
    last_modified_at: text.last_modified_at,
    team: project.id,
  };
}

export function buttonOut(project: ProjectStore, button: StoredButtonTile): JsonObject {
  return {
    id: button.id,
    created_by: userBasic(button.created_by),
    last_modified_by: userBasic(button.last_modified_by),
    url: button.url,
    text: button.text,
    placement: button.placement,
    dashboard_tiles: tilesShowing(project, (t) => t.button_tile_id === button.id),
    style: button.style,
    last_modified_at: button.last_modified_at,
    team: project.id,
  };
}

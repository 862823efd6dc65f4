// Alerts attached by a seed (an insight's `alerts`) or by the control API
// (`POST /_emulator/projects/:id/insights/:ref/alerts`): what a client would POST to `/alerts/`,
// through the same validation, with a fixed `id`/`created_at` allowed and three conveniences
// (fixtures/README.md): no `subscribed_users` is `[]`, no `condition` is `absolute_value`, and no
// `config` is the insight kind's plain one. The organisation's users are users 1–4 here.
import { createAlertFromBody } from './alert-write.js';
import { parseIso } from './alert-time.js';
import { drfDate } from './dates.js';
import { canonicalUuid } from './ids.js';
import { alertableKind } from './insight-alerts.js';
import { isObject, type JsonObject } from './json.js';
import type { EmulatorStore } from './store.js';
import type { ProjectStore, StoredAlert, StoredInsight } from './types.js';
import { organisationUsers } from './users.js';

const DEFAULT_CONFIG: Record<string, JsonObject> = {
  TrendsQuery: { type: 'TrendsAlertConfig', series_index: 0 },
  HogQLQuery: { type: 'HogQLAlertConfig', evaluation: 'last_row' },
  FunnelsQuery: { type: 'FunnelsAlertConfig', metric: 'conversion_from_start' },
};

export function createAlert(
  store: EmulatorStore,
  project: ProjectStore,
  insight: StoredInsight,
  raw: unknown,
  userId: number,
): StoredAlert {
  if (!isObject(raw)) throw new Error('an alert must be a JSON object');
  const { id, created_at: createdAt, ...fields } = raw;
  const extras: { id?: string; created_at?: string } = {};
  if (id !== undefined) {
    const uuid = typeof id === 'string' ? canonicalUuid(id) : undefined;
    if (!uuid) throw new Error(`alert "id" must be a UUID, got ${JSON.stringify(id)}`);
    if ([...store.projects.values()].some((p) => p.alerts.some((a) => a.id === uuid))) throw new Error(`alert id ${uuid} already exists`);
    extras.id = uuid;
  }
  if (createdAt !== undefined) {
    const ms = typeof createdAt === 'string' ? parseIso(createdAt) : undefined;
    if (ms === undefined) throw new Error(`alert "created_at" must be an ISO 8601 time, got ${JSON.stringify(createdAt)}`);
    extras.created_at = drfDate(ms);
  }
  const config = DEFAULT_CONFIG[alertableKind(insight) ?? ''];
  const body = {
    subscribed_users: [],
    condition: { type: 'absolute_value' },
    ...(config ? { config } : {}),
    ...fields,
    insight: insight.id,
  };
  return createAlertFromBody({ store, project, userId, users: organisationUsers() }, body, extras).alert;
}

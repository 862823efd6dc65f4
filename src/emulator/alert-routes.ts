// AlertViewSet (products/alerts/backend/api/alert.py): a plain ModelViewSet (DELETE is a hard
// delete, 204), scope `alert`, default throttles, registered with both URL forms. Its queryset
// (`safely_get_queryset`) serves every action, detail routes included: the `insight`,
// `insight_id`, `created_by` and `search` filters, then only alerts whose insight is viewable
// (`Insight.objects`, so live insights of this team), ordered `-created_at` with no tie-breaker.
import { createAlertFromBody, updateAlertFromBody, type AlertWriteContext } from './alert-write.js';
import { alertOut, type AlertView } from './alert-read.js';
import { relativeDateParse } from './alert-time.js';
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { fail, notFound } from './errors.js';
import { canonicalUuid } from './ids.js';
import { removeAlerts } from './insight-alerts.js';
import { insightBasic } from './insight-read.js';
import { byColumn, orderWithUnorderedTies } from './ordering.js';
import { limitOffset } from './pagination.js';
import type { Route } from './router.js';
import type { StoredAlert, StoredInsight } from './types.js';
import { userBasic } from './users.js';

const MAX_SEARCH_LENGTH = 200;

/** `filter(insight_id=value)`: Django's int() of the value; anything else raises ValueError, a 500. */
function insightIdParam(value: string): number {
  if (!/^\s*[-+]?\d+\s*$/.test(value)) throw new Error(`Field 'id' expected a number but got '${value}'.`);
  return parseInt(value, 10);
}

/** A DRF datetime as a sortable key (microseconds written out). */
function timeKey(s: string): string {
  const m = /^(.{19})(?:\.(\d{1,6}))?Z$/.exec(s);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(6, '0')}` : s;
}

interface Listing {
  items: StoredAlert[];
  searched: boolean;
}

function queryset(req: ApiRequest): Listing {
  const q = req.url.searchParams;
  const project = req.project;
  let items = project.alerts;
  if (q.has('insight')) {
    const id = insightIdParam(q.get('insight') as string);
    items = items.filter((a) => a.insight_id === id);
  }
  const insightId = q.get('insight_id');
  if (insightId !== null) {
    const id = insightIdParam(insightId);
    items = items.filter((a) => a.insight_id === id);
  }
  const createdBy = q.get('created_by');
  if (createdBy) {
    const uuid = canonicalUuid(createdBy);
    if (!uuid) fail(['created_by'], 'Not a valid UUID.');
    items = items.filter((a) => userBasic(a.created_by)?.uuid === uuid);
  }
  const search = q.get('search');
  let searched = false;
  if (search) {
    if ([...search].length > MAX_SEARCH_LENGTH) fail(['search'], `Search query must be ${MAX_SEARCH_LENGTH} characters or fewer.`);
    // apply_trigram_search on `name`: a blank term leaves the queryset as it was. Only the
    // case-insensitive substring tier (`exact`) is emulated, not the trigram `similar` one.
    const term = search.trim().toLowerCase();
    if (term) {
      items = items.filter((a) => a.name.toLowerCase().includes(term));
      searched = true;
    }
  }
  const live = (id: number) => project.insights.some((i) => i.id === id && !i.deleted);
  items = items.filter((a) => live(a.insight_id));
  return {
    items: orderWithUnorderedTies(
      items,
      req.random,
      byColumn((a) => timeKey(a.created_at), true),
    ),
    searched,
  };
}

function insightOf(req: ApiRequest, alert: StoredAlert): StoredInsight {
  return req.project.insights.find((i) => i.id === alert.insight_id) as StoredInsight;
}

function render(req: ApiRequest, alert: StoredAlert, view: AlertView = {}): ReturnType<typeof alertOut> {
  return alertOut(alert, insightBasic(req.project, insightOf(req, alert)), { random: req.random, ...view });
}

/** `get_object`: a malformed UUID is a 404 like an unknown one. */
function find(req: ApiRequest): Listing & { alert: StoredAlert } {
  const id = canonicalUuid(req.params.id as string);
  const listing = queryset(req);
  const alert = listing.items.find((a) => a.id === id);
  if (!id || !alert) throw notFound();
  return { ...listing, alert };
}

function writeContext(req: ApiRequest): AlertWriteContext {
  return { store: req.store, project: req.project, userId: req.userId, users: req.users };
}

/** Paginated first; each row gets its firing checks (`triggered_points` set), of which there are none here. */
function list(req: ApiRequest): ApiResponse {
  const { items, searched } = queryset(req);
  return json(
    200,
    limitOffset(req.url, items, (a) => render(req, a, { checks: [], searched })),
  );
}

/** Python's int() of a query parameter, or undefined when it raises ValueError. */
function intParam(raw: string | null): number | undefined {
  return raw !== null && /^\s*[-+]?\d+\s*$/.test(raw) ? parseInt(raw, 10) : undefined;
}

/** `retrieve`: the newest checks (5, or 500 with a date window), `checks_total` counting the window. */
function retrieve(req: ApiRequest): ApiResponse {
  const { alert, searched } = find(req);
  const q = req.url.searchParams;
  let checks = [...alert.checks].sort((a, b) => (timeKey(b.created_at) < timeKey(a.created_at) ? -1 : 1));
  const from = q.get('checks_date_from');
  const to = q.get('checks_date_to');
  if (from) checks = checks.filter((c) => Date.parse(c.created_at) >= relativeDateParse(from));
  if (to) checks = checks.filter((c) => Date.parse(c.created_at) <= relativeDateParse(to));
  const rawLimit = q.get('checks_limit');
  const limit = rawLimit !== null ? Math.max(1, Math.min(intParam(rawLimit) ?? 5, 500)) : from || to ? 500 : 5;
  const total = checks.length;
  const offset = Math.min(Math.max(0, intParam(q.get('checks_offset')) ?? 0), total);
  return json(200, render(req, alert, { checks: checks.slice(offset, offset + limit), checksTotal: total, searched }));
}

function create(req: ApiRequest): ApiResponse {
  const { alert, snoozedAsSent } = createAlertFromBody(writeContext(req), req.body());
  return json(201, render(req, alert, snoozedAsSent !== undefined ? { snoozedAsSent } : {}), true);
}

function update(req: ApiRequest): ApiResponse {
  const { alert, searched } = find(req);
  updateAlertFromBody(writeContext(req), alert, req.body(), req.method === 'PATCH');
  return json(200, render(req, alert, { searched }), true);
}

function destroy(req: ApiRequest): ApiResponse {
  const { alert } = find(req);
  removeAlerts(req.project, (a) => a.id === alert.id);
  return { status: 204, body: null, committed: true };
}

const base = { scope: 'alert', bucket: 'crud' } as const;

export const alertRoutes: Route[] = [
  {
    ...base,
    path: 'alerts',
    methods: { GET: { action: 'list', write: false, handler: list }, POST: { action: 'create', write: true, handler: create } },
  },
  {
    ...base,
    path: 'alerts/:id',
    methods: {
      GET: { action: 'retrieve', write: false, handler: retrieve },
      PATCH: { action: 'partial_update', write: true, handler: update },
      PUT: { action: 'update', write: true, handler: update },
      DELETE: { action: 'destroy', write: true, handler: destroy },
    },
  },
];

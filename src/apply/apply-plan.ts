import pLimit from 'p-limit';
import { PostHogApiError, PreflightError } from '../errors.js';
import { omit, pick, type JsonObject } from '../json.js';
import type { Outcome } from '../model.js';
import { andList, dependencyLevels, toIds, type KindDef, type RemoteId } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import type { Plan } from '../plan/diff.js';
import type { Redactor } from '../plan/secrets.js';
import { bindingOf, sameBinding } from '../plan/binding.js';
import { sharedNaturals } from '../plan/identity.js';
import type { LocalResource, Snapshot } from '../plan/snapshot.js';
import type { StateStore } from '../store/state.js';
import type { VarSources } from '../plan/vars.js';
import { selectOps, type Op, type Skip } from './ops.js';
import { preflight, type Prepared } from './preflight.js';
import { applyReorder } from './reorder.js';
import { WriteGate } from './gate.js';
import { Writer } from './writer.js';
import { inDeferred, refOf, writeOrder, type Waits } from './write-order.js';

type EventOutcome = 'created' | 'restored' | 'updated' | 'adopted' | 'deleted' | 'reordered' | 'skipped' | 'failed';

export interface PushEvent {
  kind: string;
  key: string;
  outcome: EventOutcome;
  /** What the plan asked for (create, update, adopt, delete, drift, conflict). */
  planned: string;
  id?: RemoteId;
  file?: string;
  reason?: string;
  error?: { status?: number; code?: string; attr?: string | null; detail?: string; message: string };
}

interface PushSummary {
  created: number;
  restored: number;
  updated: number;
  adopted: number;
  deleted: number;
  reordered: number;
  skipped: number;
  failed: number;
  unchanged: number;
}

export interface CheckInput {
  plan: Plan;
  snapshot: Snapshot;
  vars: VarSources;
  prune: boolean;
  force: boolean;
  /** Told the secret values the writes will send. */
  redactor?: Redactor;
}

/** A plan that passed every check push makes before writing, with what each write will send. */
export interface CheckedPlan {
  plan: Plan;
  snapshot: Snapshot;
  /** The writes push will make. */
  ops: Op[];
  /** Planned changes push leaves alone, and why (deletes without --prune, drift without --force). */
  skipped: Skip[];
  prepared: Prepared[];
}

/** How long writes in flight may take to answer once the run is interrupted (CI sends SIGKILL ~10 s after SIGTERM). */
const INTERRUPT_GRACE_MS = 5_000;

/** Without a better figure: a create may still be committed up to two minutes after it was sent. */
const DEFAULT_SETTLE_MS = 120_000;

/**
 * How long PostHog may still commit a create after hogsync gave up on its answer: the
 * request timeout again, and at least five seconds more (a slow commit seen at 65 s with a
 * 60 s timeout is covered).
 */
export function settleMs(client: { timeoutMs: number }): number {
  return client.timeoutMs + Math.max(client.timeoutMs, 5_000);
}

export interface ApplyInput {
  /** How long after sending a create PostHog may still commit it (see Writer). */
  settleMs?: number;
  /** Aborted on SIGINT/SIGTERM: nothing new is sent, what is in flight finishes and is recorded. */
  signal?: AbortSignal;
  state: StateStore;
  client: PostHogClient;
  kinds: readonly KindDef[];
  concurrency: number;
  onEvent?: (event: PushEvent) => void;
}

export interface ApplyResult {
  events: PushEvent[];
  summary: PushSummary;
  /** done: all applied; undecided: drift or conflicts left; changes: planned deletes left (no --prune); failed: a write failed. */
  outcome: Outcome;
}

/** The checks push makes before its first write, for --dry-run and confirmation; they run once. */
export function checkPlan(input: CheckInput): CheckedPlan {
  const { ops, skipped } = selectOps(input.plan, input);
  const { prepared, blocking } = preflight(ops, input.vars, input.snapshot, input.redactor);
  if (blocking.length > 0) throw new PreflightError(blocking);
  return { plan: input.plan, snapshot: input.snapshot, ops, skipped, prepared };
}

/**
 * Applies a plan: creates and updates with every resource waiting only for the ones it
 * references, all under one concurrency limit (and the client's rate limits); then one
 * reorder per kind; then deletes, dependents first. A failure stops only what depends
 * on it. The state journal records every success as it happens.
 */
export async function applyPlan(checked: CheckedPlan, input: ApplyInput): Promise<ApplyResult> {
  const { plan, snapshot, skipped, prepared } = checked;
  const { state, client } = input;
  const identities = snapshot.identities;
  const ambiguousNaturals = new Map(input.kinds.map((k) => [k.kind, sharedNaturals(snapshot.entries.filter((e) => e.kind === k && e.local).map((e) => e.local as LocalResource))]));
  const writer = new Writer(client, state, identities, snapshot.vault, { settleMs: input.settleMs ?? DEFAULT_SETTLE_MS, ambiguousNaturals, ...(input.signal ? { signal: input.signal } : {}) });
  // Interrupted: no new write is sent (WriteGate); those in flight get a few seconds to answer, then are cut short.
  const cutShort = () => setTimeout(() => client.abandon(), INTERRUPT_GRACE_MS).unref();
  input.signal?.addEventListener('abort', cutShort, { once: true });
  const limit = pLimit(input.concurrency);
  const gate = new WriteGate(input.signal);
  const events: PushEvent[] = [];
  const emit = (e: PushEvent) => {
    events.push(e);
    input.onEvent?.(e);
  };
  const eventFor = (op: Op, outcome: EventOutcome, extra: Partial<PushEvent> = {}): PushEvent => {
    const c = op.change;
    return { kind: c.kind.kind, key: c.key, outcome, planned: c.action, ...(c.file ? { file: c.file } : {}), ...(c.id !== undefined ? { id: c.id } : {}), ...extra };
  };

  for (const s of skipped) {
    const c = s.change;
    emit({ kind: c.kind.kind, key: c.key, outcome: 'skipped', planned: c.action, reason: s.reason, ...(c.file ? { file: c.file } : {}), ...(c.id !== undefined ? { id: c.id } : {}) });
  }

  try {
    // Unchanged resources: bring bindings and bases up to date without a request.
    for (const c of plan.changes) {
      const e = c.entry;
      if (c.action !== 'unchanged' || !e) continue;
      if (e.remote && e.local && !sameBinding(e.binding, bindingOf(c.kind, e.remote.raw, e.remote.hash, e.binding?.secrets, e.local.hash))) writer.bind(c.kind, c.key, e.remote.raw, e.local.secretRefs, e.local.hash);
      if (!e.remote && !e.local && e.binding) state.unbind(c.kind.kind, c.key);
    }

    const writes = prepared.filter((p) => p.op.type !== 'delete');
    const order = writeOrder(writes.map((p) => p.op));
    const ctx: WriteContext = { writer, identities, gate, eventFor, emit };
    const done = new Map<string, Promise<Written>>();
    const applied = async (dep: string) => (await done.get(dep)) !== 'failed';
    for (const p of writes) {
      const waits = order.get(refOf(p.op)) as Waits;
      const run = async (): Promise<Written> => {
        if (waits.cycle) {
          emit(eventFor(p.op, 'failed', { error: { message: waits.cycle } }));
          return 'failed';
        }
        for (const dep of waits.before) {
          if (!(await applied(dep))) {
            emit(eventFor(p.op, 'skipped', { reason: `depends on ${dep}, which was not applied` }));
            return 'failed';
          }
        }
        return limit(() => write(p, ctx));
      };
      done.set(refOf(p.op), Promise.resolve().then(run));
    }
    // Deferred fields (a dashboard's tiles) go once what they name is written.
    const second = writes.map(async (p) => {
      const first = await done.get(refOf(p.op));
      if (first === 'failed' || !hasDeferredWork(p.op)) return;
      const waits = order.get(refOf(p.op)) as Waits;
      const missing: string[] = [];
      for (const dep of waits.after) if (!(await applied(dep))) missing.push(dep);
      if (missing.length > 0) {
        const fields = p.op.change.kind.deferred?.fields.join(', ');
        emit(eventFor(p.op, 'skipped', { reason: `its ${fields} were not written: they name ${andList(missing)}, which ${missing.length === 1 ? 'was' : 'were'} not applied` }));
        return;
      }
      await limit(() => completeDeferred(p, ctx, first === 'written'));
    });
    await Promise.all(done.values());
    await Promise.all(second);

    for (const kind of input.kinds) {
      if (!kind.reorder) continue;
      const applied = new Set(events.filter((e) => e.kind === kind.kind && ['created', 'updated', 'adopted'].includes(e.outcome)).map((e) => e.key));
      const groups = new Map<string, Array<{ key: string; position: JsonObject[string] }>>();
      for (const c of plan.changes) {
        if (c.kind !== kind || !c.entry?.local || !(c.action === 'unchanged' || applied.has(c.key))) continue;
        const spec = c.entry.local.spec;
        const group = kind.reorder.group(spec);
        if (group === undefined) continue;
        const members = groups.get(group) ?? [];
        members.push({ key: c.key, position: spec[kind.reorder.field] ?? null });
        groups.set(group, members);
      }
      // One call per group: PostHog rearranges one type at a time.
      for (const [group, wanted] of groups) {
        try {
          const { moved } = await applyReorder({ kind, wanted, client, identities, state, vault: snapshot.vault });
          if (moved > 0) emit({ kind: kind.kind, key: '*', outcome: 'reordered', planned: 'reorder', reason: `${moved} ${group} position(s) set with one rearrange call` });
        } catch (error) {
          emit({ kind: kind.kind, key: '*', outcome: 'failed', planned: 'reorder', error: describeError(error) });
        }
      }
    }

    const deletes = prepared.filter((p) => p.op.type === 'delete');
    for (const level of [...dependencyLevels(input.kinds)].reverse()) {
      const inLevel = deletes.filter((p) => level.includes(p.op.change.kind));
      await Promise.all(inLevel.map((p) => limit(() => remove(p.op, { writer, identities, gate, eventFor, emit }))));
    }
    if (!input.signal?.aborted) {
      for (const d of await writer.removeLateDuplicates()) {
        emit({ kind: d.kind, key: d.key, outcome: 'deleted', planned: 'create', id: d.id, reason: 'a second copy, committed by PostHog after hogsync had sent the create again; deleted so that one remains' });
      }
    }
  } finally {
    input.signal?.removeEventListener('abort', cutShort);
    state.flush();
  }

  return summarize(events, plan.summary.unchanged);
}

/**
 * Counts and outcome of a push: failed if a write failed; undecided if drift or conflicts
 * were left (no --force); changes if deletes were left (no --prune); done otherwise.
 */
export function summarize(events: PushEvent[], unchanged: number): ApplyResult {
  const summary: PushSummary = { created: 0, restored: 0, updated: 0, adopted: 0, deleted: 0, reordered: 0, skipped: 0, failed: 0, unchanged };
  for (const e of events) summary[e.outcome]++;
  const skippedAs = (planned: string[]) => events.some((e) => e.outcome === 'skipped' && planned.includes(e.planned));
  const outcome: Outcome = summary.failed > 0 ? 'failed' : skippedAs(['drift', 'conflict']) ? 'undecided' : skippedAs(['delete']) ? 'changes' : 'done';
  return { events, summary, outcome };
}

/**
 * How the first request of a write ended: `written` (and reported), `waiting` (only deferred
 * fields changed: the second request does the write, and reports it), or `failed`.
 */
type Written = 'written' | 'waiting' | 'failed';

/** Whether a write has deferred fields to send by a second request (see KindDef.deferred). */
function hasDeferredWork(op: Op): boolean {
  const { kind, entry } = op.change;
  const fields = kind.deferred?.fields ?? [];
  if (fields.length === 0 || !entry?.local) return false;
  // A resource brought back may hold deferred fields the file does not (text tiles): checked against PostHog's copy.
  if (op.type === 'restore') return true;
  if (op.type === 'create') return fields.some((f) => entry.local?.spec[f] !== undefined);
  return (op.change.patch ?? []).some((o) => inDeferred(kind, o.path.slice('/spec'.length)));
}

/** What one write needs from the run around it. */
interface WriteContext {
  writer: Writer;
  identities: Snapshot['identities'];
  gate: WriteGate;
  eventFor: (op: Op, outcome: EventOutcome, extra?: Partial<PushEvent>) => PushEvent;
  emit: (e: PushEvent) => void;
}

async function write(p: Prepared, ctx: WriteContext): Promise<Written> {
  const { writer, identities, eventFor, emit } = ctx;
  const { op } = p;
  const { kind, key, entry } = op.change;
  if (p.refusal) {
    emit(eventFor(op, 'failed', { error: { message: p.refusal } }));
    return 'failed';
  }
  const blocked = ctx.gate.blocked(kind.kind);
  if (blocked) {
    emit(eventFor(op, 'skipped', { reason: blocked }));
    return 'failed';
  }
  try {
    const spec = p.spec as JsonObject;
    const deferred = kind.deferred?.fields ?? [];
    const partial = hasDeferredWork(op);
    // Deferred fields name resources that may not exist yet: the second request sends them.
    const first = partial ? omit(spec, deferred) : spec;
    const body = (mode: 'create' | 'update') => kind.toBody(toIds(kind, first, identities), identities, mode);
    const localSpec = entry?.local?.spec ?? spec;
    const secrets = entry?.local?.secretRefs ?? {};
    if (op.type === 'create') {
      const r = await writer.create(kind, key, localSpec, body('create'), secrets, partial);
      const reasons = [...(r.recovered ? ['the answer was lost; found and bound the created resource'] : []), ...storedDifferently(r.differs)];
      emit(eventFor(op, 'created', { id: r.id, ...(reasons.length ? { reason: reasons.join('; ') } : {}) }));
      return 'written';
    }
    if (op.type === 'restore') {
      const id = entry?.tombstone?.id ?? entry?.binding?.id;
      if (id === undefined) throw new Error('no remote id to restore');
      const r = await writer.restore(kind, key, id, localSpec, body('update'), body('create'), secrets, partial);
      const how = !r.inPlace ? `re-created as id ${r.id}: PostHog no longer had it` : kind.deleteStyle === 'soft' ? `undeleted in place (id ${r.id})` : `back in PostHog with its id ${r.id} (what it hung on came back), updated in place`;
      emit(eventFor(op, 'restored', { id: r.id, reason: [how, ...storedDifferently(r.differs)].join('; ') }));
      return 'written';
    }
    const remote = entry?.remote;
    if (!remote) throw new Error(`no remote resource to ${op.type}`);
    const fields = changedFields(kind, op).filter((f) => !deferred.includes(f));
    if (fields.length === 0 && partial) return 'waiting';
    if (op.type === 'adopt' && fields.length === 0) {
      writer.bind(kind, key, remote.raw, secrets, entry?.local?.hash ?? remote.hash);
      emit(eventFor(op, 'adopted', { id: remote.id }));
      return 'written';
    }
    const full = body('update');
    const sent: JsonObject = {};
    for (const f of fields) {
      const name = kind.sentAs?.[f] ?? f;
      if (full[name] !== undefined) sent[name] = full[name];
    }
    const local = partial ? undefined : (entry?.local?.hash ?? remote.hash);
    const send = fields.length > 0 && Object.keys(sent).length > 0;
    const guard = kind.updateGuard;
    const read = guard ? remote.raw[guard.from] : undefined;
    if (send && guard && read !== undefined && read !== null) sent[guard.field] = read;
    const r = !send ? writer.bind(kind, key, remote.raw, secrets, local) : await writer.update(kind, key, remote.id, sent, secrets, local, localSpec);
    const note = storedDifferently(r.differs.filter((f) => fields.includes(f)));
    emit(eventFor(op, op.type === 'adopt' ? 'adopted' : 'updated', { id: r.id, ...(note.length ? { reason: note[0] } : {}) }));
    return 'written';
  } catch (error) {
    if (error instanceof PostHogApiError && error.status === 409 && kind.updateGuard) {
      // Changed in PostHog after this run read it: a conflict to look at, never an overwrite.
      emit(eventFor(op, 'skipped', { planned: 'conflict', reason: `conflict: changed in PostHog after this run read it (409 ${error.fields.apiCode ?? 'conflict'}), so nothing was overwritten; run diff to see both sides, then push again` }));
      return 'failed';
    }
    ctx.gate.observe(kind.kind, error);
    emit(eventFor(op, 'failed', { error: describeError(error) }));
    return 'failed';
  }
}

/**
 * The second request of a write with deferred fields, once what they name exists. Reported as
 * the write itself when the first request had nothing to send (`announced` false); otherwise
 * only a failure is reported, since the write was.
 */
async function completeDeferred(p: Prepared, ctx: WriteContext, announced: boolean): Promise<void> {
  const { op } = p;
  const { kind, key, entry } = op.change;
  const blocked = ctx.gate.blocked(kind.kind);
  if (blocked) return ctx.emit(ctx.eventFor(op, 'skipped', { reason: blocked }));
  const fields = kind.deferred?.fields ?? [];
  try {
    const id = ctx.identities.idOf(kind.kind, key);
    if (id === undefined || !entry?.local) throw new Error('no remote id to complete');
    const spec = pick(p.spec as JsonObject, fields);
    const r = await ctx.writer.completeDeferred(kind, key, id, toIds(kind, spec, ctx.identities), entry.local.spec, entry.local.secretRefs);
    const already = r.sent ? {} : { reason: `its ${fields.join(', ')} already as the file says, once what they name was written` };
    if (!announced) ctx.emit(ctx.eventFor(op, op.type === 'adopt' ? 'adopted' : 'updated', { id: r.id, ...already }));
  } catch (error) {
    ctx.gate.observe(kind.kind, error);
    const described = describeError(error);
    ctx.emit(ctx.eventFor(op, 'failed', { error: { ...described, message: `its ${fields.join(', ')} were not written: ${described.message}` } }));
  }
}

async function remove(op: Op, ctx: WriteContext): Promise<void> {
  const { kind, key, id } = op.change;
  const blocked = ctx.gate.blocked(kind.kind);
  if (blocked) return ctx.emit(ctx.eventFor(op, 'skipped', { reason: blocked }));
  try {
    if (id === undefined) throw new Error('no remote id to delete');
    await ctx.writer.delete(kind, key, id);
    ctx.emit(ctx.eventFor(op, 'deleted'));
  } catch (error) {
    ctx.gate.observe(kind.kind, error);
    ctx.emit(ctx.eventFor(op, 'failed', { error: describeError(error) }));
  }
}

/**
 * Said once, at the write: PostHog keeps some fields otherwise than the file wrote them
 * (fills in a template's icon, appends an execution order, ignores tags without the tagging
 * feature). The state records the pair, so the difference is not planned again.
 */
function storedDifferently(fields: string[]): string[] {
  return fields.length === 0 ? [] : [`PostHog stored ${fields.join(', ')} differently from the file (filled in, normalised or ignored); the file is left as written`];
}

/** Top-level fields the patch touches, plus the fields PostHog validates with them. */
function changedFields(kind: KindDef, op: Op): string[] {
  const fields = new Set<string>();
  for (const o of op.change.patch ?? []) {
    const field = o.path.split('/')[2];
    if (field !== undefined) fields.add(field.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  for (const group of kind.updateTogether ?? []) if (group.some((f) => fields.has(f))) group.forEach((f) => fields.add(f));
  if (fields.size > 0) for (const f of kind.alwaysSend ?? []) fields.add(f);
  // Positions are set by the reorder step, not by the update.
  if (kind.reorder) fields.delete(kind.reorder.field);
  return [...fields];
}

function describeError(error: unknown): NonNullable<PushEvent['error']> {
  if (error instanceof PostHogApiError) {
    const f = error.fields;
    return { status: f.status, ...(f.apiCode ? { code: f.apiCode } : {}), attr: f.attr ?? null, ...(f.detail ? { detail: f.detail } : {}), message: error.message };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

/** `12 created, 3 updated, 40 not sent`: what an interrupted apply got done. */
export function appliedSoFar(result: ApplyResult): string {
  const s = result.summary;
  const notSent = result.events.filter((e) => e.outcome === 'skipped' && e.reason?.includes('interrupted')).length;
  return `${s.created} created, ${s.restored} restored, ${s.updated} updated, ${s.adopted} adopted, ${s.deleted} deleted, ${notSent} not sent`;
}

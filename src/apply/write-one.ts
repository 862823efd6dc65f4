import { NotSentError, PostHogApiError } from '../errors.js';
import { omit, pick, type JsonObject } from '../json.js';
import { andList, keyRefs, toIds, type KindDef } from '../kinds/index.js';
import { describeError, type EventOutcome, type PushEvent } from './events.js';
import type { WriteGate } from './gate.js';
import type { Op } from './ops.js';
import type { Prepared } from './preflight.js';
import { inDeferred } from './write-order.js';
import { guarded } from './unguarded.js';
import type { Writer } from './writer.js';
import type { Snapshot } from '../plan/snapshot.js';
import type { Plan } from '../plan/diff.js';

// One write of a push, as the run around it schedules it: its first request (create, restore,
// update, adopt, delete), and the second request of a kind's deferred fields.

/**
 * How the first request of a write ended: `written` (and reported), `waiting` (only deferred
 * fields changed: the second request does the write, and reports it), or `failed`.
 */
export type Written = 'written' | 'waiting' | 'failed';

/** Whether a write has deferred fields to send by a second request (see KindDef.deferred). */
export function hasDeferredWork(op: Op): boolean {
  const { kind, entry } = op.change;
  const fields = kind.deferred?.fields ?? [];
  if (fields.length === 0 || !entry?.local) return false;
  // A resource brought back may hold deferred fields the file does not (text tiles): checked against PostHog's copy.
  if (op.type === 'restore') return true;
  if (op.type === 'create') return fields.some((f) => entry.local?.spec[f] !== undefined);
  return (op.change.patch ?? []).some((o) => inDeferred(kind, o.path.slice('/spec'.length)));
}

/**
 * How old PostHog's copy may be when an update without a concurrency guard is sent (insights,
 * variables, dashboards, actions, cohorts, alerts: PostHog has none for them). Older, it is read
 * again first, and an edit made since is a conflict, never overwritten; so a UI edit to a field
 * this run changes is lost only when it lands in the last seconds before the write.
 */
const FRESH_MS = 10_000;

/** FRESH_MS, or HOGSYNC_FRESH_MS (a shorter window where PostHog is edited a lot while pushes run). */
export function freshMs(env: NodeJS.ProcessEnv): number {
  const n = Number(env.HOGSYNC_FRESH_MS);
  return env.HOGSYNC_FRESH_MS !== undefined && Number.isFinite(n) && n >= 0 ? n : FRESH_MS;
}

/** What one write needs from the run around it. */
export interface WriteContext {
  writer: Writer;
  /** The command writing (Plan.writer), which messages tell the user to run again. */
  command: NonNullable<Plan['writer']>;
  identities: Snapshot['identities'];
  /** When PostHog's copies were read (Snapshot.readAt), and how old they may be for an unguarded update (freshMs). */
  readAt: number;
  freshMs: number;
  gate: WriteGate;
  eventFor: (op: Op, outcome: EventOutcome, extra?: Partial<PushEvent>) => PushEvent;
  emit: (e: PushEvent) => void;
}

export async function write(p: Prepared, ctx: WriteContext): Promise<Written> {
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
      const reasons = [
        ...(r.recovered ? ['the answer was lost; found and bound the created resource'] : []),
        ...storedDifferently(r.differs),
      ];
      emit(eventFor(op, 'created', { id: r.id, ...(reasons.length ? { reason: reasons.join('; ') } : {}) }));
      return 'written';
    }
    if (op.type === 'restore') {
      const id = entry?.tombstone?.id ?? entry?.binding?.id;
      if (id === undefined) throw new Error('no remote id to restore');
      const r = await writer.restore(kind, key, id, localSpec, body('update'), body('create'), secrets, partial);
      const how = !r.inPlace
        ? `re-created as id ${r.id}: PostHog no longer had it`
        : kind.deleteStyle === 'soft'
          ? `undeleted in place (id ${r.id})`
          : `back in PostHog with its id ${r.id} (what it hung on came back), updated in place`;
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
    const unsent = fields.filter((f) => full[kind.sentAs?.[f] ?? f] === undefined && remote.spec[f] !== undefined);
    if (unsent.length > 0 && unsent.length === fields.length && op.type === 'update' && !partial) {
      // Nothing the API takes would make PostHog match the file: not sent, and not recorded as in sync either.
      emit(
        eventFor(op, 'skipped', {
          reason: `${andList(unsent)} cannot be removed through PostHog's API; clear ${unsent.length === 1 ? 'it' : 'them'} in PostHog, or put ${unsent.length === 1 ? 'it' : 'them'} back in the file`,
        }),
      );
      return 'failed';
    }
    const send = fields.length > 0 && Object.keys(sent).length > 0;
    const guard = kind.updateGuard;
    const read = guard ? remote.raw[guard.from] : undefined;
    if (send && guard && read !== undefined && read !== null) sent[guard.field] = read;
    if (
      send &&
      !guarded(kind, remote.raw) &&
      Date.now() - ctx.readAt > ctx.freshMs &&
      (await writer.reread(kind, remote.id, secrets)) !== remote.hash
    ) {
      emit(
        eventFor(op, 'skipped', {
          planned: 'conflict',
          reason: `conflict: changed in PostHog after this run read it (read again before the write), so nothing was overwritten; run diff to see both sides, then ${ctx.command} again`,
        }),
      );
      return 'failed';
    }
    // A merge keeps PostHog's own changes; the base records the file's values for them, so pull brings them in.
    const kept = op.change.kept ?? [];
    const readSpec: JsonObject = { ...remote.spec };
    for (const f of kept) {
      if (localSpec[f] === undefined) delete readSpec[f];
      else readSpec[f] = localSpec[f] as JsonObject[string];
    }
    const before = { spec: readSpec, sent: fields, kept };
    const r = !send
      ? writer.bind(kind, key, remote.raw, secrets, local, localSpec, before)
      : await writer.update(kind, key, remote.id, sent, secrets, local, localSpec, before);
    const notes = [
      ...storedDifferently(r.differs.filter((f) => fields.includes(f))),
      ...editedMeanwhile(r.concurrent ?? [], ctx.command),
      ...(kept.length > 0 ? [`kept PostHog's ${andList(kept)}, which pull brings into the file`] : []),
    ];
    emit(eventFor(op, op.type === 'adopt' ? 'adopted' : 'updated', { id: r.id, ...(notes.length ? { reason: notes.join('; ') } : {}) }));
    return 'written';
  } catch (error) {
    if (error instanceof NotSentError) {
      emit(eventFor(op, 'skipped', { reason: `not sent: ${error.why}` }));
      return 'failed';
    }
    if (error instanceof PostHogApiError && error.status === 409 && kind.updateGuard) {
      // Changed in PostHog after this run read it: a conflict to look at, never an overwrite.
      emit(
        eventFor(op, 'skipped', {
          planned: 'conflict',
          reason: `conflict: changed in PostHog after this run read it (409 ${error.fields.apiCode ?? 'conflict'}), so nothing was overwritten; run diff to see both sides, then ${ctx.command} again`,
        }),
      );
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
export async function completeDeferred(p: Prepared, ctx: WriteContext, announced: boolean): Promise<void> {
  const { op } = p;
  const { kind, key, entry } = op.change;
  const blocked = ctx.gate.blocked(kind.kind);
  if (blocked) return ctx.emit(ctx.eventFor(op, 'skipped', { reason: blocked }));
  const fields = kind.deferred?.fields ?? [];
  try {
    const id = ctx.identities.idOf(kind.kind, key);
    if (id === undefined || !entry?.local) throw new Error('no remote id to complete');
    const absent = [
      ...new Set(
        keyRefs(kind, entry.local.spec)
          .filter((r) => inDeferred(kind, r.path) && ctx.identities.idOf(r.kind, r.key) === undefined)
          .map((r) => `${r.kind}/${r.key}`),
      ),
    ];
    if (absent.length > 0) {
      const them = absent.length === 1 ? 'it' : 'them';
      return ctx.emit(
        ctx.eventFor(op, 'failed', {
          error: {
            message: `its ${fields.join(', ')} were not written: they name ${andList(absent)}, which PostHog does not have; push or copy ${them} too (or with this one), then run again`,
          },
        }),
      );
    }
    const spec = pick(p.spec as JsonObject, fields);
    const r = await ctx.writer.completeDeferred(kind, key, id, toIds(kind, spec, ctx.identities), entry.local.spec, entry.local.secretRefs);
    const already = r.sent ? {} : { reason: `its ${fields.join(', ')} already as the file says, once what they name was written` };
    if (!announced) ctx.emit(ctx.eventFor(op, op.type === 'adopt' ? 'adopted' : 'updated', { id: r.id, ...already }));
  } catch (error) {
    if (error instanceof NotSentError) return ctx.emit(ctx.eventFor(op, 'skipped', { reason: `not sent: ${error.why}` }));
    ctx.gate.observe(kind.kind, error);
    const described = describeError(error);
    ctx.emit(
      ctx.eventFor(op, 'failed', { error: { ...described, message: `its ${fields.join(', ')} were not written: ${described.message}` } }),
    );
  }
}

export async function remove(op: Op, ctx: WriteContext): Promise<void> {
  const { kind, key, id } = op.change;
  const blocked = ctx.gate.blocked(kind.kind);
  if (blocked) return ctx.emit(ctx.eventFor(op, 'skipped', { reason: blocked }));
  try {
    if (id === undefined) throw new Error('no remote id to delete');
    await ctx.writer.delete(kind, key, id);
    ctx.emit(ctx.eventFor(op, 'deleted'));
  } catch (error) {
    if (error instanceof NotSentError) return ctx.emit(ctx.eventFor(op, 'skipped', { reason: `not sent: ${error.why}` }));
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
  return fields.length === 0
    ? []
    : [`PostHog stored ${fields.join(', ')} differently from the file (filled in, normalised or ignored); the file is left as written`];
}

/** Said at the write: PostHog's answer holds an edit made while the run wrote, which the state does not take for ours. */
function editedMeanwhile(fields: string[], command: WriteContext['command']): string[] {
  return fields.length === 0
    ? []
    : [
        `${andList(fields)} changed in PostHog while this ${command} ran (kept there, not overwritten); diff shows it as drift, pull brings it into the file`,
      ];
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

import pLimit from 'p-limit';
import { PreflightError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { Outcome } from '../model.js';
import { andList, dependencyLevels, type KindDef } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import type { Need, Plan } from '../plan/diff.js';
import type { Redactor } from '../plan/redactor.js';
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
import { refOf, writeOrder, type Waits } from './write-order.js';
import { describeError, type EventOutcome, type PushEvent } from './events.js';
import { completeDeferred, freshMs, hasDeferredWork, remove, write, type WriteContext, type Written } from './write-one.js';
import { unguardedUpdates } from './unguarded.js';

export type { PushEvent } from './events.js';

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
  /** The command that writes (push by default), for the hints of what it skipped. */
  command?: 'push' | 'copy' | 'restore';
  /** A dry run: what a real run would need (missing variables and secrets) goes into the plan instead of stopping it. */
  dryRun?: boolean;
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

/** Without a better figure: a create may still be committed up to two minutes after it was sent. */
const DEFAULT_SETTLE_MS = 120_000;

/**
 * How long PostHog may still commit a create after hogsync gave up on its answer: the
 * request timeout again, and at least five seconds more (a slow commit seen at 65 s with a
 * 60 s timeout is covered).
 */
function settleMs(client: { timeoutMs: number }): number {
  return client.timeoutMs + Math.max(client.timeoutMs, 5_000);
}

export interface ApplyInput {
  /** How long after sending a create PostHog may still commit it (see Writer). */
  settleMs?: number;
  /** How old PostHog's copy may be when an update without a concurrency guard is sent (write-one.ts freshMs). */
  freshMs: number;
  state: StateStore;
  client: PostHogClient;
  kinds: readonly KindDef[];
  concurrency: number;
  onEvent?: (event: PushEvent) => void;
}

/**
 * The ApplyInput of a job that writes to `client` (push, restore, copy): its kinds and flags,
 * and the waits that follow from the client's timeout and the environment.
 */
export function applyInput(
  job: { kinds: readonly KindDef[]; concurrency: number; env: NodeJS.ProcessEnv; onEvent?: ((event: PushEvent) => void) | undefined },
  state: StateStore,
  client: PostHogClient,
): ApplyInput {
  return {
    state,
    client,
    kinds: job.kinds,
    concurrency: job.concurrency,
    settleMs: settleMs(client),
    freshMs: freshMs(job.env),
    ...(job.onEvent ? { onEvent: job.onEvent } : {}),
  };
}

export interface ApplyResult {
  events: PushEvent[];
  summary: PushSummary;
  /** done: all applied; undecided: drift or conflicts left; changes: planned deletes left (no --prune); failed: a write failed. */
  outcome: Outcome;
  /** Said once for the whole run, not of one resource (updates PostHog will not guard, see unguarded.ts). */
  warnings: string[];
}

/** The checks push makes before its first write, for --dry-run and confirmation; they run once. */
export function checkPlan(input: CheckInput): CheckedPlan {
  const { ops, skipped } = selectOps(input.plan, input);
  const { prepared, blocking, needs } = preflight(ops, input.vars, input.snapshot, input.redactor);
  if (blocking.length > 0 && !input.dryRun) throw new PreflightError(blocking);
  const plan = needs.length > 0 ? { ...input.plan, needs } : input.plan;
  return { plan, snapshot: input.snapshot, ops, skipped, prepared };
}

/** What a push of `plan` would need and this run does not have (diff shows it: a plan for a new environment names its secrets). */
export function needsOf(plan: Plan, snapshot: Snapshot, vars: VarSources): Need[] {
  const { ops } = selectOps(plan, { prune: false, force: false });
  return preflight(ops, vars, snapshot).needs;
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
  const ambiguousNaturals = new Map(
    input.kinds.map((k) => [
      k.kind,
      sharedNaturals(snapshot.entries.filter((e) => e.kind === k && e.local).map((e) => e.local as LocalResource)),
    ]),
  );
  // A run that stops (SIGINT, SIGTERM, a Retry-After too long to wait) halts the client: no new write
  // is sent (WriteGate), those in flight get a few seconds to answer (Halt), the state is written below.
  const writer = new Writer(client, state, identities, snapshot.vault, {
    settleMs: input.settleMs ?? DEFAULT_SETTLE_MS,
    ambiguousNaturals,
    signal: client.stopping,
  });
  const limit = pLimit(input.concurrency);
  const gate = new WriteGate(() => client.notSent);
  const events: PushEvent[] = [];
  const emit = (e: PushEvent) => {
    events.push(e);
    input.onEvent?.(e);
  };
  const eventFor = (op: Op, outcome: EventOutcome, extra: Partial<PushEvent> = {}): PushEvent => {
    const c = op.change;
    return {
      kind: c.kind.kind,
      key: c.key,
      outcome,
      planned: c.action,
      ...(c.file ? { file: c.file } : {}),
      ...(c.id !== undefined ? { id: c.id } : {}),
      ...extra,
    };
  };

  for (const s of skipped) {
    const c = s.change;
    emit({
      kind: c.kind.kind,
      key: c.key,
      outcome: 'skipped',
      planned: c.action,
      reason: s.reason,
      ...(c.file ? { file: c.file } : {}),
      ...(c.id !== undefined ? { id: c.id } : {}),
    });
  }

  try {
    // Unchanged resources: bring bindings and bases up to date without a request.
    for (const c of plan.changes) {
      const e = c.entry;
      if (c.action !== 'unchanged' || !e) continue;
      if (
        e.remote &&
        e.local &&
        !sameBinding(
          e.binding,
          bindingOf(c.kind, e.remote.raw, e.remote.hash, e.binding?.secrets, e.local.hash, { base: e.remote.spec, local: e.local.spec }),
        )
      )
        writer.bind(c.kind, c.key, e.remote.raw, e.local.secretRefs, e.local.hash, e.local.spec);
      if (!e.remote && !e.local && e.binding) state.unbind(c.kind.kind, c.key);
    }

    const writes = prepared.filter((p) => p.op.type !== 'delete');
    const order = writeOrder(writes.map((p) => p.op));
    const ctx: WriteContext = {
      writer,
      command: plan.writer ?? 'push',
      identities,
      readAt: snapshot.readAt,
      freshMs: input.freshMs,
      gate,
      eventFor,
      emit,
    };
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
        emit(
          eventFor(p.op, 'skipped', {
            reason: `its ${fields} were not written: they name ${andList(missing)}, which ${missing.length === 1 ? 'was' : 'were'} not applied`,
          }),
        );
        return;
      }
      await limit(() => completeDeferred(p, ctx, first === 'written'));
    });
    await Promise.all(done.values());
    await Promise.all(second);

    for (const kind of input.kinds) {
      if (!kind.reorder || client.halted) continue;
      const applied = new Set(
        events.filter((e) => e.kind === kind.kind && ['created', 'updated', 'adopted'].includes(e.outcome)).map((e) => e.key),
      );
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
          if (moved > 0)
            emit({
              kind: kind.kind,
              key: '*',
              outcome: 'reordered',
              planned: 'reorder',
              reason: `${moved} ${group} position(s) set with one rearrange call`,
            });
        } catch (error) {
          emit({ kind: kind.kind, key: '*', outcome: 'failed', planned: 'reorder', error: describeError(error) });
        }
      }
    }

    const deletes = prepared.filter((p) => p.op.type === 'delete');
    for (const level of [...dependencyLevels(input.kinds)].reverse()) {
      const inLevel = deletes.filter((p) => level.includes(p.op.change.kind));
      await Promise.all(inLevel.map((p) => limit(() => remove(p.op, ctx))));
    }
    if (!client.halted) {
      for (const d of await writer.removeLateDuplicates()) {
        emit({
          kind: d.kind,
          key: d.key,
          outcome: 'deleted',
          planned: 'create',
          id: d.id,
          reason: 'a second copy, committed by PostHog after hogsync had sent the create again; deleted so that one remains',
        });
      }
    }
  } finally {
    state.flush();
  }

  return summarize(events, plan.summary.unchanged, unguardedUpdates(prepared));
}

/**
 * Counts and outcome of a push: failed if a write failed; undecided if drift or conflicts
 * were left (no --force); changes if deletes were left (no --prune); done otherwise.
 */
export function summarize(events: PushEvent[], unchanged: number, warnings: string[]): ApplyResult {
  const summary: PushSummary = {
    created: 0,
    restored: 0,
    updated: 0,
    adopted: 0,
    deleted: 0,
    reordered: 0,
    skipped: 0,
    failed: 0,
    unchanged,
  };
  for (const e of events) summary[e.outcome]++;
  const skippedAs = (planned: string[]) => events.some((e) => e.outcome === 'skipped' && planned.includes(e.planned));
  const outcome: Outcome =
    summary.failed > 0 ? 'failed' : skippedAs(['drift', 'conflict']) ? 'undecided' : skippedAs(['delete']) ? 'changes' : 'done';
  return { events, summary, outcome, warnings };
}

/** `12 created, 3 updated, 40 not sent`: what a stopped apply got done (writes cut short count as failed). */
export function appliedSoFar(result: ApplyResult): string {
  const s = result.summary;
  const notSent = result.events.filter((e) => e.outcome === 'skipped' && e.reason?.startsWith('not sent')).length;
  const failed = s.failed > 0 ? `${s.failed} failed, ` : '';
  return `${s.created} created, ${s.restored} restored, ${s.updated} updated, ${s.adopted} adopted, ${s.deleted} deleted, ${failed}${notSent} not sent`;
}

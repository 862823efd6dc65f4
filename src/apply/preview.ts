import { summarize, type ApplyResult, type CheckedPlan, type PushEvent } from './apply-plan.js';
import { unguardedUpdates } from './unguarded.js';

const WOULD: Record<string, PushEvent['outcome']> = {
  create: 'created',
  restore: 'restored',
  update: 'updated',
  adopt: 'adopted',
  delete: 'deleted',
};

/**
 * What a push would do, from the same checked plan the push itself applies: each write
 * it would send and each change it would leave, with the reason and the flag that would
 * apply it. `push --dry-run` prints this, so it says exactly what the same push does
 * (flags included), short of what PostHog might answer.
 */
export function preview(checked: CheckedPlan): ApplyResult {
  const events: PushEvent[] = [];
  const base = (c: CheckedPlan['ops'][number]['change']) => ({
    kind: c.kind.kind,
    key: c.key,
    planned: c.action,
    ...(c.file ? { file: c.file } : {}),
    ...(c.id !== undefined ? { id: c.id } : {}),
  });
  for (const s of checked.skipped) events.push({ ...base(s.change), outcome: 'skipped', reason: s.reason });
  for (const p of checked.prepared) {
    const outcome = WOULD[p.op.type] ?? 'updated';
    events.push(p.refusal ? { ...base(p.op.change), outcome: 'failed', error: { message: p.refusal } } : { ...base(p.op.change), outcome });
  }
  const result = summarize(events, checked.plan.summary.unchanged, unguardedUpdates(checked.prepared));
  // Nothing was sent: writes it would make are changes still to push (exit 2, like diff).
  const writes = events.some((e) => e.outcome !== 'skipped' && e.outcome !== 'failed');
  return result.outcome === 'done' && writes ? { ...result, outcome: 'changes' } : result;
}

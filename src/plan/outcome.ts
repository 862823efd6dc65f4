import type { Outcome } from '../model.js';
import type { Plan } from './diff.js';

/** What a plan asks of its reader: a decision on drift or conflicts, changes to push, or nothing. */
export function planOutcome(plan: Plan): Outcome {
  const s = plan.summary;
  if (s.drift > 0 || s.conflict > 0) return 'undecided';
  if (s.create + s.restore + s.update + s.delete + s.adopt > 0) return 'changes';
  return 'done';
}

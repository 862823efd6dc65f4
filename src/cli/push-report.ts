import type { ApplyResult, PushEvent } from '../apply/apply-plan.js';
import type { Plan } from '../plan/diff.js';

const MARK: Record<PushEvent['outcome'], string> = { created: '+', restored: '^', updated: '~', adopted: '~', deleted: '-', reordered: '↕', skipped: '!', failed: 'x' };

/** Per-resource results of push and copy (or, for a dry run, what they would do), then a one-line summary. */
export function pushText(plan: Plan, r: ApplyResult, dryRun = false): string {
  const lines = r.events.map((e) => {
    const what = e.key === '*' ? e.kind : `${e.kind}/${e.key}`;
    const id = e.id !== undefined ? ` (id ${e.id})` : '';
    const why = e.error ? `: ${e.error.message}` : e.reason ? `: ${e.reason}` : '';
    const file = e.file && e.outcome === 'failed' ? ` [${e.file}]` : '';
    const verb = dryRun && e.outcome !== 'skipped' && e.outcome !== 'failed' ? `would be ${e.outcome}` : e.outcome === 'failed' && dryRun ? 'would fail' : e.outcome;
    return `${MARK[e.outcome]} ${verb} ${what}${id}${why}${file}`;
  });
  const s = r.summary;
  lines.push(
    `${dryRun ? 'Dry run, nothing sent. A push to' : 'Pushed'} ${plan.environment}${dryRun ? ' would do' : ''}: ${s.created} created, ${s.restored ? `${s.restored} restored, ` : ''}${s.updated} updated, ${s.adopted} adopted, ${s.deleted} deleted, ` +
      `${s.skipped} skipped, ${s.failed} failed (${s.unchanged} unchanged).`,
  );
  if (s.failed > 0 && !dryRun) lines.push('Run "hogsync push" again after fixing the failures: what was applied is recorded, and the rest carries on.');
  return `${lines.join('\n')}\n`;
}

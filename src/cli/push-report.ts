import type { ApplyResult, PushEvent } from '../apply/apply-plan.js';
import type { Plan } from '../plan/diff.js';

const MARK: Record<PushEvent['outcome'], string> = {
  created: '+',
  restored: '^',
  updated: '~',
  adopted: '~',
  deleted: '-',
  reordered: '↕',
  skipped: '!',
  failed: 'x',
};

/** How many resources a grouped line names before it counts the rest. */
const NAMED = 3;

/**
 * Per-resource results of push and copy (or, for a dry run, what they would do), then a
 * one-line summary. A refusal that is about the key rather than the resource (401, 403), and
 * a reason shared by several skipped writes, is printed once with the resources it concerns:
 * a revoked key fills no screen with the same sentence.
 */
export function pushText(plan: Plan, r: ApplyResult, dryRun = false): string {
  const groups = new Map<string, PushEvent[]>();
  const order: Array<PushEvent | string> = [];
  for (const e of r.events) {
    const group = groupOf(e);
    if (group === undefined) {
      order.push(e);
      continue;
    }
    const members = groups.get(group);
    if (members) members.push(e);
    else {
      groups.set(group, [e]);
      order.push(group);
    }
  }
  const lines = order.map((item) => {
    if (typeof item !== 'string') return eventLine(item, dryRun);
    const members = groups.get(item) ?? [];
    const [first] = members;
    if (!first) return '';
    if (members.length === 1) return eventLine(first, dryRun);
    const names = members.map((e) => `${e.kind}/${e.key}`);
    const shown =
      names.length > NAMED + 1
        ? `${names.slice(0, NAMED).join(', ')} and ${names.length - NAMED} more`
        : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    const verb = first.outcome === 'failed' ? (dryRun ? 'would fail' : 'failed') : first.outcome;
    return `${MARK[first.outcome]} ${verb} ${members.length} writes (${shown}): ${first.error?.message ?? first.reason ?? ''}`;
  });
  for (const w of r.warnings) lines.push(`warning: ${w}.`);
  const s = r.summary;
  // Said in the words of the command that wrote: push, copy (into the target) or restore.
  const writer = plan.writer ?? 'push';
  const done = { push: 'Pushed', copy: 'Copied into', restore: 'Restored' }[writer];
  lines.push(
    `${dryRun ? `Dry run, nothing sent. A ${writer} to` : done} ${plan.environment}${dryRun ? ' would do' : ''}: ${s.created} created, ${s.restored ? `${s.restored} restored, ` : ''}${s.updated} updated, ${s.adopted} adopted, ${s.deleted} deleted, ` +
      `${s.skipped} skipped, ${s.failed} failed (${s.unchanged} unchanged).`,
  );
  if (s.failed > 0 && !dryRun)
    lines.push(`Run the same "hogsync ${writer}" again after fixing the failures: what was applied is recorded, and the rest carries on.`);
  return `${lines.join('\n')}\n`;
}

function eventLine(e: PushEvent, dryRun: boolean): string {
  const what = e.key === '*' ? e.kind : `${e.kind}/${e.key}`;
  const id = e.id !== undefined ? ` (id ${e.id})` : '';
  const why = e.error ? `: ${e.error.message}` : e.reason ? `: ${e.reason}` : '';
  const file = e.file && e.outcome === 'failed' ? ` [${e.file}]` : '';
  const verb =
    dryRun && e.outcome !== 'skipped' && e.outcome !== 'failed'
      ? `would be ${e.outcome}`
      : e.outcome === 'failed' && dryRun
        ? 'would fail'
        : e.outcome;
  return `${MARK[e.outcome]} ${verb} ${what}${id}${why}${file}`;
}

/** Events that share one line: refusals of the key (same status, code and detail), and skips for the same reason. */
function groupOf(e: PushEvent): string | undefined {
  if (e.outcome === 'failed' && (e.error?.status === 401 || e.error?.status === 403))
    return `failed ${e.error.status} ${e.error.code ?? ''} ${e.error.detail ?? ''}`;
  if (e.outcome === 'skipped' && e.reason !== undefined && e.key !== '*') return `skipped ${e.reason}`;
  return undefined;
}

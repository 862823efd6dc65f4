import type { SavedChange, SavedPlan } from '../model.js';
import type { Plan } from './diff.js';
import type { Entry } from './snapshot.js';

function sides(entry: Entry | undefined): Pick<SavedChange, 'local' | 'remote' | 'base'> {
  return {
    local: entry?.local?.hash ?? null,
    remote: entry?.remote?.hash ?? null,
    base: (entry?.binding ?? entry?.tombstone)?.base ?? null,
  };
}

export function savePlan(plan: Plan, target: { host: string; project: string }, now = new Date()): SavedPlan {
  const changes = plan.changes
    .filter((c) => c.action !== 'unchanged' && c.action !== 'unmanaged')
    .map((c) => ({ kind: c.kind.kind, key: c.key, action: c.action, ...sides(c.entry) }));
  return {
    hogsyncPlan: 1,
    environment: plan.environment,
    host: target.host,
    project: target.project,
    createdAt: now.toISOString(),
    changes,
  };
}

/**
 * The current plan cut down to what the saved plan covers, or the resources that changed
 * since it was saved (in the files, in PostHog, or in the state), named with the side that
 * moved. Changes that appeared since are left out: a saved plan applies nothing more.
 */
export function replayPlan(saved: SavedPlan, current: Plan): { plan: Plan; stale: string[] } {
  const byRef = new Map(current.changes.map((c) => [`${c.kind.kind}/${c.key}`, c]));
  const stale: string[] = [];
  for (const s of saved.changes) {
    const now = byRef.get(`${s.kind}/${s.key}`);
    const h = sides(now?.entry);
    const moved = [
      h.local !== s.local ? 'the file' : '',
      h.remote !== s.remote ? 'PostHog' : '',
      h.base !== s.base ? 'the state' : '',
    ].filter(Boolean);
    if (moved.length > 0) stale.push(`${s.kind}/${s.key} (${s.action}): ${moved.join(' and ')} changed since the plan was saved`);
    else if (now && now.action !== s.action) stale.push(`${s.kind}/${s.key}: planned as ${s.action}, now ${now.action}`);
  }
  const covered = new Set(saved.changes.map((s) => `${s.kind}/${s.key}`));
  const changes = current.changes.filter((c) => c.action === 'unchanged' || covered.has(`${c.kind.kind}/${c.key}`));
  const summary = Object.fromEntries(Object.keys(current.summary).map((a) => [a, 0])) as Plan['summary'];
  for (const c of changes) summary[c.action]++;
  return { plan: { ...current, changes, summary }, stale };
}

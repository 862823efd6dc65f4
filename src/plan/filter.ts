import { UsageError } from '../errors.js';
import { keyRefs, KINDS } from '../kinds/index.js';
import { missingVarsOf, type Change, type Plan } from './diff.js';

/**
 * Positional selectors of diff, push and restore: a file path (`posthog/insights/weekly.yaml`),
 * `Kind/key` (`Insight/weekly`, `insight/weekly`) or a bare key. A selector that matches nothing
 * is an error. What the selected resources name and PostHog lacks (to create or bring back)
 * comes with them: restoring a dashboard brings back the insights on it.
 */
export function filterPlan(plan: Plan, selectors: string[], paths: PathResolvers): Plan {
  if (selectors.length === 0) return plan;
  const used = new Set<string>();
  const matches = (c: Change) => {
    let hit = false;
    for (const sel of selectors) {
      if (matchOne(c, sel, paths)) {
        used.add(sel);
        hit = true;
      }
    }
    return hit;
  };
  const changes = withMissingReferences(
    plan,
    plan.changes.filter((c) => c.action !== 'unmanaged' && matches(c)),
  );
  const unused = selectors.filter((s) => !used.has(s));
  if (unused.length > 0) {
    throw new UsageError(
      `Nothing matches ${unused.map((s) => `"${s}"`).join(', ')}: give a resource file, a key, or Kind/key (e.g. ${KINDS[0]?.cliName ?? 'kind'}/<key>).`,
    );
  }
  const summary = Object.fromEntries(Object.keys(plan.summary).map((a) => [a, 0])) as Plan['summary'];
  for (const c of changes) summary[c.action]++;
  return { ...plan, changes, summary, missingVars: missingVarsOf(changes) };
}

/**
 * `selected` and, transitively, the changes that create or restore what they name by key, and
 * those that only follow one of them (re-pointed to a resource re-created under a new id).
 */
function withMissingReferences(plan: Plan, selected: Change[]): Change[] {
  const byRef = new Map(plan.changes.map((c) => [`${c.kind.kind}/${c.key}`, c]));
  const followers = new Map<string, Change[]>();
  for (const c of plan.changes) for (const f of c.follows ?? []) followers.set(f, [...(followers.get(f) ?? []), c]);
  const chosen = new Set(selected);
  const queue = [...selected];
  for (let c = queue.pop(); c; c = queue.pop()) {
    const ref = `${c.kind.kind}/${c.key}`;
    for (const follower of followers.get(ref) ?? []) {
      if (chosen.has(follower)) continue;
      chosen.add(follower);
      queue.push(follower);
    }
    const spec = c.entry?.local?.spec;
    if (!spec) continue;
    for (const r of keyRefs(c.kind, spec)) {
      const named = byRef.get(`${r.kind}/${r.key}`);
      if (!named || chosen.has(named) || (named.action !== 'create' && named.action !== 'restore')) continue;
      chosen.add(named);
      queue.push(named);
    }
  }
  return plan.changes.filter((c) => chosen.has(c));
}

export interface PathResolvers {
  /** A change's file (relative to the workspace root) as an absolute path. */
  file(path: string): string;
  /** A selector given on the command line (relative to the working directory) as an absolute path. */
  selector(path: string): string;
}

function matchOne(c: Change, sel: string, paths: PathResolvers): boolean {
  if (/\.ya?ml$/.test(sel)) return c.file !== undefined && paths.file(c.file) === paths.selector(sel);
  const slash = sel.indexOf('/');
  if (slash < 0) return c.key === sel;
  const kind = sel.slice(0, slash).toLowerCase();
  const key = sel.slice(slash + 1);
  const names = [c.kind.kind.toLowerCase(), c.kind.cliName, c.kind.folder];
  return names.includes(kind) && c.key === key;
}

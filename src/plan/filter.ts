import { UsageError } from '../errors.js';
import { KINDS } from '../kinds/index.js';
import { missingVarsOf, type Change, type Plan } from './diff.js';

/**
 * Positional selectors of diff and push: a file path (`posthog/insights/weekly.yaml`),
 * `Kind/key` (`Insight/weekly`, `insight/weekly`) or a bare key. A selector that
 * matches nothing is an error.
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
  const changes = plan.changes.filter((c) => c.action !== 'unmanaged' && matches(c));
  const unused = selectors.filter((s) => !used.has(s));
  if (unused.length > 0) {
    throw new UsageError(`Nothing matches ${unused.map((s) => `"${s}"`).join(', ')}: give a resource file, a key, or Kind/key (e.g. ${KINDS[0]?.cliName ?? 'kind'}/<key>).`);
  }
  const summary = Object.fromEntries(Object.keys(plan.summary).map((a) => [a, 0])) as Plan['summary'];
  for (const c of changes) summary[c.action]++;
  return { ...plan, changes, summary, missingVars: missingVarsOf(changes) };
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

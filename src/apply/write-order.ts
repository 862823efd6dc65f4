import { keyRefs, type KindDef } from '../kinds/index.js';
import type { Op } from './ops.js';

/** What one write waits for. */
export interface Waits {
  /** Resources written in this run that the write names: it is sent once they are. */
  before: string[];
  /** Resources named in its deferred fields: its second request is sent once they are written. */
  after: string[];
  /** Set when the write names, through others, itself: it cannot be sent (the sentence says why). */
  cycle?: string;
}

/** `Kind/key` of a change. */
export function refOf(op: Op): string {
  return `${op.change.kind.kind}/${op.change.key}`;
}

/**
 * The order of a push's creates and updates, resource by resource (DESIGN.md: dependencies are
 * a graph, not a line): each write waits for the resources of this run it names, except those
 * named in deferred fields, which its second request waits for (an insight names its
 * dashboards, a dashboard's tiles name insights). Resources that name each other in a circle
 * (cohorts inside cohorts, an action and a cohort) could never be sent: they are marked.
 */
export function writeOrder(ops: readonly Op[]): Map<string, Waits> {
  const written = new Set(ops.map(refOf));
  const waits = new Map<string, Waits>();
  for (const op of ops) {
    const own = refOf(op);
    const local = op.change.entry?.local;
    const refs = local ? keyRefs(op.change.kind, local.spec) : [];
    const late = (path: string) => inDeferred(op.change.kind, path);
    const named = (list: typeof refs) => [...new Set(list.map((r) => `${r.kind}/${r.key}`).filter((r) => written.has(r)))];
    waits.set(own, { before: named(refs.filter((r) => !late(r.path))), after: named(refs.filter((r) => late(r.path))) });
  }
  for (const [own, w] of waits) {
    const path = circleThrough(own, waits);
    if (!path) continue;
    const others = path.slice(1, -1);
    w.cycle =
      others.length === 0
        ? 'it names itself, which PostHog cannot hold before it exists: remove that reference'
        : `it names ${others.join(', which names ')}, which names it back: PostHog needs one of them to exist before the other. Remove one of these references, push, then add it back`;
  }
  return waits;
}

/** Whether a JSON Pointer lies inside one of the kind's deferred fields. */
export function inDeferred(kind: KindDef, path: string): boolean {
  return (kind.deferred?.fields ?? []).some((f) => path === `/${f}` || path.startsWith(`/${f}/`));
}

/** A chain of `before` waits from `start` back to itself, if there is one (depth first, each resource once). */
function circleThrough(start: string, waits: Map<string, Waits>): string[] | undefined {
  const seen = new Set<string>();
  const walk = (at: string, path: string[]): string[] | undefined => {
    for (const next of waits.get(at)?.before ?? []) {
      if (next === start) return [...path, next];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}

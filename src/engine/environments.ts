import type { Target } from '../config/target.js';
import { inverse, type IdMaps } from '../plan/translate.js';

/**
 * How the ids of unmanaged objects go from one environment to another. Files hold the home
 * environment's ids; each other environment's `refs:` maps home ids to its own. From A to B
 * an id goes back to home through A's refs, then out through B's.
 */
export function idMapsBetween(from: Target, to: Target): IdMaps {
  if (from.home) return to.home ? {} : to.refs;
  const toHome = inverse(from.refs);
  if (to.home) return toHome;
  const out: IdMaps = {};
  for (const [type, m] of Object.entries(toHome)) {
    out[type] = Object.fromEntries(
      Object.entries(m).flatMap(([id, home]) => (to.refs[type]?.[home] !== undefined ? [[id, to.refs[type]?.[home] as string]] : [])),
    );
  }
  return out;
}

import { FileError } from '../errors.js';
import { isObject } from '../json.js';
import type { SavedPlan } from '../model.js';
import { writeFileAtomic } from './atomic.js';
import { readRegularFile } from './file-guard.js';

/** Saved plans are small; a larger file is not one of ours. */
const MAX_PLAN_BYTES = 64 * 1024 * 1024;

export function writePlanFile(path: string, plan: SavedPlan): void {
  writeFileAtomic(path, `${JSON.stringify(plan, null, 2)}\n`);
}

/** A plan written by `diff --out`, checked for the shape it was written in. */
export function readPlanFile(path: string, display: string): SavedPlan {
  const text = readRegularFile(path, display, MAX_PLAN_BYTES);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new FileError(
      display,
      `is not a saved plan: not JSON (${(error as Error).message}). Write one with "hogsync diff --out ${display}".`,
    );
  }
  const changes = isObject(doc) ? doc.changes : undefined;
  const fine =
    isObject(doc) &&
    doc.hogsyncPlan === 1 &&
    ['environment', 'host', 'project', 'createdAt'].every((f) => typeof doc[f] === 'string') &&
    Array.isArray(changes) &&
    changes.every(
      (c) =>
        isObject(c) &&
        ['kind', 'key', 'action'].every((f) => typeof c[f] === 'string') &&
        ['local', 'remote', 'base'].every((f) => c[f] === null || typeof c[f] === 'string'),
    );
  if (!fine) throw new FileError(display, `is not a saved plan of this hogsync version. Write one with "hogsync diff --out ${display}".`);
  return doc as unknown as SavedPlan;
}

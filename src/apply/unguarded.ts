import type { JsonObject } from '../json.js';
import { andList, type KindDef } from '../kinds/index.js';
import type { Prepared } from './preflight.js';

// An update guard (KindDef.updateGuard) protects an update only where PostHog honours it. An older
// or self-hosted PostHog drops `base_updated_at` without a word, so an edit made in PostHog between
// this run's read and its write is overwritten: said once per kind and run, before anyone relies on
// the 409 that will not come.

/** Whether PostHog will refuse (409) an update of this resource that lost a race: its kind has a guard, and PostHog's copy shows it is honoured. */
export function guarded(kind: KindDef, raw: JsonObject): boolean {
  const guard = kind.updateGuard;
  return guard !== undefined && raw[guard.from] !== undefined && raw[guard.from] !== null && guard.servedWith.every((f) => f in raw);
}

/** One warning per kind whose planned updates PostHog will not guard (none where it will). */
export function unguardedUpdates(prepared: Prepared[]): string[] {
  const byKind = new Map<string, { label: string; field: string; servedWith: string[]; count: number }>();
  for (const { op, refusal } of prepared) {
    const { kind, entry, patch } = op.change;
    const guard = kind.updateGuard;
    const raw = entry?.remote?.raw;
    if (!guard || !raw || refusal !== undefined) continue;
    if (op.type !== 'update' && !(op.type === 'adopt' && (patch?.length ?? 0) > 0)) continue;
    if (guarded(kind, raw)) continue;
    const seen = byKind.get(kind.kind) ?? { label: kind.label, field: guard.field, servedWith: guard.servedWith, count: 0 };
    seen.count++;
    byKind.set(kind.kind, seen);
  }
  return [...byKind.values()].map(
    (k) =>
      `this PostHog ignores ${k.field} (its ${k.label} come without ${andList(k.servedWith)}, as an older or self-hosted PostHog's do), ` +
      `so this run's updates of ${k.label} (${k.count}) could overwrite edits made in PostHog between its read and its write`,
  );
}

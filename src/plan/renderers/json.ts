import type { Plan } from '../diff.js';
import { planNeeds, visibleChanges } from './common.js';

/** The `diff --output json` document of DESIGN.md: one JSON value, stable order. */
export function planDocument(plan: Plan) {
  return {
    environment: plan.environment,
    summary: plan.summary,
    changes: visibleChanges(plan).map((c) => ({
      kind: c.kind.kind,
      key: c.action === 'unmanaged' ? null : c.key,
      action: c.action,
      ...(c.id !== undefined ? { id: c.id } : {}),
      ...(c.file ? { file: c.file } : {}),
      ...(c.name !== undefined ? { name: c.name } : {}),
      ...(c.patch ? { patch: c.patch } : {}),
      ...(c.remotePatch ? { remotePatch: c.remotePatch } : {}),
      ...(c.base ? { base: c.base } : {}),
      ...(c.kept ? { kept: c.kept } : {}),
      ...(c.notes.length > 0 ? { notes: c.notes } : {}),
    })),
    missingVars: plan.missingVars ?? [],
    needs: planNeeds(plan),
    ...(plan.warnings?.length ? { warnings: plan.warnings } : {}),
  };
}

export function renderJson(plan: Plan): string {
  return `${JSON.stringify(planDocument(plan), null, 2)}\n`;
}

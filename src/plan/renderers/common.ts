import { splitPointer, type Json } from '../../json.js';
import { varsPushNeeds, type Action, type Change, type Need, type Plan } from '../diff.js';
import { yamlLib } from '../../yaml-lib.js';

/** Actions in the order a reader wants them: what push does first, what needs a decision next. */
export const ACTION_ORDER: Action[] = ['create', 'restore', 'update', 'adopt', 'delete', 'drift', 'conflict', 'unchanged', 'unmanaged'];

export const MARKERS: Record<Action, string> = {
  create: '+',
  restore: '^',
  update: '~',
  adopt: '~',
  delete: '-',
  drift: '!',
  conflict: '!',
  unchanged: ' ',
  unmanaged: '?',
};

/** Changes to show (everything but `unchanged`), sorted by kind, then key. */
export function visibleChanges(plan: Plan): Change[] {
  return plan.changes
    .filter((c) => c.action !== 'unchanged')
    .sort((a, b) => cmp(a.kind.kind, b.kind.kind) || cmp(a.key, b.key) || cmp(String(a.id ?? ''), String(b.id ?? '')));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `/spec/query/source/series/0/event` → `spec.query.source.series[0].event` */
export function displayPath(pointer: string): string {
  return splitPointer(pointer)
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
    .join('');
}

/** A value on one line, as JSON; very long ones are cut (the file holds them whole). */
export function inlineJson(v: Json | undefined, max = 300): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Whether a value reads well on one line: a scalar or a short object or list. */
export function isInline(v: Json | undefined): boolean {
  if (v === undefined || v === null || typeof v !== 'object') return true;
  return JSON.stringify(v).length <= 80 && !JSON.stringify(v).includes('\\n');
}

/** A value as YAML lines, multi-line strings (code) as block scalars: how the file writes it. */
export function yamlLines(v: Json): string[] {
  return yamlLib().stringify(v, { lineWidth: 0, blockQuote: 'literal' }).replace(/\n$/, '').split('\n');
}

/** A list item (a tag) as YAML writes a scalar: `growth`, `"12"`. */
export function itemText(v: Json): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : yamlLib().stringify(v, { lineWidth: 0 }).trim();
}

export function label(change: Change): string {
  const id = change.id !== undefined ? ` (id ${change.id})` : '';
  if (change.action === 'unmanaged')
    return `${change.kind.kind} ${change.name ? JSON.stringify(change.name) : ''}${id}`.replace(/\s+\(/, ' (');
  return `${change.kind.kind}/${change.key}${id}`;
}

/**
 * Each variable push needs and this run does not have, with the resources that need it: the plan's
 * `needs` (the files' `${NAME}`s and the secrets PostHog does not hold) where the command computed
 * them, else its unset `${NAME}`s.
 */
export function planNeeds(plan: Plan): Need[] {
  if (plan.needs) return plan.needs;
  return (plan.missingVars ?? []).map((name) => ({
    variable: name,
    secret: false,
    users: visibleChanges(plan)
      .filter((c) => varsPushNeeds(c).includes(name))
      .map((c) => `${c.kind.kind}/${c.key}`),
  }));
}

/** One need in words: `${NAME}` for a file's variable, the environment variable for a secret input. */
export function needText(n: Need): string {
  return n.secret ? `${n.variable} (a secret input PostHog does not hold yet)` : `\${${n.variable}}`;
}

export function summaryLine(plan: Plan): string {
  const restore = plan.summary.restore;
  const s = plan.summary;
  const parts = [
    `${s.create} to create`,
    ...(restore > 0 ? [`${restore} to restore`] : []),
    `${s.update} to update`,
    `${s.adopt} to adopt`,
    `${s.delete} to delete`,
    `${s.drift} drifted`,
    `${s.conflict} in conflict`,
    `${s.unchanged} unchanged`,
    `${s.unmanaged} unmanaged`,
  ];
  return `Plan for ${plan.environment}: ${parts.join(', ')}.`;
}

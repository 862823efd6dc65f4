import type { Operation } from 'fast-json-patch';
import { splitPointer, valueAt, type Json, type JsonObject } from '../../json.js';
import type { Action, Change, Plan } from '../diff.js';

/** Actions in the order a reader wants them: what push does first, what needs a decision next. */
export const ACTION_ORDER: Action[] = ['create', 'update', 'adopt', 'delete', 'drift', 'conflict', 'unchanged', 'unmanaged'];

export const MARKERS: Record<Action, string> = {
  create: '+',
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

export function shortJson(v: Json | undefined, max = 100): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function isMultiline(v: Json | undefined): v is string {
  return typeof v === 'string' && v.includes('\n');
}

export interface PathChange {
  path: string;
  op: Operation['op'];
  before: Json | undefined;
  after: Json | undefined;
}

/** The patch as before/after pairs, read against the remote document `{spec}`. */
export function pathChanges(change: Change): PathChange[] {
  const remote: JsonObject | undefined = change.entry?.remote ? { spec: change.entry.remote.spec } : undefined;
  const out: PathChange[] = [];
  for (const op of change.patch ?? []) {
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') continue;
    const before = op.op === 'add' ? undefined : valueAt(remote, op.path);
    const after = op.op === 'remove' ? undefined : (op.value as Json);
    out.push({ path: op.path, op: op.op, before, after });
  }
  return out;
}

export function label(change: Change): string {
  const id = change.id !== undefined ? ` (id ${change.id})` : '';
  if (change.action === 'unmanaged') return `${change.kind.kind} ${change.name ? JSON.stringify(change.name) : ''}${id}`.replace(/\s+\(/, ' (');
  return `${change.kind.kind}/${change.key}${id}`;
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const parts = [
    `${s.create} to create`,
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

import type { Json } from '../../json.js';
import type { Plan } from '../diff.js';
import { viewOf, type ChangeView } from './change-view.js';
import {
  displayPath,
  inlineJson,
  isInline,
  itemText,
  label,
  MARKERS,
  needText,
  planNeeds,
  summaryLine,
  visibleChanges,
  yamlLines,
} from './common.js';
import type { FieldChange } from './field-changes.js';
import { codeDiff } from './line-diff.js';

export interface TextOptions {
  color: boolean;
}

type Paint = (code: string, s: string) => string;

const COLORS: Record<string, string> = { '+': '32', '^': '32', '~': '33', '-': '31', '!': '35', '?': '90' };

/** Lines longer than this put old and new values on lines of their own. */
const WIDE = 120;

/**
 * Terraform-plan-like listing: one block per resource with old → new for every changed
 * field, line diffs for code, the whole spec of what push creates, and for drift and
 * conflicts what happened in PostHog and what push and pull would each do about it.
 */
export function renderText(plan: Plan, opts: TextOptions): string {
  const paint: Paint = (code, s) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const changes = visibleChanges(plan);
  const managed = changes.filter((c) => c.action !== 'unmanaged');
  for (const c of managed) {
    const mark = MARKERS[c.action];
    const where = c.file ? `  ${c.file}` : '';
    lines.push(paint(COLORS[mark] ?? '0', `${mark} ${c.action} ${label(c)}`) + where);
    for (const note of c.notes) lines.push(`    # ${note}`);
    if (c.action !== 'delete') lines.push(...viewLines(viewOf(c, plan.writer), paint));
  }
  const unmanaged = changes.filter((c) => c.action === 'unmanaged');
  if (unmanaged.length > 0) {
    if (managed.length > 0) lines.push('');
    lines.push(paint('90', `Not managed by hogsync (no file, not in state; left alone): ${unmanaged.length}`));
    for (const c of unmanaged.slice(0, 20)) lines.push(paint('90', `? ${label(c)}${c.notes.length > 0 ? `: ${c.notes.join('; ')}` : ''}`));
    if (unmanaged.length > 20) lines.push(paint('90', `  … and ${unmanaged.length - 20} more (hogsync pull adds them)`));
  }
  const needs = planNeeds(plan);
  if (needs.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(
      paint(
        '33',
        `warning: ${plan.writer ?? 'push'} needs these variables, which are not set here (it stops before any write until they are):`,
      ),
    );
    for (const n of needs) lines.push(paint('33', `    ${needText(n)}  used by ${n.users.join(', ')}`));
  }
  if (lines.length > 0) lines.push('');
  lines.push(summaryLine(plan));
  if (managed.length === 0) lines.push('No changes: the files and PostHog are in sync.');
  return `${lines.join('\n')}\n`;
}

function viewLines(view: ChangeView, paint: Paint): string[] {
  const out: string[] = [];
  if (view.spec) for (const line of yamlLines(view.spec)) out.push(paint('32', `    + ${line}`));
  const indent = view.heading ? '      ' : '    ';
  if (view.heading && view.fields.length > 0) out.push(`    ${view.heading}:`);
  for (const f of view.fields) out.push(...fieldLines(f, view, paint).map((l) => indent + l));
  if (view.advice.length > 0) out.push(`    → ${view.advice.map((a) => `${a.command} ${a.does}`).join('; ')}`);
  return out;
}

function fieldLines(f: FieldChange, view: ChangeView, paint: Paint): string[] {
  const path = displayPath(f.path);
  if (f.type === 'code') {
    const mark = f.before === undefined ? '+' : f.after === undefined ? '-' : '~';
    const sides = view.style === 'sides' ? ` (- ${view.before}, + ${view.after})` : '';
    const diff = codeDiff(f.before, f.after);
    return [paint(COLORS[mark] ?? '0', `${mark} ${path}:${sides}`), ...diff.map((l) => `    ${paint(lineColor(l), l)}`)];
  }
  if (f.type === 'items') {
    const mark = f.absentBefore ? '+' : f.absentAfter ? '-' : '~';
    if (view.style === 'sides') {
      const width = Math.max(view.before.length, view.after.length) + 9;
      const only = (name: string, xs: Json[]) =>
        `    ${`only in ${name}:`.padEnd(width)} ${xs.length > 0 ? xs.map(itemText).join(', ') : '(none)'}`;
      return [paint('33', `~ ${path}:`), only(view.before, f.removed), only(view.after, f.added)];
    }
    return [
      paint(COLORS[mark] ?? '0', `${mark} ${path}:`),
      ...f.removed.map((v) => paint('31', `    - ${itemText(v)}`)),
      ...f.added.map((v) => paint('32', `    + ${itemText(v)}`)),
    ];
  }
  if (view.style === 'sides') {
    const width = Math.max(view.before.length, view.after.length, f.baseKnown ? 'base'.length : 0) + 1;
    const side = (name: string, v: Json | undefined) =>
      v === undefined
        ? [`    ${`${name}:`.padEnd(width)} (absent)`]
        : isInline(v)
          ? [`    ${`${name}:`.padEnd(width)} ${inlineJson(v)}`]
          : [`    ${name}:`, ...yamlLines(v).map((l) => `        ${l}`)];
    return [
      paint('33', `~ ${path}:`),
      ...(f.baseKnown ? side('base', f.base) : []),
      ...side(view.before, f.before),
      ...side(view.after, f.after),
    ];
  }
  const mark = f.before === undefined ? '+' : f.after === undefined ? '-' : '~';
  const color = COLORS[mark] ?? '0';
  const inline = isInline(f.before) && isInline(f.after);
  if (inline) {
    const line =
      mark === '+'
        ? `+ ${path}: ${inlineJson(f.after)}`
        : mark === '-'
          ? `- ${path}: ${inlineJson(f.before)}`
          : `~ ${path}: ${inlineJson(f.before)} → ${inlineJson(f.after)}`;
    if (line.length <= WIDE || mark !== '~') return [paint(color, line)];
  }
  const block = (m: '-' | '+', v: Json | undefined) =>
    v === undefined ? [] : yamlLines(v).map((l) => paint(m === '+' ? '32' : '31', `    ${m} ${l}`));
  return [paint(color, `${mark} ${path}:`), ...block('-', f.before), ...block('+', f.after)];
}

function lineColor(line: string): string {
  return line.startsWith('+') ? '32' : line.startsWith('-') ? '31' : line.startsWith('@@') ? '36' : '0';
}

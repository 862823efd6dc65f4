import type { Json } from '../../json.js';
import type { Change, Plan } from '../diff.js';
import { displayPath, isMultiline, label, MARKERS, pathChanges, shortJson, summaryLine, visibleChanges } from './common.js';
import { lineDiff } from './line-diff.js';

export interface TextOptions {
  color: boolean;
}

const COLORS: Record<string, string> = { '+': '32', '~': '33', '-': '31', '!': '35', '?': '90' };

/** Terraform-plan-like listing: one block per resource, the changed paths, line diffs for code. */
export function renderText(plan: Plan, opts: TextOptions): string {
  const paint = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const changes = visibleChanges(plan);
  const managed = changes.filter((c) => c.action !== 'unmanaged');
  for (const c of managed) {
    const mark = MARKERS[c.action];
    const where = c.file ? `  ${c.file}` : '';
    lines.push(paint(COLORS[mark] ?? '0', `${mark} ${c.action} ${label(c)}`) + where);
    for (const note of c.notes) lines.push(`    # ${note}`);
    lines.push(...details(c, paint));
  }
  const unmanaged = changes.filter((c) => c.action === 'unmanaged');
  if (unmanaged.length > 0) {
    if (managed.length > 0) lines.push('');
    lines.push(paint('90', `Not managed by hogsync (no file, not in state; left alone): ${unmanaged.length}`));
    for (const c of unmanaged.slice(0, 20)) lines.push(paint('90', `? ${label(c)}`));
    if (unmanaged.length > 20) lines.push(paint('90', `  … and ${unmanaged.length - 20} more (hogsync pull adds them)`));
  }
  if (lines.length > 0) lines.push('');
  lines.push(summaryLine(plan));
  if (managed.length === 0) lines.push('No changes: the files and PostHog are in sync.');
  return `${lines.join('\n')}\n`;
}

function details(c: Change, paint: (code: string, s: string) => string): string[] {
  if (c.action === 'delete') return [];
  const out: string[] = [];
  for (const p of pathChanges(c)) {
    const path = displayPath(p.path);
    if (p.path === '/spec' && p.op === 'add' && p.after && typeof p.after === 'object' && !Array.isArray(p.after)) {
      for (const [k, v] of Object.entries(p.after)) out.push(...valueLines('+', `spec.${k}`, undefined, v, paint));
      continue;
    }
    const mark = p.op === 'add' ? '+' : p.op === 'remove' ? '-' : '~';
    out.push(...valueLines(mark, path, p.before, p.after, paint));
  }
  return out;
}

function valueLines(mark: string, path: string, before: Json | undefined, after: Json | undefined, paint: (code: string, s: string) => string): string[] {
  const color = COLORS[mark] ?? '0';
  if (isMultiline(before) || isMultiline(after)) {
    const out = [paint(color, `    ${mark} ${path}:`)];
    for (const line of lineDiff(typeof before === 'string' ? before : '', typeof after === 'string' ? after : '')) {
      const c = line.startsWith('+') ? '32' : line.startsWith('-') ? '31' : line.startsWith('@@') ? '36' : '0';
      out.push(`        ${paint(c, line)}`);
    }
    return out;
  }
  if (mark === '+') return [paint(color, `    + ${path}: ${shortJson(after)}`)];
  if (mark === '-') return [paint(color, `    - ${path}: ${shortJson(before)}`)];
  return [paint(color, `    ~ ${path}: ${shortJson(before)} → ${shortJson(after)}`)];
}

import type { Json } from '../../json.js';
import type { Change, Need, Plan } from '../diff.js';
import { viewOf, type ChangeView } from './change-view.js';
import {
  ACTION_ORDER,
  displayPath,
  inlineJson,
  isInline,
  itemText,
  label,
  MARKERS,
  planNeeds,
  visibleChanges,
  yamlLines,
} from './common.js';
import type { FieldChange } from './field-changes.js';
import { codeDiff } from './line-diff.js';
import { code, escapeHtml, fenced } from './markdown-blocks.js';

/** GitHub refuses comments over 65,536 characters; stay clear of it with room for a footer. */
const GITHUB_COMMENT_LIMIT = 65_536;
const BUDGET = GITHUB_COMMENT_LIMIT - 2_000;
/** One change may not take the whole comment. */
const MAX_SECTION = 12_000;

/**
 * A pull-request comment: a table of counts, a warning for variables push needs that are
 * not set, then one collapsible section per changed resource with what changes, old → new
 * (drift: what happened in PostHog), code as line diffs and new resources as YAML. Secrets
 * never appear (the plan compares them as `{secret: true}`); the comment is cut, with a
 * note, before GitHub's size limit.
 */
export function renderMarkdown(plan: Plan, opts: { marker?: string } = {}): string {
  const head: string[] = [];
  if (opts.marker) head.push(`<!-- ${opts.marker} -->`);
  head.push(`### hogsync plan for \`${plan.environment}\``, '');
  // `restore` gets a column only when there is something to restore.
  const cols = ACTION_ORDER.filter((a) => a !== 'restore' || plan.summary[a] > 0);
  head.push(
    `| ${cols.join(' | ')} |`,
    `| ${cols.map(() => '---:').join(' | ')} |`,
    `| ${cols.map((a) => plan.summary[a]).join(' | ')} |`,
    '',
  );
  head.push(...missingVarsWarning(plan), ...heldWarnings(plan));
  const changes = visibleChanges(plan).filter((c) => c.action !== 'unmanaged');
  if (changes.length === 0) head.push('No changes: the files and PostHog are in sync.');
  const sections: string[] = [];
  let size = head.join('\n').length;
  let shown = 0;
  for (const c of changes) {
    const section = renderSection(c, plan.writer);
    if (size + section.length > BUDGET) break;
    sections.push(section);
    size += section.length + 1;
    shown++;
  }
  const tail: string[] = [];
  if (shown < changes.length) {
    tail.push(
      '',
      `> ${changes.length - shown} more change(s) are not shown: the comment would exceed GitHub's limit. Run \`hogsync diff\` to see them all.`,
    );
  }
  const unmanaged = plan.summary.unmanaged;
  if (unmanaged > 0) tail.push('', `${unmanaged} remote resource(s) are not managed by hogsync and are left alone.`);
  return `${[...head, ...sections, ...tail].join('\n')}\n`;
}

function missingVarsWarning(plan: Plan): string[] {
  const needs = planNeeds(plan);
  if (needs.length === 0) return [];
  const what = (n: Need) => (n.secret ? `${code(n.variable)} (a secret input PostHog does not hold yet)` : code(`\${${n.variable}}`));
  return [
    '> [!WARNING]',
    `> ${plan.writer === 'copy' ? 'Copy' : plan.writer === 'restore' ? 'Restore' : 'Push'} needs these variables, which are not set where this plan was made; it stops before any write until they are:`,
    ...needs.map((n) => `> - ${what(n)}, used by ${n.users.map(code).join(', ')}`),
    '',
    // One line per variable for the GitHub Action to turn into a warning annotation (action.yml); invisible when rendered.
    ...needs.map((n) => `<!-- hogsync-needs: ${n.variable} -->`),
    '',
  ];
}

function heldWarnings(plan: Plan): string[] {
  if (!plan.warnings?.length) return [];
  return [
    '> [!NOTE]',
    '> Problems in files PostHog already holds as they are; they do not hold up a push:',
    ...plan.warnings.map((w) => `> - ${escapeHtml(w)}`),
    '',
  ];
}

function renderSection(c: Change, writer: Plan['writer']): string {
  const file = c.file ? ` — <code>${escapeHtml(c.file)}</code>` : '';
  const summary = `<summary><code>${MARKERS[c.action]}</code> <b>${c.action}</b> <code>${escapeHtml(label(c))}</code>${file}</summary>`;
  const parts: string[] = [];
  if (c.notes.length > 0) parts.push(c.notes.map((n) => `- ${escapeHtml(n)}`).join('\n'));
  if (c.action !== 'delete') parts.push(...viewParts(viewOf(c, writer)));
  // Blank lines around the body: GitHub renders markdown inside <details> only then.
  const body: string[] = [];
  let size = summary.length;
  for (const [i, p] of parts.entries()) {
    if (size + p.length > MAX_SECTION) {
      body.push(`_${parts.length - i} more part(s) of this change are not shown: run \`hogsync diff\` to see them all._`);
      break;
    }
    body.push(p);
    size += p.length + 2;
  }
  return ['<details>', summary, '', ...body.flatMap((p) => [p, '']), '</details>'].join('\n');
}

/** Paragraphs: a heading, a list of the fields that fit on a line, blocks for the rest, the advice. */
function viewParts(view: ChangeView): string[] {
  const parts: string[] = [];
  if (view.spec) parts.push(fenced('yaml', yamlLines(view.spec)));
  if (view.heading && view.fields.length > 0) parts.push(`**${view.heading[0]?.toUpperCase()}${view.heading.slice(1)}:**`);
  const items: string[] = [];
  const blocks: string[] = [];
  for (const f of view.fields) {
    const line = listItem(f, view);
    if (line) items.push(line);
    else blocks.push(block(f, view));
  }
  if (items.length > 0) parts.push(items.join('\n'));
  parts.push(...blocks);
  if (view.advice.length > 0) parts.push(`→ ${view.advice.map((a) => `${code(`hogsync ${a.command}`)} ${a.does}`).join('; ')}.`);
  return parts;
}

/** A field on one list line, or undefined when it needs a block (code, large values). */
function listItem(f: FieldChange, view: ChangeView): string | undefined {
  const path = code(displayPath(f.path));
  if (f.type === 'code') return undefined;
  if (f.type === 'items') {
    const list = (xs: Json[]) => (xs.length > 0 ? xs.map((x) => code(itemText(x))).join(', ') : '(none)');
    if (view.style === 'sides') return `- ${path}: only in ${view.before} ${list(f.removed)}; only in ${view.after} ${list(f.added)}`;
    const said = [
      ...(f.added.length > 0 ? [`added ${list(f.added)}`] : []),
      ...(f.removed.length > 0 ? [`removed ${list(f.removed)}`] : []),
    ];
    return `- ${path}: ${said.join('; ')}`;
  }
  if (!isInline(f.before) || !isInline(f.after)) return undefined;
  const v = (x: Json | undefined) => (x === undefined ? '(absent)' : code(inlineJson(x)));
  if (view.style === 'sides')
    return `- ${path}: ${f.baseKnown ? `base ${v(f.base)} · ` : ''}${view.before} ${v(f.before)} · ${view.after} ${v(f.after)}`;
  if (f.before === undefined) return `- ${path}: added ${v(f.after)}`;
  if (f.after === undefined) return `- ${path}: removed (was ${v(f.before)})`;
  return `- ${path}: ${v(f.before)} → ${v(f.after)}`;
}

function block(f: FieldChange, view: ChangeView): string {
  const sides = view.style === 'sides' ? ` (\`-\` ${view.before}, \`+\` ${view.after})` : '';
  const title = `${code(displayPath(f.path))}${sides}:`;
  if (f.type === 'code') {
    const diff = codeDiff(f.before, f.after);
    return `${title}\n\n${fenced('diff', diff)}`;
  }
  const side = (m: string, x: Json | undefined) => (x === undefined ? [] : yamlLines(x).map((l) => `${m} ${l}`));
  const lines = f.type === 'value' ? [...side('-', f.before), ...side('+', f.after)] : [];
  return `${title}\n\n${fenced('diff', lines)}`;
}

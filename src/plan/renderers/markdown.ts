import type { Change, Plan } from '../diff.js';
import { ACTION_ORDER, displayPath, isMultiline, label, MARKERS, pathChanges, visibleChanges } from './common.js';
import { lineDiff } from './line-diff.js';

/** GitHub refuses comments over 65,536 characters; stay clear of it with room for a footer. */
const GITHUB_COMMENT_LIMIT = 65_536;
const BUDGET = GITHUB_COMMENT_LIMIT - 2_000;
const MAX_PATCH = 12_000;

/**
 * A pull-request comment: a table of counts, then one collapsible section per changed
 * resource with its JSON Patch. Secrets never appear (the plan compares them as
 * `{secret: true}`); the comment is cut, with a note, before GitHub's size limit.
 */
export function renderMarkdown(plan: Plan, opts: { marker?: string } = {}): string {
  const head: string[] = [];
  if (opts.marker) head.push(`<!-- ${opts.marker} -->`);
  head.push(`### hogsync plan for \`${plan.environment}\``, '');
  const cols = ACTION_ORDER;
  head.push(`| ${cols.join(' | ')} |`, `| ${cols.map(() => '---:').join(' | ')} |`, `| ${cols.map((a) => plan.summary[a]).join(' | ')} |`, '');
  const changes = visibleChanges(plan).filter((c) => c.action !== 'unmanaged');
  if (changes.length === 0) head.push('No changes: the files and PostHog are in sync.');
  const sections: string[] = [];
  let size = head.join('\n').length;
  let shown = 0;
  for (const c of changes) {
    const section = renderSection(c);
    if (size + section.length > BUDGET) break;
    sections.push(section);
    size += section.length + 1;
    shown++;
  }
  const tail: string[] = [];
  if (shown < changes.length) {
    tail.push('', `> ${changes.length - shown} more change(s) are not shown: the comment would exceed GitHub's limit. Run \`hogsync diff\` to see them all.`);
  }
  const unmanaged = plan.summary.unmanaged;
  if (unmanaged > 0) tail.push('', `${unmanaged} remote resource(s) are not managed by hogsync and are left alone.`);
  return `${[...head, ...sections, ...tail].join('\n')}\n`;
}

function renderSection(c: Change): string {
  const notes = c.notes.length > 0 ? `\n${c.notes.map((n) => `- ${escapeMd(n)}`).join('\n')}\n` : '';
  // Code changes read better as a line diff than as one JSON string.
  const code = pathChanges(c)
    .filter((p) => isMultiline(p.before) || isMultiline(p.after))
    .map((p) => {
      const lines = lineDiff(typeof p.before === 'string' ? p.before : '', typeof p.after === 'string' ? p.after : '');
      return `\n\`${displayPath(p.path)}\`\n\n\`\`\`diff\n${lines.join('\n').replace(/```/g, '`\u200b``')}\n\`\`\`\n`;
    })
    .join('');
  let patch = JSON.stringify(c.patch ?? [], null, 2);
  if (patch.length > MAX_PATCH) patch = `${patch.slice(0, MAX_PATCH)}\n… (patch cut: ${patch.length} characters in all)`;
  const file = c.file ? ` — \`${c.file}\`` : '';
  return [
    '<details>',
    `<summary><code>${MARKERS[c.action]}</code> <b>${c.action}</b> <code>${escapeHtml(label(c))}</code>${file}</summary>`,
    notes,
    code,
    '```json',
    patch.replace(/```/g, '`\u200b``'),
    '```',
    '</details>',
  ].join('\n');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeMd(s: string): string {
  return s.replace(/[<>]/g, (ch) => (ch === '<' ? '&lt;' : '&gt;'));
}

import type { CommitMessage, StagedChange } from './git.js';

const MARK = { added: '+', changed: '~', removed: '-' } as const;
const MAX_DETAIL = 50;

/**
 * The message of `pull --commit`, counted from what the commit really holds (the staged
 * files under each kind's folder), so that a rerun after an interrupted commit reports
 * every file it commits:
 *
 *     hogsync pull production: 1 added, 2 changed, 1 removed      ← or the -m text
 *
 *     Insight: 1 added, 1 changed, 1 removed
 *     HogFunction: 0 added, 1 changed, 0 removed
 *
 *       + Insight/weekly-signups
 *
 * With `-m`, the text given is the subject and the counts line opens the body.
 */
export function pullCommitMessage(
  environment: string,
  folders: ReadonlyArray<{ kind: string; path: string }>,
  staged: readonly StagedChange[],
  subject?: string,
): CommitMessage {
  const total = { added: 0, changed: 0, removed: 0 };
  const byKind = new Map<string, typeof total>();
  const detail: string[] = [];
  for (const folder of folders) {
    const files = staged.filter((s) => s.under === folder.path && /\.ya?ml$/.test(s.path));
    const counts = { added: 0, changed: 0, removed: 0 };
    for (const f of files) {
      counts[f.status]++;
      total[f.status]++;
      detail.push(`  ${MARK[f.status]} ${folder.kind}/${f.path.replace(/^.*\//, '').replace(/\.ya?ml$/, '')}`);
    }
    if (files.length > 0) byKind.set(folder.kind, counts);
  }
  const line = (c: typeof total) => `${c.added} added, ${c.changed} changed, ${c.removed} removed`;
  const head = `hogsync pull ${environment}: ${line(total)}`;
  const kinds = [...byKind].map(([kind, c]) => `${kind}: ${line(c)}`);
  const shown = detail.slice(0, MAX_DETAIL);
  if (detail.length > MAX_DETAIL) shown.push(`  … and ${detail.length - MAX_DETAIL} more`);
  const sections = [...(subject !== undefined ? [[head]] : []), kinds, shown].filter((s) => s.length > 0).map((s) => s.join('\n'));
  const body = sections.join('\n\n');
  return { subject: subject ?? head, ...(body ? { body } : {}) };
}

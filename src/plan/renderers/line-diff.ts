import { structuredPatch } from 'diff';

/** Unified diff hunks of two multi-line strings (Hog code, HogQL), without file headers. */
export function lineDiff(before: string, after: string, context = 3): string[] {
  const patch = structuredPatch('remote', 'local', ensureNewline(before), ensureNewline(after), undefined, undefined, { context });
  const out: string[] = [];
  for (const hunk of patch.hunks) {
    out.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    for (const line of hunk.lines) if (!line.startsWith('\\')) out.push(line);
  }
  return out;
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

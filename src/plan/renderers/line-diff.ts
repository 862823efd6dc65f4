import { structuredPatch } from 'diff';

/** Unified diff hunks of two multi-line strings (Hog code, HogQL), without file headers. */
function lineDiff(before: string, after: string, context = 3): string[] {
  const patch = structuredPatch('before', 'after', ensureNewline(before), ensureNewline(after), undefined, undefined, { context });
  const out: string[] = [];
  for (const hunk of patch.hunks) {
    out.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    for (const line of hunk.lines) if (!line.startsWith('\\')) out.push(line);
  }
  return out;
}

/** The diff lines of a code field from `before` to `after`, either of which may be absent. */
export function codeDiff(before: string | undefined, after: string | undefined): string[] {
  if (before !== undefined && after !== undefined) return lineDiff(before, after);
  return after !== undefined ? codeLines('+', after) : codeLines('-', before ?? '');
}

/** Code that is only on one side, each line marked as added or removed. */
function codeLines(mark: '+' | '-', text: string): string[] {
  return splitLines(text).map((l) => `${mark}${l}`);
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

// An empty side is no lines at all, not one empty line (which would show as a stray `-`).
function ensureNewline(s: string): string {
  return s === '' || s.endsWith('\n') ? s : `${s}\n`;
}

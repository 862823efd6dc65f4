/** Longest block shown in a pull-request comment; the rest is cut with a note. */
const MAX_BLOCK_LINES = 200;
const MAX_BLOCK_CHARS = 8_000;

/**
 * A fenced code block. The fence is longer than any run of backticks inside, so that code
 * holding ``` (a Hog template, a comment) cannot close it early; long blocks are cut.
 */
export function fenced(lang: string, lines: string[]): string {
  let shown = lines.slice(0, MAX_BLOCK_LINES);
  while (shown.length > 1 && shown.join('\n').length > MAX_BLOCK_CHARS) shown = shown.slice(0, Math.ceil(shown.length / 2));
  const body = shown.join('\n');
  const runs = body.match(/`{3,}/g) ?? [];
  const fence = '`'.repeat(Math.max(3, ...runs.map((r) => r.length + 1)));
  const cut = lines.length - shown.length;
  const note = cut > 0 ? `\n\n_${cut} more line(s) not shown: run \`hogsync diff\` to see them all._` : '';
  return `${fence}${lang}\n${body}\n${fence}${note}`;
}

/** Inline code that may itself hold backticks (CommonMark: a longer backtick string, padded). */
export function code(s: string): string {
  const runs = s.match(/`+/g) ?? [];
  if (runs.length === 0) return `\`${s}\``;
  const ticks = '`'.repeat(Math.max(...runs.map((r) => r.length)) + 1);
  return `${ticks} ${s} ${ticks}`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Plain-text tables and CSV for list-like commands. */

export type Cell = string | number | boolean | null | undefined;

export async function renderTable(headers: string[], rows: Cell[][]): Promise<string> {
  // Loaded by the commands that print a table, not by every start-up (the overall --help loads every command).
  const { default: stringWidth } = await import('string-width');
  const text = (c: Cell) => (c === null || c === undefined ? '' : String(c));
  // Columns as a terminal shows them: an emoji or a CJK character takes two cells, a combining accent none.
  const widths = headers.map((h, i) => Math.max(stringWidth(h), ...rows.map((r) => stringWidth(text(r[i])))));
  const pad = (c: string, width: number) => c + ' '.repeat(Math.max(0, width - stringWidth(c)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(r.map(text)))].join('\n')}\n`;
}

/** RFC 4180: fields with commas, quotes or line breaks are quoted, quotes doubled. */
export function renderCsv(headers: string[], rows: Cell[][]): string {
  const field = (c: Cell) => {
    const s = c === null || c === undefined ? '' : String(c);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[headers, ...rows].map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

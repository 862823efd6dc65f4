/** Plain-text tables and CSV for list-like commands. */
import stringWidth from 'string-width';

export type Cell = string | number | boolean | null | undefined;

export function renderTable(headers: string[], rows: Cell[][]): string {
  const text = (c: Cell) => (c === null || c === undefined ? '' : String(c));
  // Columns as a terminal shows them: an emoji or a CJK character takes two cells, a combining accent none.
  const widths = headers.map((h, i) => Math.max(stringWidth(h), ...rows.map((r) => stringWidth(text(r[i])))));
  const pad = (c: string, width: number) => c + ' '.repeat(Math.max(0, width - stringWidth(c)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ').trimEnd();
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

/** Rows as the CLI prints them: an aligned text table, CSV with a header row, or one JSON array. */
export type RowFormat = 'table' | 'csv' | 'json';

export function formatRows(columns: { name: string }[], rows: Record<string, unknown>[], format: RowFormat): string {
  const names = columns.map((c) => c.name);
  if (format === 'json') return `${JSON.stringify(rows)}\n`;
  if (format === 'csv') {
    const lines = [names.map(csvField).join(',')];
    for (const row of rows) lines.push(names.map((n) => csvField(cell(row[n]))).join(','));
    return `${lines.join('\n')}\n`;
  }
  const cells = rows.map((row) => names.map((n) => cell(row[n])));
  const widths = names.map((n, i) => Math.min(60, Math.max(n.length, ...cells.map((r) => r[i].length))));
  const line = (values: string[]) => values.map((v, i) => clip(v, widths[i]).padEnd(widths[i])).join(' | ').trimEnd();
  const out = [line(names), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function clip(v: string, width: number): string {
  const flat = v.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

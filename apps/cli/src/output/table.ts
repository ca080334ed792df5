export type OutputFormat = 'table' | 'json' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv'];

/** JSON that also carries bigints (PGlite returns them inside int8 arrays): as numbers when exact. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v,
  );
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return toJson(value);
  return String(value);
}

const isNumeric = (value: unknown) => typeof value === 'number' || typeof value === 'bigint';

/** An aligned text table in the style of psql: numbers right-aligned, a row count at the end. */
export function formatTable(fields: string[], rows: Record<string, unknown>[]): string {
  const cells = rows.map((row) => fields.map((f) => cell(row[f]).replace(/\n/g, '\\n')));
  const widths = fields.map((f, i) => Math.max(f.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const rightAlign = fields.map((f) => rows.length > 0 && rows.every((r) => r[f] == null || isNumeric(r[f])));
  const line = (values: string[]) =>
    values
      .map((v, i) => (rightAlign[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join(' | ')
      .trimEnd();
  const out = [line(fields), widths.map((w) => '-'.repeat(w)).join('-+-')];
  for (const r of cells) out.push(line(r));
  out.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`);
  return out.join('\n');
}

function csvField(value: unknown): string {
  const s = cell(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header line. */
export function formatCsv(fields: string[], rows: Record<string, unknown>[]): string {
  return [
    fields.map(csvField).join(','),
    ...rows.map((r) => fields.map((f) => csvField(r[f])).join(',')),
  ].join('\n');
}

/** One JSON array, a row per line, keys in column order: valid JSON that still greps well. */
export function formatJson(fields: string[], rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '[]';
  const lines = rows.map((r) => toJson(Object.fromEntries(fields.map((f) => [f, r[f] ?? null]))));
  return `[\n${lines.join(',\n')}\n]`;
}

export function formatRows(format: OutputFormat, fields: string[], rows: Record<string, unknown>[]): string {
  switch (format) {
    case 'table':
      return formatTable(fields, rows);
    case 'csv':
      return formatCsv(fields, rows);
    case 'json':
      return formatJson(fields, rows);
  }
}

/** Plain-text tables for people; `--json` gives scripts the records themselves. */
export function formatTable(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((row) => row.map((c) => (c === null || c === undefined ? '—' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export const metric = (value: number | null | undefined, digits = 4): string =>
  value === null || value === undefined ? '—' : value.toFixed(digits);

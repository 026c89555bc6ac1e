/** HTML pieces every section of the model card uses: escaping, numbers, percentages, tables. */

export const esc = (text: unknown): string =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

export const num = (value: number | null | undefined, digits = 4): string =>
  value === null || value === undefined || Number.isNaN(value) ? '<span class="na">n/a</span>' : value.toFixed(digits);

export const pct = (value: number | null | undefined): string =>
  value === null || value === undefined ? '<span class="na">insufficient data</span>' : `${(100 * value).toFixed(1)}%`;

export function table(headers: string[], rows: string[][], className = ''): string {
  return `<table class="${className}"><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A chart with its caption. */
export const figure = (svg: string, caption: string): string =>
  `<figure class="chart">${svg}<figcaption>${esc(caption)}</figcaption></figure>`;

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

/** The pages' look (model card, monitoring report): inline CSS, nothing fetched at view time. */
export const PAGE_STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:24px}
header{background:#1d2430;color:#fff;padding:20px 24px}header h1{margin:0 0 4px;font-size:22px}
section{background:#fff;border:1px solid #e2e5ea;border-radius:8px;padding:16px 20px;margin:16px 0}
h2{margin:0 0 10px;font-size:17px}h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;margin:6px 0;font-size:13px}th,td{border-bottom:1px solid #e8eaee;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f0f2f5}.row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
figure.chart{margin:0}figcaption{font-size:12px;color:#5b6472}
.verdict{padding:10px 14px;border-radius:6px;font-weight:600}.verdict.pass{background:#e4f5e9;color:#17622f}.verdict.fail{background:#fde8e8;color:#8c1d1d}
.pass{color:#17622f;font-weight:600}.fail{color:#a11d1d;font-weight:600}.na{color:#8a93a0;font-style:italic}
.tag{font-size:11px;padding:1px 6px;border-radius:8px;background:#eef}.tag.warn{background:#fff3cd}.tag.alarm{background:#fde8e8}
code{font-size:12px;word-break:break-all}.facts{color:#3b4452}`;

import { fairnessSection } from './fairness-section.js';
import { driftSection, importanceSection, performanceCharts } from './figures.js';
import { esc, num, PAGE_STYLE, pct, table } from './markup.js';
import { baselineNote, searchSection } from './search.js';
import type { CardFacts, EvaluationReport } from './types.js';

/**
 * The model card: one self-contained HTML page per run (inline CSS and SVG, no scripts, nothing fetched at view
 * time) with the data, the metrics, the gate, fairness, feature influence, drift and lineage.
 */

/** The influence bounds the card draws: the dominance line and the leak threshold. */
export interface CardThresholds {
  readonly maxFeatureShare: number;
  readonly maxSingleFeatureScore: number;
}

const signed = (a: number | null, b: number | null | undefined): string =>
  a !== null && b !== null && b !== undefined ? (a - b >= 0 ? '+' : '') + (a - b).toFixed(4) : '—';

/** The verdict line: the decision, then the gate's own words without repeating the decision. */
function verdict(report: EvaluationReport): string {
  const detail = report.gate.summary.replace(/^rejected: /, '');
  return `${report.gate.passed ? 'Passed' : 'Rejected'} — ${esc(detail)}`;
}

/** Renders the model card of one run. */
export async function renderModelCard(
  report: EvaluationReport,
  facts: CardFacts,
  thresholds: CardThresholds,
): Promise<string> {
  const title = `${facts.model} ${facts.version === null ? '(no version)' : `version ${facts.version}`}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Model card — ${esc(title)}</title><style>${PAGE_STYLE}</style></head><body>
<header><h1>Model card — ${esc(title)}</h1><div>run ${esc(facts.run.runId)} · outcome: <b>${esc(facts.run.outcome ?? facts.run.status)}</b>${facts.versionStatus ? ` · version ${esc(facts.versionStatus)}` : ''}${facts.inProduction ? ' · <b>in production</b>' : ''} · started ${esc(facts.run.startedAt)}</div></header>
<main>
${gateSection(report, facts)}
${await metricsSection(report)}
<section id="search"><h2>Search</h2>${searchSection(report)}</section>
<section id="fairness"><h2>Fairness</h2>${await fairnessSection(report.fairness)}</section>
<section id="slices"><h2>Per-slice metrics</h2>${slicesOf(report) || '<p>No slice columns.</p>'}</section>
<section id="importance"><h2>Feature influence</h2>${await importanceSection(report, thresholds.maxFeatureShare, thresholds.maxSingleFeatureScore)}</section>
<section id="drift"><h2>Training data drift</h2>${await driftSection(report)}</section>
${dataSection(facts)}
${lineageSection(facts)}
</main></body></html>`;
}

/** The gate's verdict, every check, and the preparation's warnings. */
function gateSection(report: EvaluationReport, facts: CardFacts): string {
  const gateRows = report.gate.checks.map((check) => [
    esc(check.kind),
    esc(check.metric),
    num(check.value),
    `${esc(check.comparison)} ${check.threshold}`,
    check.passed
      ? '<span class="pass">pass</span>'
      : check.severity === 'warning'
        ? '<span class="tag warn">warning</span>'
        : '<span class="fail">fail</span>',
    esc(check.description),
  ]);
  const warnings = ((facts.run.preparation?.warnings ?? []) as string[]).map((w) => `<li>${esc(w)}</li>`).join('');
  return `<section id="verdict"><h2>Gate</h2><div class="verdict ${report.gate.passed ? 'pass' : 'fail'}">${verdict(report)}</div>
${table(['kind', 'check', 'value', 'threshold', 'result', 'detail'], gateRows)}${warnings === '' ? '' : `<h3>Warnings</h3><ul>${warnings}</ul>`}</section>`;
}

/** The test split's metrics beside the linear baseline's and production's on the same rows, with the charts. */
async function metricsSection(report: EvaluationReport): Promise<string> {
  const c = report.candidate;
  const prod = report.production;
  const base = report.baseline !== null && 'metrics' in report.baseline ? report.baseline.metrics : null;
  const metricRows = Object.keys(c.metrics).map((m) => {
    const value = c.metrics[m] ?? null;
    const before = prod?.metrics[m] ?? null;
    const cells = [esc(m), num(value), prod ? num(before) : '—', prod ? signed(value, before) : '—'];
    return base === null
      ? cells
      : [...cells.slice(0, 2), num(base[m] ?? null), signed(value, base[m]), ...cells.slice(2)];
  });
  const metricHeaders = [
    'metric',
    'candidate',
    ...(base === null ? [] : ['linear baseline', 'vs baseline']),
    prod ? `production v${prod.version}` : 'production',
    'change',
  ];
  const residuals = c.residuals
    ? table(
        ['mean', 'std', 'max |residual|', 'p05', 'p25', 'median', 'p75', 'p95'],
        [
          [
            num(c.residuals.mean),
            num(c.residuals.std),
            num(c.residuals.maxAbs),
            ...Object.values(c.residuals.quantiles).map((v) => num(v)),
          ],
        ],
      )
    : '';
  return `<section id="metrics"><h2>Metrics on the test split</h2><p>${c.rows} rows${c.rowsWithUnknownLabel > 0 ? ` (${c.rowsWithUnknownLabel} with a class unseen in training left out)` : ''}${prod ? `; production v${prod.version} re-scored on the same rows${prod.missingFeatures.length > 0 ? ` (missing features scored as missing: ${esc(prod.missingFeatures.join(', '))})` : ''}` : ''}.</p>
${targetNote(report)}${table(metricHeaders, metricRows)}${baselineNote(report)}
<div class="row">${await performanceCharts(report)}</div>${residuals}</section>`;
}

const TARGET_WORDS = {
  standardize: "standardized (the training split's mean and spread)",
  log1p: 'log(1 + y), standardized — a positive, right-skewed target',
  none: 'as it is',
} as const;

/** How a regressor's target was modelled; every metric and residual here is on the label's own scale. */
function targetNote(report: EvaluationReport): string {
  const target = report.target;
  if (target === null) return '';
  const why = target.requested === 'auto' ? 'chosen automatically (targetTransform "auto")' : 'set by the model file';
  return `<p class="facts">target modelled ${TARGET_WORDS[target.transform]}, ${why}; predictions, metrics and residuals are on the original scale.</p>`;
}

/** The metrics of each slice column's values (the first four metrics). */
function slicesOf(report: EvaluationReport): string {
  const metricNames = Object.keys(report.candidate.metrics).slice(0, 4);
  return report.candidate.slices
    .map(
      (s) =>
        `<h3>By ${esc(s.column)}</h3>${table(
          ['value', 'rows', ...metricNames],
          s.groups.map((g) => [
            esc(g.value),
            String(g.rows),
            ...metricNames.map((m) =>
              g.metrics === null ? '<span class="na">insufficient data</span>' : num(g.metrics[m] ?? null),
            ),
          ]),
        )}`,
    )
    .join('');
}

/** What was read, kept and dropped, the bad values, the anomalies against the schema, and the schema. */
function dataSection(facts: CardFacts): string {
  const prep = (facts.run.preparation ?? {}) as {
    rowsRead?: number;
    rowsKept?: number;
    rowsDropped?: number;
    splitRows?: Record<string, number>;
    badValues?: { column: string; count: number; examples: { at: string; value: string }[] }[];
  };
  const anomalies = facts.run.anomalies ?? [];
  return `<section id="data"><h2>Data</h2>
<p class="facts">${prep.rowsRead ?? '?'} rows read, ${prep.rowsKept ?? '?'} kept, ${prep.rowsDropped ?? 0} dropped · split ${esc(JSON.stringify(prep.splitRows ?? {}))} · schema v${facts.schema?.version ?? '?'}</p>
${
  (prep.badValues ?? []).length > 0
    ? `<h3>Bad values</h3>${table(
        ['column', 'rows', 'examples'],
        (prep.badValues ?? []).map((b) => [
          esc(b.column),
          String(b.count),
          esc(b.examples.map((e) => `${e.at} "${e.value}"`).join(', ')),
        ]),
      )}`
    : ''
}
<h3>Anomalies against the schema</h3>${anomalyCount(facts.run)}${
    anomalies.length === 0
      ? '<p>None.</p>'
      : table(
          ['kind', 'column', 'severity', 'description', 'worst value', 'rows', 'share'],
          anomalies.map((a) => [
            esc(a.kind),
            esc(a.column),
            a.severity === 'blocking' ? '<span class="fail">blocking</span>' : 'warning',
            esc(a.description),
            esc(a.worstValue ?? '—'),
            String(a.count),
            pct(a.share),
          ]),
        )
  }
${
  facts.schema
    ? `<h3>Schema v${facts.schema.version}</h3>${table(
        ['column', 'type', 'present', 'domain / range'],
        facts.schema.columns.map((col) => [
          esc(col.name),
          esc(col.type),
          pct(col.presence),
          col.range
            ? `${col.range.min} … ${col.range.max}`
            : col.domain
              ? esc(
                  `${col.domain.length} values: ${col.domain.slice(0, 12).join(', ')}${col.domain.length > 12 ? ', …' : ''}`,
                )
              : '—',
        ]),
      )}`
    : ''
}
</section>`;
}

/** Where the version came from: the lineage facts, the data objects by identity, the hyper-parameters. */
function lineageSection(facts: CardFacts): string {
  return `<section id="lineage"><h2>Lineage</h2>
${table(
  ['fact', 'value'],
  Object.entries(facts.lineage).map(([k, v]) => [esc(k), `<code>${esc(v)}</code>`]),
)}
<h3>Data objects</h3>${table(
    ['key', 'ETag', 'version id', 'sha256', 'bytes'],
    facts.data.map((d) => [
      esc(d.key),
      `<code>${esc(d.etag)}</code>`,
      esc(d.versionId ?? '—'),
      `<code>${esc(d.sha256 ?? '—')}</code>`,
      String(d.size),
    ]),
  )}
${facts.hyperparameters ? `<h3>Hyper-parameters</h3><code>${esc(JSON.stringify(facts.hyperparameters))}</code>` : ''}
</section>`;
}

/** "9,985 anomalies (9,985 blocking); the first 10 below, all in s3://…" when the run names only some of them. */
function anomalyCount(run: CardFacts['run']): string {
  const counts = run.anomalyCounts;
  if (counts === undefined || counts.total <= (run.anomalies?.length ?? 0)) return '';
  return `<p class="facts">${counts.total} anomalies (${counts.blocking} blocking); the first ${run.anomalies?.length ?? 0} below, all of them in ${esc(counts.list)}</p>`;
}

import type { FeatureDrift } from '../drift/compare.js';
import type { AttributeFairness } from '../fairness.js';
import { barChart, curveChart, heatmapChart, histogramChart, reliabilityChart, renderSvg } from './charts.js';
import { esc, num, pct, table } from './markup.js';
import { baselineNote, searchSection, singleFeatureTable } from './search.js';
import type { CardFacts, EvaluationReport } from './types.js';

/**
 * The model card: one self-contained HTML page per run (inline CSS and SVG, no scripts, nothing fetched at view
 * time) with the data, the metrics, the gate, fairness, feature influence, drift and lineage.
 */

const figure = (svg: string, caption: string) => `<figure class="chart">${svg}<figcaption>${esc(caption)}</figcaption></figure>`;

async function performanceCharts(report: EvaluationReport): Promise<string> {
  const c = report.candidate;
  const charts: string[] = [];
  const oneClass = c.roc !== null && [...c.roc.fpr, ...c.roc.tpr].some((v) => v === null || Number.isNaN(v));
  if (oneClass) {
    charts.push('<p class="na">ROC and precision–recall curves are undefined: the test split holds a single class.</p>');
  }
  if (c.roc && !oneClass) {
    const points = c.roc.fpr.map((fpr, i) => ({ fpr, tpr: c.roc?.tpr[i] ?? null }));
    charts.push(figure(await renderSvg(curveChart('ROC curve', points, 'fpr', 'tpr', true)), `ROC AUC ${(c.metrics.roc_auc ?? Number.NaN).toFixed(4)}`));
  }
  if (c.precisionRecall && !oneClass) {
    const pr = c.precisionRecall;
    const points = pr.recall.map((recall, i) => ({ recall, precision: pr.precision[i] ?? null }));
    charts.push(figure(await renderSvg(curveChart('Precision–recall curve', points, 'recall', 'precision', false)), `average precision ${pr.averagePrecision.toFixed(4)}`));
  }
  if (c.calibration) {
    const points = c.calibration.bins.filter((b) => b.count > 0).map((b) => ({ predicted: b.meanPredicted, observed: b.observedRate }));
    charts.push(figure(await renderSvg(reliabilityChart(points)), `Brier ${c.calibration.brier.toFixed(4)}, ECE ${c.calibration.ece.toFixed(4)}`));
  }
  if (c.confusionMatrix) {
    const { classes, counts } = c.confusionMatrix;
    const cells = counts.flatMap((row, a) => row.map((count, p) => ({ actual: classes[a] ?? String(a), predicted: classes[p] ?? String(p), count })));
    charts.push(figure(await renderSvg(heatmapChart('Confusion matrix', cells)), `${c.rows} test rows`));
  }
  return charts.join('');
}

async function fairnessSection(fairness: readonly AttributeFairness[]): Promise<string> {
  if (fairness.length === 0) return '<p>No sensitive attributes are declared, or the task is not binary.</p>';
  const parts: string[] = [];
  for (const f of fairness) {
    const rows = f.groups.map((g) => [esc(g.group), String(g.count), pct(g.selectionRate), pct(g.truePositiveRate), pct(g.falsePositiveRate), pct(g.precision)]);
    const bars = f.groups.filter((g) => g.selectionRate !== null).map((g) => ({ group: g.group, selection_rate: g.selectionRate }));
    parts.push(`<h3>By ${esc(f.attribute)}</h3>
      <p class="facts">disparate impact <b>${num(f.disparateImpact, 3)}</b> (four-fifths rule: ≥ 0.8) · demographic parity difference <b>${num(f.demographicParityDifference, 3)}</b> · equal opportunity difference <b>${num(f.equalOpportunityDifference, 3)}</b>${f.insufficientGroups.length > 0 ? ` · insufficient data: ${esc(f.insufficientGroups.join(', '))}` : ''}</p>
      <div class="row">${table(['group', 'rows', 'selection rate', 'TPR', 'FPR', 'precision'], rows)}${bars.length > 0 ? figure(await renderSvg(barChart(`Selection rate by ${f.attribute}`, bars, 'group', 'selection_rate')), 'share predicted positive') : ''}</div>`);
  }
  return parts.join('');
}

async function importanceSection(report: EvaluationReport, maxShare: number, leakThreshold: number): Promise<string> {
  const production = new Map(report.production?.importance.features.map((f) => [f.feature, f]) ?? []);
  const rows = report.importance.features.map((f) => {
    const before = production.get(f.feature);
    return [esc(f.feature), num(f.importance), pct(f.share), before ? pct(before.share) : '—', before ? `${((f.share - before.share) * 100).toFixed(1)} pts` : '—'];
  });
  const bars = [
    ...report.importance.features.map((f) => ({ feature: f.feature, share: f.share, model: 'candidate' })),
    ...(report.production?.importance.features.map((f) => ({ feature: f.feature, share: f.share, model: `production v${report.production?.version}` })) ?? []),
  ];
  const chart = await renderSvg(barChart('Share of influence (permutation importance)', bars, 'feature', 'share', 'model', maxShare));
  return `<p>Drop of ${esc(report.importance.score)} when a feature is shuffled on the validation split (baseline ${num(report.importance.baseline)}). The dashed line is the largest share one feature may have (${(100 * maxShare).toFixed(0)}%).</p>
    <div class="row">${figure(chart, 'candidate vs production')}${table(['feature', 'importance', 'share', 'production share', 'change'], rows)}</div>
    ${singleFeatureTable(report.singleFeatureScores, leakThreshold)}`;
}

async function driftSection(report: EvaluationReport): Promise<string> {
  const drift = report.drift;
  if (drift === null) return '<p>No production version yet: nothing to compare the training data with.</p>';
  const rows = drift.features.map((f) => [
    esc(f.feature),
    esc(f.test),
    num(f.statistic),
    f.pValue === null ? '—' : num(f.pValue),
    String(f.threshold),
    `${num(f.psi, 3)} <span class="tag ${f.psiLevel}">${f.psiLevel}</span>`,
    f.lInfinity === null ? '—' : `${num(f.lInfinity, 3)}${f.lInfinityExceeded ? ' <span class="tag warn">above threshold</span>' : ''}`,
    f.drifted ? '<span class="fail">drift</span>' : '<span class="pass">ok</span>',
  ]);
  const shown: FeatureDrift[] = [...drift.features].sort((a, b) => Number(b.drifted) - Number(a.drifted) || b.psi - a.psi).slice(0, 4);
  const histograms: string[] = [];
  for (const f of shown) {
    const total = (v: number[]) => v.reduce((s, x) => s + x, 0) || 1;
    const [rt, ct] = [total(f.histogram.reference), total(f.histogram.current)];
    const bins = f.histogram.bins.flatMap((bin, i) => [
      { bin, data: 'production training data', share: (f.histogram.reference[i] ?? 0) / rt },
      { bin, data: 'candidate training data', share: (f.histogram.current[i] ?? 0) / ct },
    ]);
    histograms.push(figure(await renderSvg(histogramChart(`${f.feature}${f.drifted ? ' (drift)' : ''}`, bins)), `${f.test} ${f.statistic.toFixed(3)}, PSI ${f.psi.toFixed(3)}`));
  }
  return `<p>Candidate training data against production v${report.production?.version ?? '?'}'s: <b>${drift.driftedFeatures.length}</b> of ${drift.features.length} features drifted (${(100 * drift.driftedShare).toFixed(0)}%; the data set drifts at ${(100 * drift.thresholds.driftShare).toFixed(0)}%)${drift.driftedFeatures.length > 0 ? `: ${esc(drift.driftedFeatures.join(', '))}` : ''}.</p>
    ${table(['feature', 'test', 'statistic', 'p-value', 'threshold', 'PSI', 'L∞', 'verdict'], rows)}<div class="row">${histograms.join('')}</div>`;
}

const STYLE = `
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
export async function renderModelCard(report: EvaluationReport, facts: CardFacts, thresholds: CardThresholds): Promise<string> {
  const c = report.candidate;
  const prod = report.production;
  const base = report.baseline !== null && 'metrics' in report.baseline ? report.baseline.metrics : null;
  const metricNames = Object.keys(c.metrics);
  const metricRows = metricNames.map((m) => {
    const value = c.metrics[m] ?? null;
    const before = prod?.metrics[m] ?? null;
    const cells = [esc(m), num(value), prod ? num(before) : '—', prod ? signed(value, before) : '—'];
    return base === null ? cells : [...cells.slice(0, 2), num(base[m] ?? null), signed(value, base[m]), ...cells.slice(2)];
  });
  const metricHeaders = ['metric', 'candidate', ...(base === null ? [] : ['linear baseline', 'vs baseline']), prod ? `production v${prod.version}` : 'production', 'change'];
  const gateRows = report.gate.checks.map((check) => [
    esc(check.kind),
    esc(check.metric),
    num(check.value),
    `${esc(check.comparison)} ${check.threshold}`,
    check.passed ? '<span class="pass">pass</span>' : check.severity === 'warning' ? '<span class="tag warn">warning</span>' : '<span class="fail">fail</span>',
    esc(check.description),
  ]);
  const warnings = ((facts.run.preparation?.warnings ?? []) as string[]).map((w) => `<li>${esc(w)}</li>`).join('');
  const prep = (facts.run.preparation ?? {}) as { rowsRead?: number; rowsKept?: number; rowsDropped?: number; splitRows?: Record<string, number>; badValues?: { column: string; count: number; examples: { at: string; value: string }[] }[] };
  const anomalies = facts.run.anomalies ?? [];
  const slices = c.slices
    .map((s) => `<h3>By ${esc(s.column)}</h3>${table(['value', 'rows', ...(metricNames.slice(0, 4))], s.groups.map((g) => [esc(g.value), String(g.rows), ...metricNames.slice(0, 4).map((m) => (g.metrics === null ? '<span class="na">insufficient data</span>' : num(g.metrics[m] ?? null)))]))}`)
    .join('');
  const residuals = c.residuals
    ? table(['mean', 'std', 'max |residual|', 'p05', 'p25', 'median', 'p75', 'p95'], [[num(c.residuals.mean), num(c.residuals.std), num(c.residuals.maxAbs), ...Object.values(c.residuals.quantiles).map((v) => num(v))]])
    : '';
  const title = `${facts.model} ${facts.version === null ? '(no version)' : `version ${facts.version}`}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Model card — ${esc(title)}</title><style>${STYLE}</style></head><body>
<header><h1>Model card — ${esc(title)}</h1><div>run ${esc(facts.run.runId)} · outcome: <b>${esc(facts.run.outcome ?? facts.run.status)}</b>${facts.versionStatus ? ` · version ${esc(facts.versionStatus)}` : ''}${facts.inProduction ? ' · <b>in production</b>' : ''} · started ${esc(facts.run.startedAt)}</div></header>
<main>
<section id="verdict"><h2>Gate</h2><div class="verdict ${report.gate.passed ? 'pass' : 'fail'}">${verdict(report)}</div>
${table(['kind', 'check', 'value', 'threshold', 'result', 'detail'], gateRows)}${warnings === '' ? '' : `<h3>Warnings</h3><ul>${warnings}</ul>`}</section>
<section id="metrics"><h2>Metrics on the test split</h2><p>${c.rows} rows${c.rowsWithUnknownLabel > 0 ? ` (${c.rowsWithUnknownLabel} with a class unseen in training left out)` : ''}${prod ? `; production v${prod.version} re-scored on the same rows${prod.missingFeatures.length > 0 ? ` (missing features scored as missing: ${esc(prod.missingFeatures.join(', '))})` : ''}` : ''}.</p>
${table(metricHeaders, metricRows)}${baselineNote(report)}
<div class="row">${await performanceCharts(report)}</div>${residuals}</section>
<section id="search"><h2>Search</h2>${searchSection(report)}</section>
<section id="fairness"><h2>Fairness</h2>${await fairnessSection(report.fairness)}</section>
<section id="slices"><h2>Per-slice metrics</h2>${slices || '<p>No slice columns.</p>'}</section>
<section id="importance"><h2>Feature influence</h2>${await importanceSection(report, thresholds.maxFeatureShare, thresholds.maxSingleFeatureScore)}</section>
<section id="drift"><h2>Training data drift</h2>${await driftSection(report)}</section>
<section id="data"><h2>Data</h2>
<p class="facts">${prep.rowsRead ?? '?'} rows read, ${prep.rowsKept ?? '?'} kept, ${prep.rowsDropped ?? 0} dropped · split ${esc(JSON.stringify(prep.splitRows ?? {}))} · schema v${facts.schema?.version ?? '?'}</p>
${(prep.badValues ?? []).length > 0 ? `<h3>Bad values</h3>${table(['column', 'rows', 'examples'], (prep.badValues ?? []).map((b) => [esc(b.column), String(b.count), esc(b.examples.map((e) => `${e.at} "${e.value}"`).join(', '))]))}` : ''}
<h3>Anomalies against the schema</h3>${anomalyCount(facts.run)}${anomalies.length === 0 ? '<p>None.</p>' : table(['kind', 'column', 'severity', 'description', 'worst value', 'rows', 'share'], anomalies.map((a) => [esc(a.kind), esc(a.column), a.severity === 'blocking' ? '<span class="fail">blocking</span>' : 'warning', esc(a.description), esc(a.worstValue ?? '—'), String(a.count), pct(a.share)]))}
${facts.schema ? `<h3>Schema v${facts.schema.version}</h3>${table(['column', 'type', 'present', 'domain / range'], facts.schema.columns.map((col) => [esc(col.name), esc(col.type), pct(col.presence), col.range ? `${col.range.min} … ${col.range.max}` : col.domain ? esc(`${col.domain.length} values: ${col.domain.slice(0, 12).join(', ')}${col.domain.length > 12 ? ', …' : ''}`) : '—']))}` : ''}
</section>
<section id="lineage"><h2>Lineage</h2>
${table(['fact', 'value'], Object.entries(facts.lineage).map(([k, v]) => [esc(k), `<code>${esc(v)}</code>`]))}
<h3>Data objects</h3>${table(['key', 'ETag', 'version id', 'sha256', 'bytes'], facts.data.map((d) => [esc(d.key), `<code>${esc(d.etag)}</code>`, esc(d.versionId ?? '—'), `<code>${esc(d.sha256 ?? '—')}</code>`, String(d.size)]))}
${facts.hyperparameters ? `<h3>Hyper-parameters</h3><code>${esc(JSON.stringify(facts.hyperparameters))}</code>` : ''}
</section>
</main></body></html>`;
}

/** "9,985 anomalies (9,985 blocking); the first 10 below, all in s3://…" when the run names only some of them. */
function anomalyCount(run: CardFacts['run']): string {
  const counts = run.anomalyCounts;
  if (counts === undefined || counts.total <= (run.anomalies?.length ?? 0)) return '';
  return `<p class="facts">${counts.total} anomalies (${counts.blocking} blocking); the first ${run.anomalies?.length ?? 0} below, all of them in ${esc(counts.list)}</p>`;
}

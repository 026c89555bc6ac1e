import type { FeatureDrift } from '../drift/compare.js';
import { barChart, curveChart, heatmapChart, histogramChart, reliabilityChart, renderSvg } from './charts.js';
import { esc, figure, num, pct, table } from './markup.js';
import { singleFeatureTable } from './search.js';
import type { EvaluationReport } from './types.js';

/** The model card's figures: performance curves, feature influence and training-data drift, with their tables. */

export async function performanceCharts(report: EvaluationReport): Promise<string> {
  const c = report.candidate;
  const charts: string[] = [];
  const oneClass = c.roc !== null && [...c.roc.fpr, ...c.roc.tpr].some((v) => v === null || Number.isNaN(v));
  if (oneClass) {
    charts.push(
      '<p class="na">ROC and precision–recall curves are undefined: the test split holds a single class.</p>',
    );
  }
  if (c.roc && !oneClass) {
    const points = c.roc.fpr.map((fpr, i) => ({ fpr, tpr: c.roc?.tpr[i] ?? null }));
    charts.push(
      figure(
        await renderSvg(curveChart('ROC curve', points, 'fpr', 'tpr', true)),
        `ROC AUC ${(c.metrics.roc_auc ?? Number.NaN).toFixed(4)}`,
      ),
    );
  }
  if (c.precisionRecall && !oneClass) {
    const pr = c.precisionRecall;
    const points = pr.recall.map((recall, i) => ({ recall, precision: pr.precision[i] ?? null }));
    charts.push(
      figure(
        await renderSvg(curveChart('Precision–recall curve', points, 'recall', 'precision', false)),
        `average precision ${pr.averagePrecision.toFixed(4)}`,
      ),
    );
  }
  if (c.calibration) {
    const points = c.calibration.bins
      .filter((b) => b.count > 0)
      .map((b) => ({ predicted: b.meanPredicted, observed: b.observedRate }));
    charts.push(
      figure(
        await renderSvg(reliabilityChart(points)),
        `Brier ${c.calibration.brier.toFixed(4)}, ECE ${c.calibration.ece.toFixed(4)}`,
      ),
    );
  }
  if (c.confusionMatrix) {
    const { classes, counts } = c.confusionMatrix;
    const cells = counts.flatMap((row, a) =>
      row.map((count, p) => ({ actual: classes[a] ?? String(a), predicted: classes[p] ?? String(p), count })),
    );
    charts.push(figure(await renderSvg(heatmapChart('Confusion matrix', cells)), `${c.rows} test rows`));
  }
  return charts.join('');
}

export async function importanceSection(
  report: EvaluationReport,
  maxShare: number,
  leakThreshold: number,
): Promise<string> {
  const production = new Map(report.production?.importance.features.map((f) => [f.feature, f]) ?? []);
  const rows = report.importance.features.map((f) => {
    const before = production.get(f.feature);
    return [
      esc(f.feature),
      num(f.importance),
      pct(f.share),
      before ? pct(before.share) : '—',
      before ? `${((f.share - before.share) * 100).toFixed(1)} pts` : '—',
    ];
  });
  const bars = [
    ...report.importance.features.map((f) => ({ feature: f.feature, share: f.share, model: 'candidate' })),
    ...(report.production?.importance.features.map((f) => ({
      feature: f.feature,
      share: f.share,
      model: `production v${report.production?.version}`,
    })) ?? []),
  ];
  const chart = await renderSvg(
    barChart('Share of influence (permutation importance)', bars, 'feature', 'share', 'model', maxShare),
  );
  return `<p>Drop of ${esc(report.importance.score)} when a feature is shuffled on the ${report.crossValidation === null ? 'validation' : 'test'} split (baseline ${num(report.importance.baseline)}). The dashed line is the largest share one feature may have (${(100 * maxShare).toFixed(0)}%).</p>
    <div class="row">${figure(chart, 'candidate vs production')}${table(['feature', 'importance', 'share', 'production share', 'change'], rows)}</div>
    ${singleFeatureTable(report.singleFeatureScores, leakThreshold)}`;
}

export async function driftSection(report: EvaluationReport): Promise<string> {
  const drift = report.drift;
  if (drift === null) return '<p>No production version yet: nothing to compare the training data with.</p>';
  const rows = drift.features.map((f) => [
    esc(f.feature),
    esc(f.test),
    num(f.statistic),
    f.pValue === null ? '—' : num(f.pValue),
    String(f.threshold),
    `${num(f.psi, 3)} <span class="tag ${f.psiLevel}">${f.psiLevel}</span>`,
    f.lInfinity === null
      ? '—'
      : `${num(f.lInfinity, 3)}${f.lInfinityExceeded ? ' <span class="tag warn">above threshold</span>' : ''}`,
    f.drifted ? '<span class="fail">drift</span>' : '<span class="pass">ok</span>',
  ]);
  const shown: FeatureDrift[] = [...drift.features]
    .sort((a, b) => Number(b.drifted) - Number(a.drifted) || b.psi - a.psi)
    .slice(0, 4);
  const histograms: string[] = [];
  for (const f of shown) {
    const total = (v: number[]) => v.reduce((s, x) => s + x, 0) || 1;
    const [rt, ct] = [total(f.histogram.reference), total(f.histogram.current)];
    const bins = f.histogram.bins.flatMap((bin, i) => [
      { bin, data: 'production training data', share: (f.histogram.reference[i] ?? 0) / rt },
      { bin, data: 'candidate training data', share: (f.histogram.current[i] ?? 0) / ct },
    ]);
    histograms.push(
      figure(
        await renderSvg(histogramChart(`${f.feature}${f.drifted ? ' (drift)' : ''}`, bins)),
        `${f.test} ${f.statistic.toFixed(3)}, PSI ${f.psi.toFixed(3)}`,
      ),
    );
  }
  return `<p>Candidate training data against production v${report.production?.version ?? '?'}'s: <b>${drift.driftedFeatures.length}</b> of ${drift.features.length} features drifted (${(100 * drift.driftedShare).toFixed(0)}%; the data set drifts at ${(100 * drift.thresholds.driftShare).toFixed(0)}%)${drift.driftedFeatures.length > 0 ? `: ${esc(drift.driftedFeatures.join(', '))}` : ''}.</p>
    ${table(['feature', 'test', 'statistic', 'p-value', 'threshold', 'PSI', 'L∞', 'verdict'], rows)}<div class="row">${histograms.join('')}</div>`;
}

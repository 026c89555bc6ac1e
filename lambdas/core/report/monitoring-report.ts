import type { DatasetProfile } from '../drift/profile.js';
import { compareProfiles } from '../drift/compare.js';
import type { FeatureWindowDrift } from '../drift/window-drift.js';
import type { VariantWindow } from '../monitoring/variant-window.js';
import { judgedValue, type VariantSummary } from '../monitoring/window-summary.js';
import { histogramChart, renderSvg, seriesChart } from './charts.js';
import { esc, figure, num, PAGE_STYLE, table } from './markup.js';

/**
 * The monitoring report of one window: a page in the model card's look, per variant its status and counts, the drift
 * test of every feature with the histograms of the most drifted against training, the influence of each feature
 * against validation, and the judged metric, estimated and realized, over the last monitored windows.
 */

export interface ReportedVariant {
  readonly summary: VariantSummary;
  /** The full window and its version's training profile; absent for a variant that could not be monitored. */
  readonly detail?: { readonly window: VariantWindow; readonly reference: DatasetProfile };
}

export interface MonitoringReportInput {
  readonly model: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly trigger: string;
  readonly monitoredAt: string;
  readonly variants: readonly ReportedVariant[];
  /** Earlier windows, any order: the trend of estimated and realized performance (production). */
  readonly history: readonly { readonly windowStart: string; readonly variants: readonly VariantSummary[] }[];
}

const HISTOGRAMS = 4;

function driftTable(features: readonly FeatureWindowDrift[], featureLevel: number): string {
  const rows = [...features]
    .sort((a, b) => a.pValue - b.pValue)
    .map((f) => [
      esc(f.feature),
      f.test === 'ks' ? 'KS' : 'chi-square',
      num(f.statistic),
      f.pValue.toExponential(2),
      featureLevel.toPrecision(2),
      f.drifted ? '<span class="fail">drift</span>' : '<span class="pass">ok</span>',
    ]);
  return table(['feature', 'test', 'statistic', 'p-value', 'drifts below', 'verdict'], rows);
}

/** Training against the window, on the training profile's bins, for the features with the smallest p-values. */
async function histograms(window: VariantWindow, reference: DatasetProfile): Promise<string> {
  if (window.inputDrift.verdict === 'insufficient_data') return '';
  const shown = [...window.inputDrift.features].sort((a, b) => a.pValue - b.pValue).slice(0, HISTOGRAMS);
  const binned = compareProfiles(reference, window.inputs).features;
  const charts: string[] = [];
  for (const f of shown) {
    const h = binned.find((b) => b.feature === f.feature)?.histogram;
    if (h === undefined) continue;
    const total = (v: number[]) => v.reduce((s, x) => s + x, 0) || 1;
    const [rt, ct] = [total(h.reference), total(h.current)];
    const bins = h.bins.flatMap((bin, i) => [
      { bin, data: 'training', share: (h.reference[i] ?? 0) / rt },
      { bin, data: 'this window', share: (h.current[i] ?? 0) / ct },
    ]);
    const title = `${f.feature}${f.drifted ? ' (drift)' : ''}`;
    charts.push(figure(await renderSvg(histogramChart(title, bins)), `p-value ${f.pValue.toExponential(2)}`));
  }
  return `<div class="row">${charts.join('')}</div>`;
}

function influenceTable(summary: VariantSummary): string {
  const influence = summary.influence;
  if (!influence.measured) return `<p class="na">Influence not measured: ${esc(influence.reason)}.</p>`;
  const rows = influence.features.map((f) => [
    esc(f.feature),
    `${(100 * f.training).toFixed(1)}%`,
    `${(100 * f.live).toFixed(1)}%`,
    `${f.growth >= 0 ? '+' : ''}${(100 * f.growth).toFixed(1)}`,
    f.flagged ? '<span class="fail">eclipses</span>' : '<span class="pass">ok</span>',
  ]);
  return `<p>Share of the influence (${esc(influence.score)}, ${influence.labelledRows} labelled predictions); flagged above ${(100 * influence.maxFeatureShare).toFixed(0)}% or grown by more than ${(100 * influence.maxFeatureShareGrowth).toFixed(0)} points.</p>${table(['feature', 'at validation', 'live', 'growth (points)', 'verdict'], rows)}`;
}

function performanceLine(summary: VariantSummary): string {
  const metric = summary.judgedOn?.metric ?? 'accuracy';
  const test = summary.judgedOn === null ? 'no test figure' : `test ${num(summary.judgedOn.test)}`;
  const estimated = summary.estimated.estimable
    ? num(judgedValue(summary, 'estimated'))
    : `<span class="na">${esc(summary.estimated.reason)}</span>`;
  const realized = summary.realized.sufficient
    ? num(judgedValue(summary, 'realized'))
    : `<span class="na">${esc(summary.realized.reason)}</span>`;
  return `<p>${esc(metric)}: estimated ${estimated} · realized ${realized} · ${test}</p>`;
}

async function variantSection(variant: ReportedVariant): Promise<string> {
  const { summary, detail } = variant;
  const head = `<h2>${esc(summary.variant)} v${summary.version}: ${esc(summary.status)}</h2><p>${summary.rows} predictions, ${summary.labelledRows} with ground truth.</p>`;
  if (detail === undefined) return `<section>${head}<p>${esc(summary.reason ?? '')}</p></section>`;
  const { window, reference } = detail;
  const drift =
    window.inputDrift.verdict === 'insufficient_data'
      ? `<p class="na">${esc(window.inputDrift.reason)}</p>`
      : `${driftTable(window.inputDrift.features, window.inputDrift.featureLevel)}${await histograms(window, reference)}`;
  const unseen = [
    ...Object.entries(summary.newCategories).map(([f, n]) => `${esc(f)}: ${n} new categories`),
    ...Object.entries(summary.outOfRange).map(([f, n]) => `${esc(f)}: ${n} out of the training range`),
  ];
  return `<section>${head}${performanceLine(summary)}
<h3>Input drift against training</h3>${drift}
<h3>Prediction drift</h3><p>${esc(summary.predictionDrift?.verdict ?? 'n/a')}</p>
<h3>Feature influence</h3>${influenceTable(summary)}
${unseen.length > 0 ? `<h3>Inputs training never had</h3><p>${unseen.join('; ')}</p>` : ''}</section>`;
}

/** The judged metric of production, estimated and realized, per window: this one and the history. */
async function trendSection(input: MonitoringReportInput): Promise<string> {
  const windows = [
    ...input.history.filter((w) => w.windowStart !== input.windowStart),
    { windowStart: input.windowStart, variants: input.variants.map((v) => v.summary) },
  ].sort((a, b) => a.windowStart.localeCompare(b.windowStart));
  const rows = windows.flatMap((w) => {
    const production = w.variants.find((v) => v.variant === 'production');
    if (production === undefined) return [];
    return (['estimated', 'realized'] as const).flatMap((series) => {
      const value = judgedValue(production, series);
      return value === null ? [] : [{ time: w.windowStart, series, value }];
    });
  });
  if (rows.length === 0) return '<p class="na">No estimated or realized performance in the monitored windows yet.</p>';
  const metric = input.variants.find((v) => v.summary.judgedOn !== null)?.summary.judgedOn?.metric ?? 'accuracy';
  const chart = await renderSvg(seriesChart(`production: ${metric} per window`, rows, metric));
  return figure(chart, `${windows.length} windows; realized needs enough ground truth, estimated a calibrated model`);
}

/** Renders the monitoring report of one window. */
export async function renderMonitoringReport(input: MonitoringReportInput): Promise<string> {
  const title = `${input.model}: ${input.windowStart} – ${input.windowEnd}`;
  const sections: string[] = [];
  for (const variant of input.variants) sections.push(await variantSection(variant));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Monitoring — ${esc(title)}</title><style>${PAGE_STYLE}</style></head><body>
<header><h1>Monitoring — ${esc(title)}</h1><div>${esc(input.trigger)} · monitored ${esc(input.monitoredAt)}</div></header>
<main>
<section><h2>Performance over the last windows</h2>${await trendSection(input)}</section>
${sections.length > 0 ? sections.join('\n') : '<section><p>No variant served and no traffic.</p></section>'}
</main></body></html>`;
}

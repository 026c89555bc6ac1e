import type { AttributeFairness, BinaryFairness } from '../fairness.js';
import type { MulticlassFairness } from '../fairness-multiclass.js';
import type { RegressionFairness } from '../fairness-regression.js';
import { barChart, renderSvg } from './charts.js';
import { esc, figure, num, pct, table } from './markup.js';

/** The model card's fairness section: one table (and chart) per sensitive attribute, in the terms of the task. */

/**
 * Bars of one per-group value named `field` (groups without one, too small to measure, left out); nothing when no
 * group has one.
 */
async function groupBars(
  title: string,
  values: { group: string; value: number | null }[],
  field: string,
  caption: string,
): Promise<string> {
  const bars = values.filter((v) => v.value !== null).map((v) => ({ group: v.group, [field]: v.value }));
  return bars.length === 0 ? '' : figure(await renderSvg(barChart(title, bars, 'group', field)), caption);
}

const insufficient = (groups: readonly string[]): string =>
  groups.length > 0 ? ` · insufficient data: ${esc(groups.join(', '))}` : '';

async function binary(f: BinaryFairness): Promise<string> {
  const rows = f.groups.map((g) => [
    esc(g.group),
    String(g.count),
    pct(g.selectionRate),
    pct(g.truePositiveRate),
    pct(g.falsePositiveRate),
    pct(g.precision),
  ]);
  const chart = await groupBars(
    `Selection rate by ${f.attribute}`,
    f.groups.map((g) => ({ group: g.group, value: g.selectionRate })),
    'selection_rate',
    'share predicted positive',
  );
  return `<h3>By ${esc(f.attribute)}</h3>
      <p class="facts">disparate impact <b>${num(f.disparateImpact, 3)}</b> (four-fifths rule: ≥ 0.8) · demographic parity difference <b>${num(f.demographicParityDifference, 3)}</b> · equal opportunity difference <b>${num(f.equalOpportunityDifference, 3)}</b>${insufficient(f.insufficientGroups)}</p>
      <div class="row">${table(['group', 'rows', 'selection rate', 'TPR', 'FPR', 'precision'], rows)}${chart}</div>`;
}

function multiclass(f: MulticlassFairness): string {
  const worst = (w: { class: string; value: number } | null) =>
    w === null ? num(null) : `${num(w.value, 3)} (class ${esc(w.class)})`;
  const groups = f.groups.map((g) => [esc(g.group), String(g.count), pct(g.accuracy)]);
  const classes = f.classes.map((c) => [
    esc(c.class),
    num(c.disparateImpact, 3),
    num(c.demographicParityDifference, 3),
    num(c.equalOpportunityDifference, 3),
  ]);
  return `<h3>By ${esc(f.attribute)}</h3>
      <p class="facts">at the worst class, one-vs-rest: disparate impact <b>${worst(f.worst.disparateImpact)}</b> · demographic parity difference <b>${worst(f.worst.demographicParityDifference)}</b> · equal opportunity difference <b>${worst(f.worst.equalOpportunityDifference)}</b>${insufficient(f.insufficientGroups)}</p>
      <div class="row">${table(['group', 'rows', 'accuracy'], groups)}${table(['class', 'disparate impact', 'parity difference', 'opportunity difference'], classes)}</div>`;
}

async function regression(f: RegressionFairness): Promise<string> {
  const rows = f.groups.map((g) => [
    esc(g.group),
    String(g.count),
    num(g.mae),
    num(g.meanPrediction),
    num(g.meanResidual),
  ]);
  const chart = await groupBars(
    `MAE by ${f.attribute}`,
    f.groups.map((g) => ({ group: g.group, value: g.mae })),
    'mae',
    'mean absolute error',
  );
  return `<h3>By ${esc(f.attribute)}</h3>
      <p class="facts">mean residual gap <b>${num(f.meanResidualGap, 3)}</b> (truth − prediction, highest group minus lowest) · worst group's MAE over the best's <b>${num(f.errorRatio, 3)}</b>${insufficient(f.insufficientGroups)}</p>
      <div class="row">${table(['group', 'rows', 'MAE', 'mean prediction', 'mean residual'], rows)}${chart}</div>`;
}

export async function fairnessSection(fairness: readonly AttributeFairness[]): Promise<string> {
  if (fairness.length === 0) return '<p>No sensitive attributes are declared.</p>';
  const parts: string[] = [];
  for (const f of fairness)
    parts.push(f.task === 'binary' ? await binary(f) : f.task === 'multiclass' ? multiclass(f) : await regression(f));
  return parts.join('');
}

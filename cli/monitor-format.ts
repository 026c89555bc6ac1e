import type { MonitorWindow } from '../lambdas/shared/adapters/monitor-store.js';
import type { DriftSummary, VariantSummary } from '../lambdas/core/monitoring/window-summary.js';

/** How `mlops monitor` prints a window: per variant, its counts, drift, and estimated and realized metrics. */

const figure = (value: number | null | undefined) => (value === null || value === undefined ? '-' : value.toFixed(3));

function driftLine(label: string, drift: DriftSummary | null): string[] {
  if (drift === null) return [];
  if (drift.verdict === 'insufficient_data') return [`  ${label}: insufficient data (${drift.reason})`];
  const head = `  ${label}: ${drift.verdict} (${drift.drifted.length} of ${drift.tested} flagged; a feature drifts at p < ${drift.featureLevel.toPrecision(2)})`;
  return [
    head,
    ...drift.drifted.map(
      (d) =>
        `    ${d.feature}: ${d.test === 'ks' ? 'KS' : 'chi-square'} ${d.statistic.toPrecision(3)}, p ${d.pValue.toExponential(1)}`,
    ),
  ];
}

function performanceLines(variant: VariantSummary): string[] {
  const metric = variant.judgedOn?.metric ?? 'accuracy';
  const test = variant.judgedOn === null ? '' : ` (test ${figure(variant.judgedOn.test)})`;
  const estimated = variant.estimated.estimable
    ? `${metric} ${figure(variant.estimated.metrics[metric])}`
    : `not estimable: ${variant.estimated.reason}`;
  const realized = variant.realized.sufficient
    ? `${metric} ${figure(variant.realized.metrics[metric])}`
    : variant.realized.reason;
  return [`  estimated${test}: ${estimated}`, `  realized: ${realized}`];
}

const points = (share: number) => `${(100 * share).toFixed(0)}%`;

function influenceLines(variant: VariantSummary): string[] {
  const influence = variant.influence;
  if (!influence.measured) return [`  influence: not measured (${influence.reason})`];
  const head = `  influence (${influence.score}, ${influence.labelledRows} labelled): ${influence.verdict}`;
  const shown = influence.features.filter((f, i) => f.flagged || i < 3);
  return [
    head,
    ...shown.map(
      (f) =>
        `    ${f.feature}: ${points(f.live)} of the influence (${points(f.training)} at validation)${f.flagged ? ` — flagged: more than ${points(influence.maxFeatureShare)} or grown by more than ${points(influence.maxFeatureShareGrowth)}` : ''}`,
    ),
  ];
}

function variantLines(variant: VariantSummary): string[] {
  const unseen = [
    ...Object.entries(variant.newCategories).map(([f, n]) => `${f}: ${n} new categories`),
    ...Object.entries(variant.outOfRange).map(([f, n]) => `${f}: ${n} out of range`),
  ];
  return [
    `${variant.variant} v${variant.version}: ${variant.status}, ${variant.rows} predictions, ${variant.labelledRows} labelled`,
    ...(variant.reason !== undefined ? [`  ${variant.reason}`] : []),
    ...driftLine('input drift', variant.inputDrift),
    ...driftLine('prediction drift', variant.predictionDrift),
    ...(variant.status === 'not_monitorable' ? [] : [...performanceLines(variant), ...influenceLines(variant)]),
    ...(unseen.length > 0 ? [`  unseen inputs: ${unseen.join('; ')}`] : []),
  ];
}

export function describeWindow(window: MonitorWindow, recorded: boolean): string {
  const head = `${window.model}: ${window.windowStart} – ${window.windowEnd} (${window.trigger}${recorded ? '' : ', recorded before'})`;
  const unreadable =
    window.unreadable.count === 0
      ? []
      : [
          `${window.unreadable.count} records could not be read, e.g. ${window.unreadable.first
            .map((u) => `${u.where}: ${u.reason}`)
            .join('; ')}`,
        ];
  const variants =
    window.failure !== undefined
      ? [`not monitored: ${window.failure.reason}`]
      : window.variants.length === 0
        ? ['no variant served and no traffic']
        : window.variants.flatMap(variantLines);
  return [head, ...variants, ...unreadable].join('\n');
}

/** One line per past window: `--history`. */
export function windowLine(window: MonitorWindow): string {
  const variants = window.variants.map((v) => `${v.variant} v${v.version} ${v.status} (${v.rows})`).join(', ');
  const what = window.failure !== undefined ? `not monitored (${window.failure.reason})` : variants || 'no traffic';
  return `${window.windowStart} – ${window.windowEnd} ${window.trigger}: ${what}`;
}

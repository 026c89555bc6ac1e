import type { Frame, Labels, TypedColumn } from './dataset.js';
import { multiclassMetrics, regressionMetrics, rocAuc } from './metrics.js';
import type { TaskKind } from './model-config.js';

/** How well one feature alone predicts the label on the validation split. */
export interface SingleFeatureScore {
  readonly feature: string;
  /** ROC AUC (binary; one-vs-rest macro average for multiclass) or R² (regression). */
  readonly metric: 'roc_auc' | 'r2';
  /** NaN when undefined (one class in the validation split). */
  readonly score: number;
  /** Every validation row's value equals its label: a plain copy. */
  readonly identical: boolean;
}

/** Numeric features are cut into at most this many quantile bins (and at least 5 training rows per bin). */
const MAX_BINS = 100;
const MISSING_KEY = '\u0000missing';

/** Quantile bin edges of the training values, so each bin holds about the same number of rows. */
function binEdges(values: readonly number[]): number[] {
  const present = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
  const bins = Math.max(1, Math.min(MAX_BINS, Math.floor(present.length / 5)));
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const edge = present[Math.floor((b * present.length) / bins)] as number;
    if (edges.length === 0 || edge > (edges[edges.length - 1] as number)) edges.push(edge);
  }
  return edges;
}

/** The lookup key of each row: the category, or the numeric value's bin (binary search over the edges). */
function keysOf(column: TypedColumn, edges: readonly number[]): string[] {
  if (column.type === 'categorical') return column.values.map((v) => v ?? MISSING_KEY);
  return column.values.map((v) => {
    if (Number.isNaN(v)) return MISSING_KEY;
    let low = 0;
    let high = edges.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (v >= (edges[mid] as number)) low = mid + 1;
      else high = mid;
    }
    return String(low);
  });
}

/** Target of each row: class index (by `classes`), or the value for regression. */
function targetsOf(labels: Labels, classes: readonly string[]): number[] {
  if (labels.kind === 'numbers') return labels.values;
  const index = new Map(classes.map((c, i) => [c, i]));
  return labels.values.map((v) => index.get(v) ?? -1);
}

/**
 * A lookup-table model of one feature, fitted on the training rows (class frequencies or the mean per category or
 * bin, with an add-one prior) and scored on the validation rows.
 */
function scoreFeature(
  task: TaskKind,
  trainColumn: TypedColumn,
  validColumn: TypedColumn,
  trainY: readonly number[],
  validY: readonly number[],
  classes: number,
): number {
  const edges = trainColumn.type === 'numeric' ? binEdges(trainColumn.values) : [];
  const trainKeys = keysOf(trainColumn, edges);
  const validKeys = keysOf(validColumn, edges);
  const width = task === 'regression' ? 1 : classes;
  const sums = new Map<string, Float64Array>();
  const overall = new Float64Array(width + 1);
  trainKeys.forEach((key, r) => {
    const y = trainY[r] as number;
    if (task !== 'regression' && y < 0) return;
    const cell = sums.get(key) ?? new Float64Array(width + 1);
    if (task === 'regression') cell[0] = (cell[0] as number) + y;
    else cell[y] = (cell[y] as number) + 1;
    cell[width] = (cell[width] as number) + 1;
    sums.set(key, cell);
    overall[task === 'regression' ? 0 : y] =
      (overall[task === 'regression' ? 0 : y] as number) + (task === 'regression' ? y : 1);
    overall[width] = (overall[width] as number) + 1;
  });
  const rows = validKeys.map((_, r) => r).filter((r) => task === 'regression' || (validY[r] as number) >= 0);
  const outputs = new Float64Array(rows.length * width);
  rows.forEach((r, i) => {
    const cell = sums.get(validKeys[r] as string) ?? overall;
    const n = cell[width] as number;
    for (let c = 0; c < width; c++) {
      outputs[i * width + c] =
        task === 'regression'
          ? (cell[0] as number) / Math.max(n, 1)
          : ((cell[c] as number) + (overall[c] as number) / Math.max(overall[width] as number, 1)) / (n + 1);
    }
  });
  const truth = rows.map((r) => validY[r] as number);
  if (task === 'regression') return regressionMetrics(truth, outputs).r2 as number;
  if (task === 'binary')
    return rocAuc(
      truth.map((t) => t === 1),
      Float64Array.from(rows, (_, i) => outputs[i * 2 + 1] as number),
    );
  return multiclassMetrics(truth, outputs, classes).roc_auc as number;
}

function isCopyOfLabel(column: TypedColumn, labels: Labels): boolean {
  if (column.values.length === 0) return false;
  for (let r = 0; r < column.values.length; r++) {
    const value = column.values[r];
    if (value === null || value === undefined || String(value) !== String(labels.values[r])) return false;
  }
  return true;
}

/**
 * The leak check's evidence: for every feature, how well it alone predicts the label on the validation split. A
 * legitimate strong predictor scores well; a copy or an encoding of the label scores almost perfectly.
 */
export function singleFeatureScores(
  task: TaskKind,
  train: Frame,
  validation: Frame,
  classes: readonly string[],
): SingleFeatureScore[] {
  const trainY = targetsOf(train.labels, classes);
  const validY = targetsOf(validation.labels, classes);
  const validByName = new Map(validation.features.map((c) => [c.name, c]));
  const metric = task === 'regression' ? 'r2' : 'roc_auc';
  return train.features.flatMap((column) => {
    const valid = validByName.get(column.name);
    if (valid === undefined) return [];
    return [
      {
        feature: column.name,
        metric,
        score: scoreFeature(task, column, valid, trainY, validY, classes.length),
        identical: isCopyOfLabel(valid, validation.labels),
      },
    ];
  });
}

import type { CategoricalColumn } from './dataset.js';
import { DEFAULT_MIN_GROUP_SIZE, groupRows, spread } from './fairness.js';

export interface RegressionGroup {
  readonly group: string;
  readonly count: number;
  readonly sufficient: boolean;
  /** Mean absolute error of the group's predictions. */
  readonly mae: number | null;
  readonly meanPrediction: number | null;
  /** Mean of truth − prediction: positive when the model under-predicts the group. */
  readonly meanResidual: number | null;
}

export interface RegressionFairness {
  readonly task: 'regression';
  readonly attribute: string;
  readonly groups: RegressionGroup[];
  /** Highest minus lowest mean residual over the groups with enough rows: one group systematically under-served. */
  readonly meanResidualGap: number | null;
  /** The worst group's MAE over the best's (null when the best group's error is 0: no ratio to speak of). */
  readonly errorRatio: number | null;
  readonly insufficientGroups: string[];
}

/**
 * Per-group errors of a regressor for one sensitive attribute (Fairlearn's MetricFrame with MAE, the mean prediction
 * and the mean residual), and the gaps a gate can bound: the mean-residual gap and the error ratio.
 */
export function regressionAttributeFairness(
  attribute: CategoricalColumn,
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  minGroupSize = DEFAULT_MIN_GROUP_SIZE,
): RegressionFairness {
  const groups: RegressionGroup[] = groupRows(attribute).map(([group, rows]) => {
    const sufficient = rows.length >= minGroupSize;
    if (!sufficient)
      return { group, count: rows.length, sufficient, mae: null, meanPrediction: null, meanResidual: null };
    let absolute = 0;
    let prediction = 0;
    let residual = 0;
    for (const r of rows) {
      const p = predicted[r] as number;
      const e = (truth[r] as number) - p;
      absolute += Math.abs(e);
      prediction += p;
      residual += e;
    }
    const n = rows.length;
    return {
      group,
      count: n,
      sufficient,
      mae: absolute / n,
      meanPrediction: prediction / n,
      meanResidual: residual / n,
    };
  });
  const residuals = spread(groups.map((g) => g.meanResidual));
  const errors = spread(groups.map((g) => g.mae));
  return {
    task: 'regression',
    attribute: attribute.name,
    groups,
    meanResidualGap: residuals === null ? null : residuals.max - residuals.min,
    errorRatio: errors === null || errors.min === 0 ? null : errors.max / errors.min,
    insufficientGroups: groups.filter((g) => !g.sufficient).map((g) => g.group),
  };
}

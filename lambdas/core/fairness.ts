import type { CategoricalColumn } from './dataset.js';
import { extent } from './extent.js';
import type { MulticlassFairness } from './fairness-multiclass.js';
import type { RegressionFairness } from './fairness-regression.js';

/** Groups smaller than this get "insufficient data" instead of rates that would mislead. */
export const DEFAULT_MIN_GROUP_SIZE = 30;
const MISSING_GROUP = '(missing)';

/**
 * One sensitive attribute's per-group table, for every task (Fairlearn's MetricFrame idea): a binary classifier's
 * rates, a multiclass classifier's accuracy and one-vs-rest rates per class, a regressor's errors and residuals.
 */
export type AttributeFairness = BinaryFairness | MulticlassFairness | RegressionFairness;

export interface GroupMetrics {
  readonly group: string;
  readonly count: number;
  /** Rows whose true label is positive. */
  readonly actualPositives: number;
  readonly sufficient: boolean;
  /** Share predicted positive. */
  readonly selectionRate: number | null;
  readonly truePositiveRate: number | null;
  readonly falsePositiveRate: number | null;
  readonly precision: number | null;
}

export interface BinaryFairness {
  readonly task: 'binary';
  readonly attribute: string;
  readonly groups: GroupMetrics[];
  /** Lowest selection rate over the highest, over groups with enough data (the four-fifths rule wants ≥ 0.8). */
  readonly disparateImpact: number | null;
  /** Highest minus lowest selection rate. */
  readonly demographicParityDifference: number | null;
  /** Highest minus lowest true positive rate. */
  readonly equalOpportunityDifference: number | null;
  readonly insufficientGroups: string[];
}

const rate = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : numerator / denominator;

export function spread(values: (number | null)[]): { min: number; max: number } | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length < 2 ? null : extent(present);
}

/** The rows of each group of an attribute (a missing value is a group of its own), largest group first. */
export function groupRows(attribute: CategoricalColumn): [string, number[]][] {
  const rows = new Map<string, number[]>();
  attribute.values.forEach((value, r) => {
    const key = value ?? MISSING_GROUP;
    const list = rows.get(key);
    if (list === undefined) rows.set(key, [r]);
    else list.push(r);
  });
  return [...rows.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
}

/**
 * Per-group outcomes of a binary classifier for one sensitive attribute, and the gaps between groups. `truth` and
 * `predicted` are 1 for the positive class.
 */
export function attributeFairness(
  attribute: CategoricalColumn,
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  minGroupSize = DEFAULT_MIN_GROUP_SIZE,
): BinaryFairness {
  const groups: GroupMetrics[] = groupRows(attribute).map(([group, rows]) => {
    const t = { tp: 0, fp: 0, fn: 0, tn: 0 };
    for (const r of rows) {
      const y = truth[r] === 1;
      const p = predicted[r] === 1;
      if (y && p) t.tp += 1;
      else if (!y && p) t.fp += 1;
      else if (y && !p) t.fn += 1;
      else t.tn += 1;
    }
    const sufficient = rows.length >= minGroupSize;
    return {
      group,
      count: rows.length,
      actualPositives: t.tp + t.fn,
      sufficient,
      selectionRate: sufficient ? rate(t.tp + t.fp, rows.length) : null,
      truePositiveRate: sufficient ? rate(t.tp, t.tp + t.fn) : null,
      falsePositiveRate: sufficient ? rate(t.fp, t.fp + t.tn) : null,
      precision: sufficient ? rate(t.tp, t.tp + t.fp) : null,
    };
  });
  const selection = spread(groups.map((g) => g.selectionRate));
  const tpr = spread(groups.map((g) => g.truePositiveRate));
  return {
    task: 'binary',
    attribute: attribute.name,
    groups,
    disparateImpact: selection === null ? null : selection.max === 0 ? null : selection.min / selection.max,
    demographicParityDifference: selection === null ? null : selection.max - selection.min,
    equalOpportunityDifference: tpr === null ? null : tpr.max - tpr.min,
    insufficientGroups: groups.filter((g) => !g.sufficient).map((g) => g.group),
  };
}

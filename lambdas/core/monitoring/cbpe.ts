/**
 * Confidence-based performance estimation (NannyML's CBPE): with calibrated probabilities, each row's chance of being
 * right is known before its label is, so the expected confusion matrix — and from it accuracy, precision, recall, F1
 * and the ROC curve — can be estimated on live traffic that has no labels yet. It holds while the relation between
 * inputs and label stays the one the calibration saw (covariate shift, not concept shift); realized performance from
 * feedback is what catches the rest.
 */
import { argmaxRows } from '../metrics.js';

export interface ExpectedCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

export interface EstimatedBinaryMetrics {
  readonly accuracy: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  readonly roc_auc: number | null;
  readonly counts: ExpectedCounts;
}

/**
 * Estimated binary metrics: `scores` the model's probability of the positive class (its decision, positive at 0.5 or
 * above, as evaluation counts it), `calibrated` the calibrated probability that the row is positive.
 */
export function estimateBinary(scores: ArrayLike<number>, calibrated: ArrayLike<number>): EstimatedBinaryMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < scores.length; i++) {
    const c = calibrated[i] as number;
    if ((scores[i] as number) >= 0.5) {
      tp += c;
      fp += 1 - c;
    } else {
      fn += c;
      tn += 1 - c;
    }
  }
  const n = scores.length;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  return {
    accuracy: n > 0 ? (tp + tn) / n : Number.NaN,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    roc_auc: expectedRocAuc(scores, calibrated),
    counts: { tp, fp, fn, tn },
  };
}

/**
 * The expected ROC curve's area: thresholds walk down the model's scores (rows with equal scores pass together),
 * each adding its calibrated probability to the expected true positives and its complement to the false positives;
 * the area is the trapezoid sum over the expected (FPR, TPR) points. Null when the expected positives or negatives
 * are zero.
 */
export function expectedRocAuc(scores: ArrayLike<number>, calibrated: ArrayLike<number>): number | null {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (i, j) => (scores[j] as number) - (scores[i] as number),
  );
  let positives = 0;
  for (let i = 0; i < calibrated.length; i++) positives += calibrated[i] as number;
  const negatives = scores.length - positives;
  if (!(positives > 0) || !(negatives > 0)) return null;
  let area = 0;
  let tp = 0;
  let k = 0;
  while (k < order.length) {
    const score = scores[order[k] as number] as number;
    let dtp = 0;
    let dfp = 0;
    while (k < order.length && scores[order[k] as number] === score) {
      const c = calibrated[order[k] as number] as number;
      dtp += c;
      dfp += 1 - c;
      k += 1;
    }
    area += (dfp / negatives) * ((tp + dtp / 2) / positives);
    tp += dtp;
  }
  return area;
}

/**
 * Estimated multiclass accuracy: `scores` the model's class probabilities row-major (its decision the most probable
 * class, the first on a tie), `calibrated` the calibrated class probabilities in the same layout.
 */
export function estimateMulticlassAccuracy(
  scores: ArrayLike<number>,
  calibrated: ArrayLike<number>,
  classes: number,
): number {
  const rows = Math.floor(scores.length / classes);
  if (rows === 0) return Number.NaN;
  const decided = argmaxRows(scores, classes, rows);
  let expected = 0;
  for (let r = 0; r < rows; r++) expected += calibrated[r * classes + (decided[r] as number)] as number;
  return expected / rows;
}

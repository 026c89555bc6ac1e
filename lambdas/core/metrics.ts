/**
 * Evaluation metrics. Classification metrics take the true class index per row and the predicted probability per
 * class (row-major, `classes` wide); binary models pass 2-wide rows [P(negative), P(positive)].
 */

const LOG_LOSS_EPSILON = 1e-15;

export type Metrics = Record<string, number>;

/** ROC AUC as the Mann–Whitney U statistic with average ranks for ties. NaN when only one class is present. */
export function rocAuc(positive: ArrayLike<boolean>, scores: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSumPositives = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const averageRank = (i + j + 2) / 2; // ranks are 1-based
    for (let k = i; k <= j; k++) {
      if (positive[order[k] as number]) {
        positives += 1;
        rankSumPositives += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean negative log-likelihood of the true class, probabilities clipped to [eps, 1 - eps] as scikit-learn does. */
export function logLoss(truth: ArrayLike<number>, probabilities: ArrayLike<number>, classes: number): number {
  let total = 0;
  for (let r = 0; r < truth.length; r++) {
    const p = probabilities[r * classes + (truth[r] as number)] as number;
    total -= Math.log(Math.min(Math.max(p, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON));
  }
  return total / truth.length;
}

/** The likeliest class of each row of row-major class probabilities (the first of equal ones). */
export function argmaxRows(probabilities: ArrayLike<number>, classes: number, rows: number): Int32Array {
  const predicted = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if ((probabilities[r * classes + c] as number) > (probabilities[r * classes + best] as number)) best = c;
    }
    predicted[r] = best;
  }
  return predicted;
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

function precisionRecallF1({ tp, fp, fn }: Counts): { precision: number; recall: number; f1: number } {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** Binary metrics; the positive class is index 1 and a row is predicted positive when P(positive) >= 0.5. */
export function binaryMetrics(truth: ArrayLike<number>, probabilities: ArrayLike<number>): Metrics {
  const rows = truth.length;
  const counts: Counts = { tp: 0, fp: 0, fn: 0 };
  let correct = 0;
  const scores = new Float64Array(rows);
  const positive = new Array<boolean>(rows);
  for (let r = 0; r < rows; r++) {
    const score = probabilities[r * 2 + 1] as number;
    scores[r] = score;
    const isPositive = truth[r] === 1;
    positive[r] = isPositive;
    const predictedPositive = score >= 0.5;
    if (predictedPositive === isPositive) correct += 1;
    if (predictedPositive && isPositive) counts.tp += 1;
    if (predictedPositive && !isPositive) counts.fp += 1;
    if (!predictedPositive && isPositive) counts.fn += 1;
  }
  return {
    accuracy: correct / rows,
    ...precisionRecallF1(counts),
    roc_auc: rocAuc(positive, scores),
    log_loss: logLoss(truth, probabilities, 2),
  };
}

/** Multiclass metrics: macro-averaged precision, recall, F1 and one-vs-rest ROC AUC. */
export function multiclassMetrics(
  truth: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  classes: number,
): Metrics {
  const rows = truth.length;
  const predicted = argmaxRows(probabilities, classes, rows);
  let correct = 0;
  for (let r = 0; r < rows; r++) if (predicted[r] === truth[r]) correct += 1;
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let aucSum = 0;
  let aucClasses = 0;
  for (let c = 0; c < classes; c++) {
    const counts: Counts = { tp: 0, fp: 0, fn: 0 };
    const positive = new Array<boolean>(rows);
    const scores = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const isC = truth[r] === c;
      positive[r] = isC;
      scores[r] = probabilities[r * classes + c] as number;
      if (predicted[r] === c && isC) counts.tp += 1;
      if (predicted[r] === c && !isC) counts.fp += 1;
      if (predicted[r] !== c && isC) counts.fn += 1;
    }
    const prf = precisionRecallF1(counts);
    precision += prf.precision / classes;
    recall += prf.recall / classes;
    f1 += prf.f1 / classes;
    const auc = rocAuc(positive, scores);
    if (!Number.isNaN(auc)) {
      aucSum += auc;
      aucClasses += 1;
    }
  }
  return {
    accuracy: correct / rows,
    precision,
    recall,
    f1,
    roc_auc: aucClasses === 0 ? Number.NaN : aucSum / aucClasses,
    log_loss: logLoss(truth, probabilities, classes),
  };
}

/** Regression metrics: RMSE, MAE and R² (coefficient of determination; NaN for a constant target). */
export function regressionMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>): Metrics {
  const rows = truth.length;
  let squared = 0;
  let absolute = 0;
  let mean = 0;
  for (let r = 0; r < rows; r++) mean += (truth[r] as number) / rows;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const error = (truth[r] as number) - (predicted[r] as number);
    squared += error * error;
    absolute += Math.abs(error);
    total += ((truth[r] as number) - mean) ** 2;
  }
  return {
    rmse: Math.sqrt(squared / rows),
    mae: absolute / rows,
    r2: total === 0 ? Number.NaN : 1 - squared / total,
  };
}

/** Metrics as stored: DynamoDB and JSON have no NaN, so an undefined metric (AUC of one class) is recorded as null. */
export function storableMetrics(metrics: Metrics): Record<string, number | null> {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
}

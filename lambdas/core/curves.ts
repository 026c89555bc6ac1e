/**
 * Evaluation curves and calibration: what the report draws and the gate can check, beyond single-number metrics.
 */

export interface RocCurve {
  readonly fpr: number[];
  readonly tpr: number[];
  /** Descending; the first point (0, 0) has threshold +∞ as in scikit-learn. */
  readonly thresholds: number[];
}

interface Counts {
  readonly tp: number[];
  readonly fp: number[];
  readonly thresholds: number[];
  readonly positives: number;
  readonly negatives: number;
}

/** Cumulative true/false positives at each distinct score, from the highest down. */
function cumulativeCounts(positive: ArrayLike<boolean>, scores: ArrayLike<number>): Counts {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  const tp: number[] = [];
  const fp: number[] = [];
  const thresholds: number[] = [];
  let t = 0;
  let f = 0;
  for (let k = 0; k < order.length; k++) {
    const index = order[k] as number;
    if (positive[index]) t += 1;
    else f += 1;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[index]) {
      tp.push(t);
      fp.push(f);
      thresholds.push(scores[index] as number);
    }
  }
  return { tp, fp, thresholds, positives: t, negatives: f };
}

/** ROC curve at every distinct score (scikit-learn's roc_curve with drop_intermediate=False). */
export function rocCurve(positive: ArrayLike<boolean>, scores: ArrayLike<number>): RocCurve {
  const c = cumulativeCounts(positive, scores);
  return {
    fpr: [0, ...c.fp.map((f) => (c.negatives === 0 ? Number.NaN : f / c.negatives))],
    tpr: [0, ...c.tp.map((t) => (c.positives === 0 ? Number.NaN : t / c.positives))],
    thresholds: [Number.POSITIVE_INFINITY, ...c.thresholds],
  };
}

export interface PrCurve {
  readonly precision: number[];
  readonly recall: number[];
  readonly thresholds: number[];
  /** Σ (R_k − R_{k−1}) · P_k, as scikit-learn's average_precision_score. */
  readonly averagePrecision: number;
}

/** Precision–recall curve at every distinct score, from the highest threshold down. */
export function precisionRecallCurve(positive: ArrayLike<boolean>, scores: ArrayLike<number>): PrCurve {
  const c = cumulativeCounts(positive, scores);
  const precision = c.tp.map((t, k) => t / (t + (c.fp[k] as number)));
  const recall = c.tp.map((t) => (c.positives === 0 ? 0 : t / c.positives));
  let averagePrecision = 0;
  let previousRecall = 0;
  recall.forEach((r, k) => {
    averagePrecision += (r - previousRecall) * (precision[k] as number);
    previousRecall = r;
  });
  return {
    precision,
    recall,
    thresholds: c.thresholds,
    averagePrecision: c.positives === 0 ? Number.NaN : averagePrecision,
  };
}

/** counts[true class][predicted class]. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let r = 0; r < truth.length; r++) {
    const row = matrix[truth[r] as number];
    if (row !== undefined) row[predicted[r] as number] = (row[predicted[r] as number] ?? 0) + 1;
  }
  return matrix;
}

export interface CalibrationBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly meanPredicted: number | null;
  readonly observedRate: number | null;
}

export interface Calibration {
  readonly bins: CalibrationBin[];
  /** Mean squared difference between predicted probability and outcome. */
  readonly brier: number;
  /** Expected calibration error: Σ (n_b / N) · |observed_b − predicted_b| over equal-width bins. */
  readonly ece: number;
}

/**
 * Reliability curve over `binCount` equal-width bins of the predicted probability (a probability on an inner edge
 * goes to the lower bin, as scikit-learn's calibration_curve), Brier score and ECE.
 */
export function calibration(outcome: ArrayLike<boolean>, probability: ArrayLike<number>, binCount = 10): Calibration {
  const counts = new Array<number>(binCount).fill(0);
  const sumPredicted = new Array<number>(binCount).fill(0);
  const sumObserved = new Array<number>(binCount).fill(0);
  let brier = 0;
  for (let r = 0; r < probability.length; r++) {
    const p = probability[r] as number;
    const y = outcome[r] ? 1 : 0;
    brier += (p - y) ** 2;
    // Number of inner edges strictly below p, with edges computed as numpy's linspace does (k · (1 / binCount)).
    let bin = 0;
    while (bin < binCount - 1 && (bin + 1) * (1 / binCount) < p) bin++;
    counts[bin] = (counts[bin] as number) + 1;
    sumPredicted[bin] = (sumPredicted[bin] as number) + p;
    sumObserved[bin] = (sumObserved[bin] as number) + y;
  }
  const total = probability.length;
  let ece = 0;
  const bins = counts.map((count, b) => {
    const meanPredicted = count === 0 ? null : (sumPredicted[b] as number) / count;
    const observedRate = count === 0 ? null : (sumObserved[b] as number) / count;
    if (meanPredicted !== null && observedRate !== null)
      ece += (count / total) * Math.abs(observedRate - meanPredicted);
    return { lower: b / binCount, upper: (b + 1) / binCount, count, meanPredicted, observedRate };
  });
  return { bins, brier: brier / total, ece };
}

export interface ResidualSummary {
  readonly mean: number;
  readonly std: number;
  readonly maxAbs: number;
  /** Residual (truth − prediction) quantiles at 5, 25, 50, 75 and 95%, linear interpolation. */
  readonly quantiles: Record<'p05' | 'p25' | 'p50' | 'p75' | 'p95', number>;
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return (sorted[lower] as number) + ((sorted[upper] as number) - (sorted[lower] as number)) * (position - lower);
}

export function residualSummary(truth: ArrayLike<number>, predicted: ArrayLike<number>): ResidualSummary {
  const residuals = Float64Array.from(
    { length: truth.length },
    (_, r) => (truth[r] as number) - (predicted[r] as number),
  );
  const mean = residuals.reduce((s, v) => s + v, 0) / residuals.length;
  const std = Math.sqrt(residuals.reduce((s, v) => s + (v - mean) ** 2, 0) / residuals.length);
  const sorted = Float64Array.from(residuals).sort();
  return {
    mean,
    std,
    maxAbs: residuals.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
    quantiles: {
      p05: quantile(sorted, 0.05),
      p25: quantile(sorted, 0.25),
      p50: quantile(sorted, 0.5),
      p75: quantile(sorted, 0.75),
      p95: quantile(sorted, 0.95),
    },
  };
}

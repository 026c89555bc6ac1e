import { calibration } from '../curves.js';
import type { ScoredSplit } from '../evaluation.js';
import { argmaxRows } from '../metrics.js';
import { calibrate, fitIsotonic, fitPlatt, type Calibrator } from './calibrators.js';

/**
 * The calibration a classifier is stored with, fitted at training time on rows its weights never learned from (the
 * validation split, or the chosen trial's out-of-fold predictions after a refit, as scikit-learn's
 * `CalibratedClassifierCV(ensemble=False)`), and whether it is good enough to estimate performance without labels.
 * Binary: one calibrator for the positive class. Multiclass: one per class (one-vs-rest), the row then normalized.
 */

/**
 * Isotonic from this many rows, Platt below: scikit-learn advises against isotonic under about a thousand rows (it
 * overfits), and the estimability check fits each method on half the rows — at 1,200 validation rows of adult,
 * isotonic fitted on 600 missed by 0.051 on the other half where Platt holds (bench/results/monitor-window.json).
 */
export const ISOTONIC_FROM_ROWS = 2000;
/** Fewer rows, or fewer rows of some class, and no estimate is offered. */
export const MIN_CALIBRATION_ROWS = 100;
export const MIN_CLASS_ROWS = 10;
/** How far the calibrated probabilities may miss beyond sampling noise (expected calibration error, 10 bins). */
export const CALIBRATION_TOLERANCE = 0.03;

export type ModelCalibration =
  | {
      readonly estimable: true;
      readonly method: 'platt' | 'isotonic';
      /** Binary: [positive class]; multiclass: one per class, in the model's class order. */
      readonly calibrators: Calibrator[];
      readonly rows: number;
      /** ECE of probabilities calibrated on one half of the rows and measured on the other. */
      readonly crossFittedEce: number;
      /** What ECE perfectly calibrated probabilities would show on as many rows, from sampling alone. */
      readonly noiseEce: number;
    }
  | { readonly estimable: false; readonly reason: string; readonly rows: number };

/** Fits one calibrator per calibrated column on the given rows. */
function fitColumns(split: ScoredSplit, rows: readonly number[], method: 'platt' | 'isotonic'): Calibrator[] {
  const width = split.classes.length;
  const columns = width === 2 ? [1] : split.classes.map((_, k) => k);
  return columns.map((k) => {
    const scores = rows.map((r) => split.scores[r * width + k] as number);
    const outcomes = rows.map((r) => split.truth[r] === k);
    return method === 'platt' ? fitPlatt(scores, outcomes) : fitIsotonic(scores, outcomes);
  });
}

/**
 * Calibrated probabilities of scored rows: binary, one per row (the positive class); multiclass, row-major with the
 * classes' calibrated one-vs-rest probabilities normalized to sum to one (uniform if all are zero).
 */
export function calibratedProbabilities(
  calibrators: readonly Calibrator[],
  scores: ArrayLike<number>,
  classes: number,
): Float64Array {
  const rows = Math.floor(scores.length / classes);
  if (classes === 2) {
    const positive = calibrators[0] as Calibrator;
    return Float64Array.from({ length: rows }, (_, r) => calibrate(positive, scores[r * 2 + 1] as number));
  }
  const out = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let k = 0; k < classes; k++) {
      const p = calibrate(calibrators[k] as Calibrator, scores[r * classes + k] as number);
      out[r * classes + k] = p;
      total += p;
    }
    for (let k = 0; k < classes; k++)
      out[r * classes + k] = total > 0 ? (out[r * classes + k] as number) / total : 1 / classes;
  }
  return out;
}

/** The probability each row's decision is right, and whether it was: what an accuracy estimate sums. */
function decisionConfidence(split: ScoredSplit, rows: readonly number[], calibrators: readonly Calibrator[]) {
  const width = split.classes.length;
  const scores = new Float64Array(rows.length * width);
  rows.forEach((r, i) => scores.set(split.scores.subarray(r * width, (r + 1) * width), i * width));
  const calibrated = calibratedProbabilities(calibrators, scores, width);
  const decided = argmaxRows(scores, width, rows.length);
  const confidence = rows.map((_, i) =>
    width === 2
      ? decided[i] === 1
        ? (calibrated[i] as number)
        : 1 - (calibrated[i] as number)
      : (calibrated[i * width + (decided[i] as number)] as number),
  );
  const right = rows.map((r, i) => split.truth[r] === decided[i]);
  return { confidence, right };
}

/** Expected ECE (10 equal-width bins) of perfectly calibrated probabilities: Σ_b √(2/π)·√(Σ_{i∈b} p_i(1 − p_i)) / n. */
export function noiseEce(probabilities: readonly number[]): number {
  const variance = new Array<number>(10).fill(0);
  for (const p of probabilities) {
    let bin = 0;
    while (bin < 9 && (bin + 1) * 0.1 < p) bin++;
    variance[bin] = (variance[bin] as number) + p * (1 - p);
  }
  const total = variance.reduce((sum, v) => sum + Math.sqrt((2 / Math.PI) * v), 0);
  return probabilities.length === 0 ? Number.NaN : total / probabilities.length;
}

/** Fits the model's calibration on a scored split and judges whether it can carry a label-free estimate. */
export function fitModelCalibration(split: ScoredSplit): ModelCalibration {
  const rows = split.truth.length;
  if (rows < MIN_CALIBRATION_ROWS)
    return { estimable: false, rows, reason: `only ${rows} rows to calibrate on (at least ${MIN_CALIBRATION_ROWS})` };
  const counts = split.classes.map((_, k) => split.truth.filter((t) => t === k).length);
  const rare = counts.findIndex((count) => count < MIN_CLASS_ROWS);
  if (rare >= 0)
    return {
      estimable: false,
      rows,
      reason: `class "${split.classes[rare]}" has ${counts[rare]} of the ${rows} rows to calibrate on (at least ${MIN_CLASS_ROWS})`,
    };
  const method = rows >= ISOTONIC_FROM_ROWS ? 'isotonic' : 'platt';
  const halves = [0, 1].map((h) => Array.from({ length: rows }, (_, r) => r).filter((r) => r % 2 === h));
  const confidence: number[] = [];
  const right: boolean[] = [];
  halves.forEach((half, h) => {
    const other = decisionConfidence(split, half, fitColumns(split, halves[1 - h] as number[], method));
    other.confidence.forEach((c, i) => {
      confidence.push(c);
      right.push(other.right[i] === true);
    });
  });
  const crossFittedEce = calibration(right, confidence).ece;
  const noise = noiseEce(confidence);
  const all = Array.from({ length: rows }, (_, r) => r);
  if (crossFittedEce > noise + CALIBRATION_TOLERANCE)
    return {
      estimable: false,
      rows,
      reason: `${method} calibration misses by ${crossFittedEce.toFixed(3)} (expected calibration error on held-out halves; sampling alone explains ${noise.toFixed(3)}), more than ${CALIBRATION_TOLERANCE} beyond it`,
    };
  return {
    estimable: true,
    method,
    calibrators: fitColumns(split, all, method),
    rows,
    crossFittedEce,
    noiseEce: noise,
  };
}

import type { Predictor } from './artifact.js';
import {
  calibration,
  confusionMatrix,
  precisionRecallCurve,
  residualSummary,
  rocCurve,
  type Calibration,
  type PrCurve,
  type ResidualSummary,
  type RocCurve,
} from './curves.js';
import type { Frame, TypedColumn } from './dataset.js';
import { binaryMetrics, multiclassMetrics, regressionMetrics, type Metrics } from './metrics.js';
import { encodeFrame, encodeLabels, scorableRows } from './preprocess.js';

/** A split scored by a predictor: the rows whose label the model knows, their targets and the model's outputs. */
export interface ScoredSplit {
  /** Indexes into the frame of the rows kept (rows with a class never seen in training are dropped). */
  readonly rows: number[];
  /** Encoded targets: class index, or the value for regression. */
  readonly truth: Float32Array;
  /** Class probabilities row-major, or predicted values for regression. */
  readonly scores: Float32Array;
  readonly classes: readonly string[];
}

export function scoreSplit(predictor: Predictor, frame: Frame): ScoredSplit {
  const pre = predictor.artifact.preprocessor;
  const rows = scorableRows(pre, frame.labels);
  const all = encodeFrame(pre, frame);
  const x = rows.length === frame.origins.length ? all : new Float32Array(rows.length * pre.width);
  if (x !== all) rows.forEach((r, i) => x.set(all.subarray(r * pre.width, (r + 1) * pre.width), i * pre.width));
  // Regression truth is the raw label (not a de-standardized round trip); classes are their training index.
  const labels = frame.labels;
  const encoded = labels.kind === 'numbers' ? undefined : encodeLabels(pre, labels);
  const truth = Float32Array.from(rows, (r) =>
    encoded === undefined ? (labels.values[r] as number) : (encoded[r] as number),
  );
  return { rows, truth, scores: predictor.scoreEncoded(x, rows.length), classes: predictor.classes };
}

/** Metrics of a scored split, or of the subset of its rows given by positions into `scored.rows`. */
export function metricsOf(scored: ScoredSplit, subset?: readonly number[]): Metrics {
  const classes = scored.classes.length;
  const width = classes === 0 ? 1 : classes;
  const positions = subset ?? scored.rows.map((_, i) => i);
  const truth = Float32Array.from(positions, (i) => scored.truth[i] as number);
  const scores = new Float32Array(positions.length * width);
  positions.forEach((i, k) => scores.set(scored.scores.subarray(i * width, (i + 1) * width), k * width));
  if (classes === 0) return regressionMetrics(truth, scores);
  if (classes === 2) return binaryMetrics(truth, scores);
  return multiclassMetrics(truth, scores, classes);
}

export interface Evaluation {
  readonly metrics: Metrics;
  readonly rows: number;
  /** Test rows whose class was never seen in training (they cannot be scored). */
  readonly rowsWithUnknownLabel: number;
}

/** Scores a held-out split with the same predictor code that serving uses. */
export function evaluate(predictor: Predictor, frame: Frame): Evaluation {
  const scored = scoreSplit(predictor, frame);
  return {
    metrics: metricsOf(scored),
    rows: scored.rows.length,
    rowsWithUnknownLabel: frame.origins.length - scored.rows.length,
  };
}

export interface SliceMetrics {
  readonly column: string;
  readonly groups: { readonly value: string; readonly rows: number; readonly metrics: Metrics | null }[];
}

export interface FullEvaluation extends Evaluation {
  readonly confusionMatrix: { readonly classes: readonly string[]; readonly counts: number[][] } | null;
  readonly roc: RocCurve | null;
  readonly precisionRecall: PrCurve | null;
  /** Binary: of the positive class; multiclass: of the top label's confidence. */
  readonly calibration: Calibration | null;
  readonly residuals: ResidualSummary | null;
  readonly slices: SliceMetrics[];
}

/** Keeps at most `max` points of a curve, evenly spaced, always the first and last. */
export function thin<T extends Record<string, number[]>>(curve: T, max = 200): T {
  const length = (Object.values(curve)[0] ?? []).length;
  if (length <= max) return curve;
  const keep = Array.from({ length: max }, (_, i) => Math.round((i * (length - 1)) / (max - 1)));
  return Object.fromEntries(Object.entries(curve).map(([k, v]) => [k, keep.map((i) => v[i])])) as T;
}

/**
 * Everything the report shows about a candidate on its test split (scored once, by scoreSplit): metrics, confusion matrix, ROC and
 * precision–recall curves, calibration, residuals for regression, and metrics per slice of the given columns
 * (slices with fewer than `minSliceRows` rows get null: too few to mean anything).
 */
export function evaluateFull(
  scored: ScoredSplit,
  frame: Frame,
  sliceColumns: readonly TypedColumn[],
  minSliceRows: number,
): FullEvaluation {
  const base = {
    metrics: metricsOf(scored),
    rows: scored.rows.length,
    rowsWithUnknownLabel: frame.origins.length - scored.rows.length,
  };
  const classes = scored.classes.length;
  const slices = sliceColumns.map((column) => sliceOf(scored, column, minSliceRows));
  if (classes === 0) {
    return {
      ...base,
      confusionMatrix: null,
      roc: null,
      precisionRecall: null,
      calibration: null,
      residuals: residualSummary(scored.truth, scored.scores),
      slices,
    };
  }
  const n = scored.rows.length;
  const predicted = predictedClasses(scored);
  const counts = confusionMatrix(scored.truth, predicted, classes);
  if (classes === 2) {
    const positive = Array.from(scored.truth, (t) => t === 1);
    const p = Float64Array.from({ length: n }, (_, i) => scored.scores[i * 2 + 1] as number);
    const roc = rocCurve(positive, p);
    const pr = precisionRecallCurve(positive, p);
    return {
      ...base,
      confusionMatrix: { classes: scored.classes, counts },
      roc: thin({ fpr: roc.fpr, tpr: roc.tpr, thresholds: roc.thresholds }),
      precisionRecall: {
        ...thin({ precision: pr.precision, recall: pr.recall, thresholds: pr.thresholds }),
        averagePrecision: pr.averagePrecision,
      },
      calibration: calibration(positive, p),
      residuals: null,
      slices,
    };
  }
  const correct = Array.from(predicted, (c, i) => c === scored.truth[i]);
  const confidence = Float64Array.from(predicted, (c, i) => scored.scores[i * classes + c] as number);
  return {
    ...base,
    confusionMatrix: { classes: scored.classes, counts },
    roc: null,
    precisionRecall: null,
    calibration: calibration(correct, confidence),
    residuals: null,
    slices,
  };
}

/** The metrics of each value of a column (the most frequent first); a group smaller than `minSliceRows` has none. */
function sliceOf(scored: ScoredSplit, column: TypedColumn, minSliceRows: number): FullEvaluation['slices'][number] {
  const groups = new Map<string, number[]>();
  scored.rows.forEach((r, i) => {
    const raw = column.values[r];
    const value =
      raw === null || raw === undefined || (typeof raw === 'number' && Number.isNaN(raw)) ? '(missing)' : String(raw);
    groups.set(value, [...(groups.get(value) ?? []), i]);
  });
  return {
    column: column.name,
    groups: [...groups.entries()]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([value, positions]) => ({
        value,
        rows: positions.length,
        metrics: positions.length >= minSliceRows ? metricsOf(scored, positions) : null,
      })),
  };
}

/** Each scored row's most probable class. */
function predictedClasses(scored: ScoredSplit): Int32Array {
  const classes = scored.classes.length;
  return Int32Array.from({ length: scored.rows.length }, (_, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if ((scored.scores[i * classes + c] as number) > (scored.scores[i * classes + best] as number)) best = c;
    return best;
  });
}

import type { Prediction } from '../artifact.js';
import type { DriftNull } from '../drift/drift-null.js';
import { profileColumn, type DatasetProfile, type FeatureProfile } from '../drift/profile.js';
import { windowDrift, type WindowDrift } from '../drift/window-drift.js';
import { metricsOf } from '../evaluation.js';
import { storableMetrics } from '../metrics.js';
import type { StoredMetrics } from '../report/types.js';
import { hash32 } from '../random.js';
import { estimateBinary, estimateMulticlassAccuracy } from './cbpe.js';
import type { InfluenceDrift } from './influence-drift.js';
import { calibratedProbabilities } from './model-calibration.js';
import { predictionProfile, predictionValues, type MonitoringReference } from './monitoring-reference.js';
import { categoryValue, numericValue, type CapturedPrediction } from './window-records.js';

/**
 * One variant's monitoring window: drift of its inputs against the training profile and of its predictions against
 * the version's reference, performance estimated from calibrated probabilities (no labels needed) and realized from
 * the ground truth that has arrived, and the inputs the model never saw in training (new categories, values outside
 * the training range).
 */

export interface WindowOptions {
  /** Below this many predictions, no drift verdict. */
  readonly minRows: number;
  /** Below this many labelled predictions, no realized performance. */
  readonly minLabels: number;
  /** Share of windows without drift that may be flagged (window-drift.ts). */
  readonly falseAlarmRate: number;
  /** The metric floors that make a window `degraded`, estimated or realized (e.g. accuracy 0.8). */
  readonly floors?: { readonly metric: string; readonly estimated?: number; readonly realized?: number };
}

export type Estimated =
  | { readonly estimable: true; readonly metrics: Record<string, number | null> }
  | { readonly estimable: false; readonly reason: string };

export type Realized =
  | { readonly sufficient: true; readonly labelledRows: number; readonly metrics: StoredMetrics }
  | { readonly sufficient: false; readonly labelledRows: number; readonly reason: string };

export type WindowStatus = 'ok' | 'drift' | 'degraded' | 'insufficient_data';

export interface VariantWindow {
  readonly variant: string;
  readonly version: number;
  readonly rows: number;
  readonly labelledRows: number;
  readonly inputDrift: WindowDrift;
  readonly predictionDrift: WindowDrift;
  readonly estimated: Estimated;
  readonly realized: Realized;
  /** Per feature: window rows with a category the training split never had. */
  readonly newCategories: Record<string, number>;
  /** Per feature: window rows with a value outside the training split's range. */
  readonly outOfRange: Record<string, number>;
  /** Each feature's share of influence on the labelled predictions against validation's (influence-drift.ts). */
  readonly influence: InfluenceDrift;
  /** The window's inputs profiled as the training split was (drift's and the report's histograms' input). */
  readonly inputs: DatasetProfile;
  readonly status: WindowStatus;
}

/** The window's inputs profiled as the training split was, feature by feature, rows keyed by prediction id. */
export function windowProfile(reference: DatasetProfile, rows: readonly CapturedPrediction[]): DatasetProfile {
  const hashes = rows.map((r) => hash32(r.predictionId, 0x5eed));
  const features: Record<string, FeatureProfile> = {};
  for (const [name, ref] of Object.entries(reference.features)) {
    features[name] =
      ref.kind === 'numeric'
        ? profileColumn({ name, type: 'numeric', values: rows.map((r) => numericValue(r.instance[name])) }, hashes)
        : profileColumn(
            { name, type: 'categorical', values: rows.map((r) => categoryValue(r.instance[name])) },
            hashes,
          );
  }
  return { rows: rows.length, features };
}

function unseenInputs(reference: DatasetProfile, window: DatasetProfile, rows: readonly CapturedPrediction[]) {
  const newCategories: Record<string, number> = {};
  const outOfRange: Record<string, number> = {};
  for (const [name, ref] of Object.entries(reference.features)) {
    const cur = window.features[name];
    if (ref.kind === 'categorical' && cur?.kind === 'categorical') {
      const unseen = Object.entries(cur.counts).reduce((n, [c, count]) => (c in ref.counts ? n : n + count), 0);
      if (unseen > 0) newCategories[name] = unseen;
    } else if (ref.kind === 'numeric' && ref.min !== null && ref.max !== null) {
      const { min, max } = ref;
      const outside = rows.filter((r) => {
        const v = numericValue(r.instance[name]);
        return Number.isFinite(v) && (v < min || v > max);
      }).length;
      if (outside > 0) outOfRange[name] = outside;
    }
  }
  return { newCategories, outOfRange };
}

/** The model's scores of the window in class order (row-major), as evaluation lays them out. */
function scoresOf(predictions: readonly Prediction[], classes: readonly string[]): Float64Array {
  const width = classes.length === 0 ? 1 : classes.length;
  const scores = new Float64Array(predictions.length * width);
  predictions.forEach((p, r) => {
    if ('value' in p) scores[r] = p.value;
    else classes.forEach((c, k) => (scores[r * width + k] = p.probabilities[c] ?? 0));
  });
  return scores;
}

function estimate(reference: MonitoringReference, scores: Float64Array, rows: number): Estimated {
  const { calibration, classes } = reference;
  if (!calibration.estimable) return { estimable: false, reason: calibration.reason };
  if (rows === 0) return { estimable: false, reason: 'no predictions in the window' };
  const calibrated = calibratedProbabilities(calibration.calibrators, scores, classes.length);
  if (classes.length === 2) {
    const positive = Float64Array.from({ length: rows }, (_, r) => scores[r * 2 + 1] as number);
    const { accuracy, precision, recall, f1, roc_auc } = estimateBinary(positive, calibrated);
    return { estimable: true, metrics: { accuracy, precision, recall, f1, roc_auc } };
  }
  return { estimable: true, metrics: { accuracy: estimateMulticlassAccuracy(scores, calibrated, classes.length) } };
}

/**
 * The window's predictions that have usable ground truth: a known class (its index), or a number for regression
 * (`classes` empty; the index is then the value).
 */
export function labelledPredictions(
  classes: readonly string[],
  rows: readonly CapturedPrediction[],
  truths: ReadonlyMap<string, unknown>,
): { row: CapturedPrediction; truth: unknown; index: number }[] {
  return rows.flatMap((row) => {
    const truth = truths.get(row.predictionId);
    const index = classes.length === 0 ? (typeof truth === 'number' ? truth : -1) : classes.indexOf(String(truth));
    return truth === undefined || (classes.length > 0 && index < 0) ? [] : [{ row, truth, index }];
  });
}

function realize(
  reference: MonitoringReference,
  rows: readonly CapturedPrediction[],
  truths: ReadonlyMap<string, unknown>,
  minLabels: number,
): Realized {
  const { classes } = reference;
  const labelled = labelledPredictions(classes, rows, truths);
  if (labelled.length < minLabels)
    return {
      sufficient: false,
      labelledRows: labelled.length,
      reason: `${labelled.length} labelled predictions in the window; realized performance needs ${minLabels}`,
    };
  const scores = scoresOf(
    labelled.map((l) => l.row.prediction),
    classes,
  );
  const metrics = metricsOf({
    rows: labelled.map((_, i) => i),
    truth: Float32Array.from(labelled, (l) => l.index),
    scores: Float32Array.from(scores),
    classes,
  });
  return { sufficient: true, labelledRows: labelled.length, metrics: storableMetrics(metrics) };
}

function statusOf(result: Omit<VariantWindow, 'status'>, options: WindowOptions): WindowStatus {
  const floors = options.floors;
  const below = (metrics: Record<string, number | null>, floor: number | undefined) =>
    floor !== undefined && floors !== undefined && (metrics[floors.metric] ?? Number.POSITIVE_INFINITY) < floor;
  const { estimated, realized } = result;
  if (estimated.estimable && below(estimated.metrics, floors?.estimated)) return 'degraded';
  if (realized.sufficient && below(realized.metrics, floors?.realized)) return 'degraded';
  if (result.inputDrift.verdict === 'drift' || result.predictionDrift.verdict === 'drift') return 'drift';
  if (result.influence.measured && result.influence.verdict === 'eclipsed') return 'drift';
  if (result.inputDrift.verdict === 'insufficient_data') return 'insufficient_data';
  return 'ok';
}

/**
 * Monitors one variant's predictions in a window against its version's references; `influence` is measured by the
 * caller, which holds the served model (influence-drift.ts).
 */
export function monitorVariant(
  references: {
    readonly profile: DatasetProfile;
    readonly driftNull: DriftNull;
    readonly monitoring: MonitoringReference;
  },
  rows: readonly CapturedPrediction[],
  truths: ReadonlyMap<string, unknown>,
  options: WindowOptions,
  influence: InfluenceDrift = { measured: false, reason: 'not measured' },
): VariantWindow {
  const { profile, driftNull, monitoring } = references;
  const first = rows[0];
  const drift = { minRows: options.minRows, falseAlarmRate: options.falseAlarmRate };
  const inputs = windowProfile(profile, rows);
  const scores = scoresOf(
    rows.map((r) => r.prediction),
    monitoring.classes,
  );
  const values = predictionValues(scores, monitoring.classes.length, rows.length);
  const predictions = predictionProfile(
    values,
    rows.map((r) => r.predictionId),
  );
  const realized = realize(monitoring, rows, truths, options.minLabels);
  const result = {
    variant: first?.variant ?? '',
    version: first?.version ?? 0,
    rows: rows.length,
    labelledRows: realized.labelledRows,
    inputDrift: windowDrift(profile, driftNull, inputs, drift),
    predictionDrift: windowDrift(monitoring.predictions, monitoring.predictionNull, predictions, drift),
    estimated: estimate(monitoring, scores, rows.length),
    realized,
    ...unseenInputs(profile, inputs, rows),
    influence,
    inputs,
  };
  return { ...result, status: statusOf(result, options) };
}

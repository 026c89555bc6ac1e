import * as z from 'zod';
import { bootstrapDriftNull, type DriftNull } from '../drift/drift-null.js';
import { profileColumn, type DatasetProfile } from '../drift/profile.js';
import type { ScoredSplit } from '../evaluation.js';
import type { TaskKind } from '../model-config.js';
import { hash32 } from '../random.js';
import type { TrainingInfluence } from './influence-drift.js';
import { fitModelCalibration, type ModelCalibration } from './model-calibration.js';

/**
 * What monitoring compares a version's live traffic with, fixed when the version is validated and stored beside its
 * evaluation: its calibration (for performance without labels) and the distribution of its predictions on rows it
 * did not learn from (for prediction drift), with that distribution's bootstrapped null. Input drift's reference is
 * the training profile and its null, which ETL stores.
 */

/** The one feature of a prediction profile: the positive class's probability, the top class's, or the value. */
export const PREDICTION_FEATURE = 'prediction';

export interface MonitoringReference {
  readonly task: TaskKind;
  readonly classes: string[];
  readonly calibration: ModelCalibration;
  /** Where the prediction reference comes from: the validation split, or the test split for a refit model. */
  readonly predictionSource: 'validation' | 'test';
  readonly predictions: DatasetProfile;
  readonly predictionNull: DriftNull;
  /** Each feature's share of influence at validation (influence-drift.ts); absent when unmeasurable then. */
  readonly influence?: TrainingInfluence;
}

/**
 * The prediction each row contributes to prediction drift, from scores laid out as evaluation lays them out: the
 * positive class's probability (binary), the top class's (multiclass), the value (regression, `classes` 0).
 */
export function predictionValues(scores: ArrayLike<number>, classes: number, rows: number): number[] {
  if (classes === 0) return Array.from({ length: rows }, (_, r) => scores[r] as number);
  if (classes === 2) return Array.from({ length: rows }, (_, r) => scores[r * 2 + 1] as number);
  return Array.from({ length: rows }, (_, r) => {
    let top = 0;
    for (let k = 0; k < classes; k++) top = Math.max(top, scores[r * classes + k] as number);
    return top;
  });
}

/** A one-feature profile of predictions; `keys` identify the rows (their bottom-k sample is by hash of the key). */
export function predictionProfile(values: readonly number[], keys: readonly string[]): DatasetProfile {
  const hashes = keys.map((key) => hash32(key, 0x5eed));
  return {
    rows: values.length,
    features: {
      [PREDICTION_FEATURE]: profileColumn({ name: PREDICTION_FEATURE, type: 'numeric', values: [...values] }, hashes),
    },
  };
}

export const REGRESSION_NOT_ESTIMABLE =
  'regression: an error estimate without labels needs a second model of the expected error (NannyML’s DLE), which is not trained; realized error from feedback only';

/**
 * Builds a version's monitoring reference: calibration fitted on `calibrationRows` (the validation split, or the
 * chosen trial's out-of-fold predictions after a refit), predictions profiled on `predictionRows` (keyed by
 * `predictionKeys`).
 */
export function monitoringReference(
  task: TaskKind,
  calibrationRows: ScoredSplit,
  predictionRows: ScoredSplit,
  predictionKeys: readonly string[],
  predictionSource: MonitoringReference['predictionSource'],
  seed: number,
): MonitoringReference {
  const calibration: ModelCalibration =
    task === 'regression'
      ? { estimable: false, reason: REGRESSION_NOT_ESTIMABLE, rows: calibrationRows.truth.length }
      : fitModelCalibration(calibrationRows);
  const predictions = predictionProfile(
    predictionValues(predictionRows.scores, predictionRows.classes.length, predictionRows.truth.length),
    predictionKeys,
  );
  return {
    task,
    classes: [...predictionRows.classes],
    calibration,
    predictionSource,
    predictions,
    predictionNull: bootstrapDriftNull(predictions, seed),
  };
}

const calibratorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('platt'), a: z.number(), b: z.number() }),
  z.object({ kind: z.literal('isotonic'), scores: z.array(z.number()), probabilities: z.array(z.number()) }),
]);

export const modelCalibrationSchema = z.discriminatedUnion('estimable', [
  z.object({
    estimable: z.literal(true),
    method: z.enum(['platt', 'isotonic']),
    calibrators: z.array(calibratorSchema).min(1),
    rows: z.number().int(),
    crossFittedEce: z.number(),
    noiseEce: z.number(),
  }),
  z.object({ estimable: z.literal(false), reason: z.string(), rows: z.number().int() }),
]);

export const driftNullSchema = z.object({
  draws: z.number().int(),
  seed: z.number().int(),
  quantile: z.number(),
  numeric: z.record(
    z.string(),
    z.object({ referenceValues: z.number().int(), sizes: z.array(z.number()), tieFactors: z.array(z.number()) }),
  ),
});

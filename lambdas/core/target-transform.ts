import { DataValidationError } from './errors.js';
import { fitStandardization } from './standardization.js';

/**
 * How a regression target is modelled: `standardize` (the training split's mean and spread), `log1p` (standardized
 * log(1 + y): a positive, right-skewed target, as scikit-learn's TransformedTargetRegressor with log1p/expm1), or
 * `none` (the raw value). Predictions, metrics and everything downstream are always on the original scale.
 */
export const TARGET_TRANSFORMS = ['standardize', 'log1p', 'none'] as const;
export type TargetTransform = (typeof TARGET_TRANSFORMS)[number];

/** `auto` in the model file: log1p for a target that is never negative and whose sample skewness is above this. */
const AUTO_LOG1P_SKEWNESS = 1;

export interface TargetEncoder {
  readonly task: 'regression';
  readonly transform: TargetTransform;
  /** Mean and spread of the transformed training target (0 and 1 for `none`). */
  readonly mean: number;
  readonly std: number;
}

/** Sample skewness, the Fisher–Pearson coefficient m3 / m2^1.5 (SciPy's `skew` with its default bias=True). */
export function skewness(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let mean = 0;
  for (const v of values) mean += v / n;
  let m2 = 0;
  let m3 = 0;
  for (const v of values) {
    const d = v - mean;
    m2 += (d * d) / n;
    m3 += (d * d * d) / n;
  }
  return m2 === 0 ? 0 : m3 / m2 ** 1.5;
}

/** The transform `auto` chooses for a training target (recorded with the preprocessor and on the card). */
export function chooseTransform(values: readonly number[]): TargetTransform {
  let min = Number.POSITIVE_INFINITY;
  for (const v of values) if (v < min) min = v;
  return min >= 0 && skewness(values) > AUTO_LOG1P_SKEWNESS ? 'log1p' : 'standardize';
}

const forward = (transform: TargetTransform, v: number): number => (transform === 'log1p' ? Math.log1p(v) : v);

/**
 * Fits the target encoder on the training split's labels; `origins` name their rows (file and line) for an error.
 */
export function fitTargetEncoder(
  values: readonly number[],
  requested: TargetTransform | 'auto',
  origins: readonly string[] = [],
): TargetEncoder {
  const transform = requested === 'auto' ? chooseTransform(values) : requested;
  if (transform === 'none') return { task: 'regression', transform, mean: 0, std: 1 };
  if (transform === 'log1p') {
    const row = values.findIndex((v) => !(v > -1));
    if (row >= 0)
      throw new DataValidationError(
        `targetTransform "log1p" needs every label above −1, and the label at ${origins[row] ?? `training row ${row + 1}`} is ${values[row]}: ` +
          'use "standardize" (or "auto"), or fix the label',
      );
  }
  return { task: 'regression', transform, ...fitStandardization(values.map((v) => forward(transform, v))) };
}

/** A label as the network's target. */
export function encodeTarget(encoder: TargetEncoder, value: number): number {
  return (forward(encoder.transform, value) - encoder.mean) / encoder.std;
}

/** A network output back on the label's scale. */
export function decodeTarget(encoder: TargetEncoder, output: number): number {
  const transformed = output * encoder.std + encoder.mean;
  return encoder.transform === 'log1p' ? Math.expm1(transformed) : transformed;
}

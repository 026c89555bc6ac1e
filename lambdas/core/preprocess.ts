import { DataValidationError } from './errors.js';
import type { Frame, Labels } from './dataset.js';
import { fitStandardization } from './standardization.js';
import { encodeTarget, fitTargetEncoder, type TargetEncoder } from './target-transform.js';
import type { ModelConfig } from './model-config.js';

/** Token used for a missing categorical value that was seen in training, so "missing" can carry signal. */
export const MISSING_CATEGORY = '(missing)';

export interface NumericEncoder {
  readonly name: string;
  readonly type: 'numeric';
  readonly median: number;
  readonly mean: number;
  readonly std: number;
}

export interface CategoricalEncoder {
  readonly name: string;
  readonly type: 'categorical';
  /** One-hot slots in order; one more slot after them takes every unknown value. */
  readonly categories: string[];
}

export type FeatureEncoder = NumericEncoder | CategoricalEncoder;

export type LabelEncoder =
  | { readonly task: 'binary'; readonly classes: [string, string] }
  | { readonly task: 'multiclass'; readonly classes: string[] }
  | TargetEncoder;

/** Everything needed to turn raw inputs into the network's input vector, fitted on the training split only. */
export interface Preprocessor {
  readonly features: FeatureEncoder[];
  readonly label: LabelEncoder;
  /** Width of the encoded input vector. */
  readonly width: number;
}

export type InputValue = string | number | null;

export function encoderWidth(encoder: FeatureEncoder): number {
  return encoder.type === 'numeric' ? 1 : encoder.categories.length + 1;
}

/** Fits the encoders on the training split (never on validation or test data, so nothing leaks). */
export function fitPreprocessor(train: Frame, config: ModelConfig): Preprocessor {
  const features: FeatureEncoder[] = train.features.map((column) => {
    if (column.type === 'numeric') {
      const present = column.values.filter((v) => !Number.isNaN(v));
      const median = present.length > 0 ? medianOf(present) : 0;
      const imputed = column.values.map((v) => (Number.isNaN(v) ? median : v));
      return { name: column.name, type: 'numeric', median, ...fitStandardization(imputed) };
    }
    const counts = new Map<string, number>();
    for (const value of column.values) {
      const key = value ?? MISSING_CATEGORY;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const categories = [...counts.entries()]
      .filter(([, count]) => count >= config.minCategoryCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, config.maxCategories)
      .map(([category]) => category);
    return { name: column.name, type: 'categorical', categories };
  });
  const width = features.reduce((sum, encoder) => sum + encoderWidth(encoder), 0);
  return { features, label: fitLabelEncoder(train, config), width };
}

function fitLabelEncoder(train: Frame, config: ModelConfig): LabelEncoder {
  const labels = train.labels;
  if (config.task === 'regression') {
    if (labels.kind !== 'numbers') throw new Error('regression needs numeric labels');
    return fitTargetEncoder(labels.values, config.targetTransform, train.origins);
  }
  if (labels.kind !== 'classes') throw new Error('classification needs class labels');
  const counts = new Map<string, number>();
  for (const value of labels.values) counts.set(value, (counts.get(value) ?? 0) + 1);
  const classes = [...counts.keys()].sort();
  if (config.task === 'binary') {
    if (classes.length !== 2) {
      throw new DataValidationError(
        `a binary model needs exactly 2 values of "${config.label}" in the training split, found ${classes.length}: ${classes.slice(0, 10).join(', ')}`,
      );
    }
    const positive =
      config.positiveClass ?? [...counts.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? 1 : -1))[0]?.[0];
    if (positive === undefined || !classes.includes(positive)) {
      throw new DataValidationError(
        `positiveClass "${String(positive)}" in models/${config.name}.json is not a value of "${config.label}" (found ${classes.join(', ')})`,
      );
    }
    const negative = classes.find((c) => c !== positive) as string;
    return { task: 'binary', classes: [negative, positive] };
  }
  if (classes.length < 2) {
    throw new DataValidationError(
      `a multiclass model needs at least 2 values of "${config.label}", found ${classes.length}`,
    );
  }
  return { task: 'multiclass', classes };
}

function medianOf(values: number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const slotIndexes = new WeakMap<CategoricalEncoder, Map<string, number>>();

/** Category → one-hot slot, built once per encoder (a linear search per value is measurable in serving). */
function slotsOf(encoder: CategoricalEncoder): Map<string, number> {
  let slots = slotIndexes.get(encoder);
  if (slots === undefined) {
    slots = new Map(encoder.categories.map((category, i) => [category, i]));
    slotIndexes.set(encoder, slots);
  }
  return slots;
}

/** The categories that have a one-hot slot of their own (were learned in training): the encoder's cached slots. */
export function knownCategories(encoder: CategoricalEncoder): ReadonlyMap<string, number> {
  return slotsOf(encoder);
}

/**
 * Writes one feature of every row into the row-major matrix `out`; the single place where raw values become numbers,
 * used for training frames and request instances alike. Column by column, so per-feature lookups happen once.
 */
function encodeColumn(
  encoder: FeatureEncoder,
  rows: number,
  valueAt: (row: number) => InputValue | undefined,
  out: Float32Array,
  width: number,
  offset: number,
): void {
  if (encoder.type === 'numeric') {
    const { median, mean, std } = encoder;
    for (let r = 0; r < rows; r++) {
      const value = valueAt(r);
      const x = typeof value === 'number' && !Number.isNaN(value) ? value : median;
      out[r * width + offset] = (x - mean) / std;
    }
    return;
  }
  const slots = slotsOf(encoder);
  const unknown = encoder.categories.length;
  for (let r = 0; r < rows; r++) {
    const value = valueAt(r);
    const slot = slots.get(value === null || value === undefined ? MISSING_CATEGORY : String(value));
    out[r * width + offset + (slot ?? unknown)] = 1;
  }
}

/**
 * Encodes a typed frame (training, validation, test) into a row-major matrix. Columns are found by name, so a model
 * can score data with extra columns; a column the model needs but the frame lacks counts as missing everywhere.
 */
export function encodeFrame(pre: Preprocessor, frame: Frame): Float32Array {
  const rows = frame.origins.length;
  const out = new Float32Array(rows * pre.width);
  const byName = new Map(frame.features.map((c) => [c.name, c]));
  let offset = 0;
  for (const encoder of pre.features) {
    const column = byName.get(encoder.name);
    const values: readonly InputValue[] = column === undefined ? [] : column.values;
    encodeColumn(encoder, rows, (r) => values[r] ?? null, out, pre.width, offset);
    offset += encoderWidth(encoder);
  }
  return out;
}

/** Features the model needs that the frame does not have (scored as missing). */
export function missingFeatures(pre: Preprocessor, frame: Frame): string[] {
  const present = new Set(frame.features.map((c) => c.name));
  return pre.features.filter((e) => !present.has(e.name)).map((e) => e.name);
}

/** Encodes request instances (objects keyed by feature name) with the same per-value logic as training. */
export function encodeInstances(
  pre: Preprocessor,
  instances: readonly Readonly<Record<string, InputValue>>[],
): Float32Array {
  const out = new Float32Array(instances.length * pre.width);
  let offset = 0;
  for (const encoder of pre.features) {
    const name = encoder.name;
    encodeColumn(
      encoder,
      instances.length,
      (r) => (instances[r] as Readonly<Record<string, InputValue>>)[name],
      out,
      pre.width,
      offset,
    );
    offset += encoderWidth(encoder);
  }
  return out;
}

/**
 * Rows a model can be scored on: every row for regression; for classifiers, the rows whose class occurred in the
 * training split (encodeLabels marks the others -1). Never decided from the encoded value alone: a standardized
 * regression target is negative for every row below the training mean.
 */
export function scorableRows(pre: Preprocessor, labels: Labels): number[] {
  const rows: number[] = [];
  if (pre.label.task === 'regression') {
    for (let r = 0; r < labels.values.length; r++) rows.push(r);
    return rows;
  }
  const known = new Set(pre.label.classes);
  labels.values.forEach((value, r) => {
    if (known.has(String(value))) rows.push(r);
  });
  return rows;
}

/** Encodes labels as network targets: 0/1 for binary, class index for multiclass, the target transform for regression. */
export function encodeLabels(pre: Preprocessor, labels: Labels): Float32Array {
  const encoder = pre.label;
  if (encoder.task === 'regression') {
    if (labels.kind !== 'numbers') throw new Error('regression needs numeric labels');
    return Float32Array.from(labels.values, (v) => encodeTarget(encoder, v));
  }
  if (labels.kind !== 'classes') throw new Error('classification needs class labels');
  // Classes not seen in training cannot be scored; mapping them to -1 lets metrics count them as errors.
  return Float32Array.from(labels.values, (v) => encoder.classes.indexOf(v));
}

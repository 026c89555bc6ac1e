import type { ColumnType } from './dataset.js';
import type { RawValue } from './table.js';

/**
 * How a CSV column is typed: what counts as a number in a field, whether a column is numeric, and which numbers the
 * network can hold (float32).
 */

const NUMBER_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** A column is inferred numeric when at least this share of its present values are numbers. */
const NUMERIC_INFERENCE_SHARE = 0.9;
/** The largest float32: the network computes in float32, so a larger magnitude becomes Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** The number a CSV field holds, or NaN when it is not a plain decimal number. */
export function parseNumber(text: string): number {
  return NUMBER_PATTERN.test(text) ? Number(text) : Number.NaN;
}

/** True for numbers the network can compute with: finite, and finite once stored as float32. */
export function isFloat32Finite(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= FLOAT32_MAX;
}

/** Numeric when at least 90% of the present values are numbers (the rest are then counted as bad values). */
export function inferColumnType(values: readonly RawValue[]): ColumnType {
  let present = 0;
  let numeric = 0;
  for (const value of values) {
    if (value === null) continue;
    present += 1;
    if (Number.isFinite(parseNumber(value))) numeric += 1;
  }
  if (present === 0) return 'numeric';
  return numeric / present >= NUMERIC_INFERENCE_SHARE ? 'numeric' : 'categorical';
}

import { hash32 } from './random.js';
import type { RawValue } from './table.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

export interface SplitRatios {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
  readonly seed: number;
}

/**
 * Assigns a row to a split from a hash of its content, so the assignment does not depend on row order or on the
 * other rows: appending data never moves an old row between splits, and identical rows always land together
 * (no leakage of duplicates from train into test).
 */
export function splitOfRow(row: readonly RawValue[], ratios: SplitRatios): SplitName {
  const key = row.map((value) => (value === null ? '\u0000' : value)).join('\u001f');
  const u = hash32(key, ratios.seed) / 4294967296;
  if (u < ratios.train) return 'train';
  if (u < ratios.train + ratios.validation) return 'validation';
  return 'test';
}

import type { SplitName } from './split.js';

export type ColumnType = 'numeric' | 'categorical';

export interface NumericColumn {
  readonly name: string;
  readonly type: 'numeric';
  /** NaN marks a missing value. */
  readonly values: number[];
}

export interface CategoricalColumn {
  readonly name: string;
  readonly type: 'categorical';
  readonly values: (string | null)[];
}

export type TypedColumn = NumericColumn | CategoricalColumn;

/** Labels: class names for classifiers, numbers for regression. */
export type Labels =
  { readonly kind: 'classes'; readonly values: string[] } | { readonly kind: 'numbers'; readonly values: number[] };

/** One split of the cleaned data: model inputs, sensitive attributes and labels, row-aligned. */
export interface Frame {
  readonly features: TypedColumn[];
  readonly sensitive: CategoricalColumn[];
  readonly labels: Labels;
  /** "source:line" of each row. */
  readonly origins: string[];
}

export type SplitFrames = Record<SplitName, Frame>;

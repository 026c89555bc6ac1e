import type { Frame } from './dataset.js';
import { TrainingError } from './errors.js';
import { frameRows, joinFrames, rowContentKeys } from './frame-rows.js';
import { hash32 } from './random.js';

/**
 * k-fold cross-validation for choosing among the search's trials on small data (scikit-learn's `GridSearchCV` with
 * `refit`, AutoGluon's and FLAML's k-fold below a size): with a few hundred rows, one validation split of 15% is
 * too few rows to tell trials apart, so every trial is trained k times, each time scored on the fold it did not see,
 * and the chosen one is trained again on all the training and validation rows. The test split is never touched.
 */

export const CROSS_VALIDATION_MODES = ['auto', 'always', 'never'] as const;
export type CrossValidationMode = (typeof CROSS_VALIDATION_MODES)[number];

/** `auto` cross-validates when the training and validation splits together hold fewer rows than this. */
export const CROSS_VALIDATION_BELOW_ROWS = 2000;
/** k: five folds, scikit-learn's default; each trial trains on 80% of the rows and is scored on the other 20%. */
export const FOLD_COUNT = 5;

export interface FoldPlan {
  readonly folds: number;
  /** The seed of the rows' assignment to folds (the model file's split seed). */
  readonly seed: number;
}

/** Whether the run selects by cross-validation, and with which folds. */
export function crossValidationPlan(
  mode: CrossValidationMode,
  trainAndValidationRows: number,
  seed: number,
): FoldPlan | null {
  const cross = mode === 'always' || (mode === 'auto' && trainAndValidationRows < CROSS_VALIDATION_BELOW_ROWS);
  return cross ? { folds: FOLD_COUNT, seed } : null;
}

/**
 * Which rows a training learns from:
 * - `holdout`: the training split, early-stopped on the validation split;
 * - `fold`: the training and validation splits but fold `fold`, early-stopped on that fold (which it is scored on);
 * - `refit`: the training and validation splits together, for the epochs the folds chose, with no early stopping.
 */
export type TrainingRows =
  | { readonly kind: 'holdout' }
  | { readonly kind: 'fold'; readonly fold: number; readonly folds: number; readonly seed: number }
  | { readonly kind: 'refit' };

export const HOLDOUT: TrainingRows = { kind: 'holdout' };
export const REFIT: TrainingRows = { kind: 'refit' };

/**
 * The fold of each row, from a hash of its content and the seed: the same for every trial, independent of the order
 * of the rows, and identical rows always in the same fold (a duplicate never sits on both sides of a fold).
 */
export function foldAssignment(frame: Frame, plan: FoldPlan): Uint8Array {
  return Uint8Array.from(rowContentKeys(frame), (key) =>
    Math.floor((hash32(`fold\u001f${key}`, plan.seed) / 4294967296) * plan.folds),
  );
}

export interface TrainingFrames {
  readonly train: Frame;
  /** The rows early stopping watches and the trial is scored on (none for a refit). */
  readonly validation: Frame;
  /** For a fold: the positions of the validation rows among the training and validation splits joined. */
  readonly heldOut: readonly number[] | null;
}

/** The frames a training learns from and is scored on. */
export function trainingFrames(
  splits: { readonly train: Frame; readonly validation: Frame },
  rows: TrainingRows,
): TrainingFrames {
  if (rows.kind === 'holdout') return { train: splits.train, validation: splits.validation, heldOut: null };
  const all = joinFrames(splits.train, splits.validation);
  if (rows.kind === 'refit') return { train: all, validation: frameRows(all, []), heldOut: null };
  const assignment = foldAssignment(all, rows);
  const inside: number[] = [];
  const outside: number[] = [];
  assignment.forEach((fold, r) => (fold === rows.fold ? outside : inside).push(r));
  if (outside.length === 0 || inside.length === 0) {
    throw new TrainingError(
      `fold ${rows.fold + 1} of ${rows.folds} is ${outside.length === 0 ? 'empty' : 'everything'}: only ${all.origins.length} training and validation rows, too few to cross-validate; set "tuning": {"crossValidation": "never"}`,
    );
  }
  return { train: frameRows(all, inside), validation: frameRows(all, outside), heldOut: outside };
}

/** The epochs a refit trains: the mean of the folds' best epochs, rounded (at least one). */
export function refitEpochs(bestEpochs: readonly number[]): number {
  if (bestEpochs.length === 0) return 1;
  return Math.max(1, Math.round(bestEpochs.reduce((a, b) => a + b, 0) / bestEpochs.length));
}

/** How a record names the rows a training learned from (absent in records from a holdout training). */
export function describeTrainingRows(rows: TrainingRows): string {
  if (rows.kind === 'holdout') return 'the training split, early-stopped on the validation split';
  if (rows.kind === 'refit') return 'the training and validation splits together, for the epochs the folds chose';
  return `the training and validation splits but fold ${rows.fold + 1} of ${rows.folds}, early-stopped on it`;
}

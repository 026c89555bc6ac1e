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
  /** The rows early stopping watches (none for a refit). */
  readonly validation: Frame;
  /** The rows the trained model is scored on: the validation split, or the fold held out (none for a refit). */
  readonly scored: Frame;
  /** For a fold: the positions of the scored rows among the training and validation splits joined. */
  readonly heldOut: readonly number[] | null;
}

/**
 * The frames a training learns from, stops on and is scored on. A fold training learns from three folds, early-stops
 * on the next fold and is scored on its own: a fold that chose its best epoch would flatter the trials that overfit
 * most (the more epochs to pick from, the luckier the pick), which is the bias cross-validation is here to remove.
 */
export function trainingFrames(
  splits: { readonly train: Frame; readonly validation: Frame },
  rows: TrainingRows,
): TrainingFrames {
  if (rows.kind === 'holdout')
    return { train: splits.train, validation: splits.validation, scored: splits.validation, heldOut: null };
  const all = joinFrames(splits.train, splits.validation);
  if (rows.kind === 'refit') {
    const none = frameRows(all, []);
    return { train: all, validation: none, scored: none, heldOut: null };
  }
  const stopping = (rows.fold + 1) % rows.folds;
  const parts: { train: number[]; stop: number[]; scored: number[] } = { train: [], stop: [], scored: [] };
  foldAssignment(all, rows).forEach((fold, r) =>
    (fold === rows.fold ? parts.scored : fold === stopping ? parts.stop : parts.train).push(r),
  );
  const empty = Object.entries(parts).find(([, list]) => list.length === 0);
  if (empty !== undefined) {
    throw new TrainingError(
      `fold ${rows.fold + 1} of ${rows.folds} leaves no rows to ${empty[0] === 'train' ? 'train on' : empty[0] === 'stop' ? 'stop early on' : 'score'}: only ${all.origins.length} training and validation rows, too few to cross-validate; set "tuning": {"crossValidation": "never"}`,
    );
  }
  return {
    train: frameRows(all, parts.train),
    validation: frameRows(all, parts.stop),
    scored: frameRows(all, parts.scored),
    heldOut: parts.scored,
  };
}

/** The epochs a refit trains: the mean of the folds' best epochs, rounded (at least one). */
export function refitEpochs(bestEpochs: readonly number[]): number {
  if (bestEpochs.length === 0) return 1;
  return Math.max(1, Math.round(bestEpochs.reduce((a, b) => a + b, 0) / bestEpochs.length));
}

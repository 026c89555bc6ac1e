import * as z from 'zod';
import { IntegrityError } from './errors.js';
import type { ScoredSplit } from './evaluation.js';
import { metricsOf } from './evaluation.js';
import { rowLosses } from './fit.js';
import { storableMetrics } from './metrics.js';
import type { TaskKind } from './model-config.js';
import { chooseTrial, type Competitor, type SelectionRule } from './tuning.js';

/**
 * Out-of-fold predictions (scikit-learn's `cross_val_predict`): each row of the training and validation splits scored
 * by the one fold training that did not see it. Every trial's folds cover the same rows, so their per-row losses are
 * paired, and the selection rule runs on all of those rows instead of a 15% validation split.
 */

/** One fold's predictions for the rows it held out, by position among the training and validation rows joined. */
export const outOfFoldScoresSchema = z.object({
  positions: z.array(z.number().int().min(0)),
  truth: z.array(z.number()),
  /** Class probabilities row-major, or predicted values for regression. */
  scores: z.array(z.number()),
  classes: z.array(z.string()),
});
export type OutOfFoldScores = z.infer<typeof outOfFoldScoresSchema>;

/** A fold's scored validation rows, by their positions among the joined rows (`heldOut[r]` is row r's). */
export function outOfFoldScores(scored: ScoredSplit, heldOut: readonly number[]): OutOfFoldScores {
  return {
    positions: scored.rows.map((r) => heldOut[r] as number),
    truth: Array.from(scored.truth),
    scores: Array.from(scored.scores),
    classes: [...scored.classes],
  };
}

/** The folds of one trial as one scored split over every row they held out, in order of position. */
export function combineFolds(folds: readonly OutOfFoldScores[]): ScoredSplit {
  const classes = folds[0]?.classes ?? [];
  const width = classes.length === 0 ? 1 : classes.length;
  const entries = folds.flatMap((fold) => {
    if (fold.classes.join('\u001f') !== classes.join('\u001f'))
      throw new IntegrityError('the folds of a trial do not predict the same classes');
    return fold.positions.map((position, i) => ({ position, fold, i }));
  });
  entries.sort((a, b) => a.position - b.position);
  const scores = new Float32Array(entries.length * width);
  entries.forEach(({ fold, i }, k) => scores.set(fold.scores.slice(i * width, (i + 1) * width), k * width));
  return {
    rows: entries.map((e) => e.position),
    truth: Float32Array.from(entries, ({ fold, i }) => fold.truth[i] as number),
    scores,
    classes,
  };
}

export interface FoldedTrial {
  readonly id: string;
  readonly parameters: number;
  readonly competes: boolean;
  /** The trial's folds, in fold order. */
  readonly folds: readonly OutOfFoldScores[];
}

export interface CrossValidation {
  readonly id: string;
  /** Mean loss of each fold on the rows it held out. */
  readonly foldLosses: number[];
  /** Mean loss over every row, out of fold. */
  readonly loss: number;
  readonly metrics: Record<string, number | null>;
}

const mean = (values: ArrayLike<number>): number => {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i] as number;
  return values.length === 0 ? Number.NaN : total / values.length;
};

/**
 * The standard error of the difference between two trials' cross-validated losses, from their paired fold losses,
 * corrected for the rows the folds' trainings share (Nadeau and Bengio's corrected resampled t-test, 2003): the k
 * fold differences are not independent — any two trainings share most of their rows — so their spread over k
 * understates the uncertainty, and the per-row standard error understates it more, since it ignores how much the
 * model itself changes with its training rows (Bengio and Grandvalet, 2004). The variance of the mean difference is
 * (1/k + scored/trained)·s², s² the sample variance of the fold differences; a fold training here learns from k − 2
 * folds and is scored on one, so scored/trained = 1/(k − 2).
 */
export function foldDifference(a: readonly number[], b: readonly number[]): { mean: number; standardError: number } {
  const k = Math.min(a.length, b.length);
  const d = Array.from({ length: k }, (_, j) => (a[j] as number) - (b[j] as number));
  const mean = k === 0 ? Number.NaN : d.reduce((t, v) => t + v, 0) / k;
  if (k < 3) return { mean, standardError: Number.POSITIVE_INFINITY };
  const variance = d.reduce((t, v) => t + (v - mean) ** 2, 0) / (k - 1);
  return { mean, standardError: Math.sqrt((1 / k + 1 / (k - 2)) * variance) };
}

/**
 * Scores every trial out of fold and picks one by the model file's rule: ranked by the out-of-fold loss over every
 * row (the same rows, in the same order, for every trial: checked), one standard error taken from the paired fold
 * losses (foldDifference). Returns each trial's fold losses and out-of-fold metrics, and the chosen trial's id
 * (undefined when no competing trial has a finite loss).
 */
export function crossValidatedChoice(
  task: TaskKind,
  trials: readonly FoldedTrial[],
  rule: SelectionRule,
): { readonly results: CrossValidation[]; readonly chosen: string | undefined } {
  const competitors: (Competitor & { competes: boolean; foldLosses: number[] })[] = [];
  let rowsOf: number[] | undefined;
  const results = trials.map((trial) => {
    const combined = combineFolds(trial.folds);
    rowsOf ??= combined.rows;
    if (combined.rows.length !== rowsOf.length || combined.rows.some((r, i) => r !== rowsOf?.[i]))
      throw new IntegrityError(`trial ${trial.id}'s folds did not score the same rows as the other trials'`);
    const losses = rowLosses(task, combined.scores, combined.truth, combined.classes.length, true);
    const foldLosses = trial.folds.map((fold) =>
      mean(rowLosses(task, fold.scores, fold.truth, fold.classes.length, true)),
    );
    const { id, parameters, competes } = trial;
    competitors.push({ id, parameters, rowLosses: losses, competes, foldLosses });
    return { id: trial.id, foldLosses, loss: mean(losses), metrics: storableMetrics(metricsOf(combined)) };
  });
  const chosen = chooseTrial(
    competitors.filter((c) => c.competes),
    rule,
    (trial, best) => foldDifference(trial.foldLosses, best.foldLosses),
  );
  return { results, chosen: chosen?.id };
}

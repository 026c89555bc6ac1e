import {
  baselineHyperparameters,
  resolveHyperparameters,
  type DeclaredHyperparameters,
  type Hyperparameters,
  type TrainingShape,
} from './hyperparameters.js';
import type { FoldPlan } from './cross-validation.js';
import { seededRandom } from './random.js';

/** Hyper-parameters a search may vary. Epochs, patience and seed are not searched: early stopping decides the first. */
export const TUNABLE = ['hiddenUnits', 'learningRate', 'l2', 'batchSize'] as const;

export interface SearchSpace {
  readonly hiddenUnits?: readonly (readonly number[])[];
  readonly learningRate?: readonly number[];
  readonly l2?: readonly number[];
  readonly batchSize?: readonly number[];
}

export interface TuningBudget {
  /** Candidates trained, the data-fitted default among them; 1 turns tuning off. */
  readonly candidates: number;
  /** Trainings at the same time (Step Functions Map concurrency): candidates, or candidates × folds. */
  readonly concurrency: number;
  /** Wall time of the whole search; each training gets its share per wave of `concurrency`. */
  readonly maxMinutes: number;
  /** Values to try per hyper-parameter; hyper-parameters the model file sets are never searched. */
  readonly space: SearchSpace;
}

export type TrialRole = 'candidate' | 'baseline';

/** One training the Tune stage runs: a candidate of the search, or the linear baseline. */
export interface TrialPlan {
  readonly id: string;
  readonly role: TrialRole;
  readonly hyperparameters: Hyperparameters;
  /** Training stops after the epoch that would pass this (and records the epochs it ran, to stay reproducible). */
  readonly maxSeconds: number;
  /**
   * Whether the trial may be chosen: every candidate; the linear baseline when the model file leaves the architecture
   * open (a file that fixes `hiddenUnits` gets that network, and the baseline only as the yardstick).
   */
  readonly competes: boolean;
}

/** One Train invocation of the Tune stage's Map: a trial on the holdout splits, or on one fold of a cross-validation. */
export interface TrainingItem {
  readonly trial: string;
  /** The fold held out (0-based), or null for the holdout splits. */
  readonly fold: number | null;
}

export interface TuningPlan {
  readonly trials: TrialPlan[];
  /** The Map's items: each trial once, or once per fold when the run cross-validates. */
  readonly trainings: TrainingItem[];
  /** The folds, when the trials are chosen by cross-validation (then the chosen one is refit). */
  readonly crossValidation: FoldPlan | null;
  /** Trainings at the same time. */
  readonly concurrency: number;
  /** The values searched per hyper-parameter (empty when the model file fixes them all). */
  readonly space: SearchSpace;
}

/** The default values searched, by size of the training split (the data-fitted default is always tried first). */
export function defaultSearchSpace(trainingRows: number): Required<Omit<SearchSpace, 'batchSize'>> {
  // No linear option: the linear baseline competes whenever the architecture is searched.
  const hiddenUnits =
    trainingRows < 1000
      ? [[16], [32], [64]]
      : trainingRows < 10_000
        ? [[32], [64], [64, 32]]
        : [[64], [64, 32], [128, 64]];
  return { hiddenUnits, learningRate: [0.001, 0.003, 0.01], l2: [0, 1e-4, 1e-3, 1e-2] };
}

/** The dimensions searched: declared ones as given, the rest from the default space unless the model file fixes them. */
export function effectiveSpace(
  declared: DeclaredHyperparameters,
  budget: TuningBudget,
  trainingRows: number,
): SearchSpace {
  const defaults: SearchSpace = defaultSearchSpace(trainingRows);
  const space: Record<string, unknown> = {};
  for (const name of TUNABLE) {
    const values = budget.space[name] ?? defaults[name];
    if (declared[name] === undefined && values !== undefined && values.length > 0) space[name] = values;
  }
  return space as SearchSpace;
}

const keyOf = (hp: Hyperparameters): string => JSON.stringify([hp.hiddenUnits, hp.learningRate, hp.l2, hp.batchSize]);

/** The data-fitted default, then distinct seeded draws from the space, up to `wanted` candidates. */
function drawCandidates(defaults: Hyperparameters, space: SearchSpace, wanted: number): Hyperparameters[] {
  const random = seededRandom(defaults.seed + 1);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const candidates: Hyperparameters[] = [defaults];
  const seen = new Set([keyOf(defaults)]);
  const combinations = TUNABLE.reduce((n, name) => n * (space[name]?.length ?? 1), 1);
  const count = Math.min(wanted, combinations + 1); // the default may lie outside the space
  for (let attempt = 0; candidates.length < count && attempt < 100 * wanted; attempt++) {
    const drawn: Hyperparameters = {
      ...defaults,
      ...(space.hiddenUnits ? { hiddenUnits: [...pick(space.hiddenUnits)] } : {}),
      ...(space.learningRate ? { learningRate: pick(space.learningRate) } : {}),
      ...(space.l2 ? { l2: pick(space.l2) } : {}),
      ...(space.batchSize ? { batchSize: pick(space.batchSize) } : {}),
    };
    if (seen.has(keyOf(drawn))) continue;
    seen.add(keyOf(drawn));
    candidates.push(drawn);
  }
  return candidates;
}

/**
 * A seeded random search (the sampler of Optuna's RandomSampler or Katib's "random"): the data-fitted default first,
 * then distinct draws from the space, and the linear baseline. The same model file and data shape give the same plan.
 */
export function planTuning(
  declared: DeclaredHyperparameters,
  budget: TuningBudget,
  shape: TrainingShape,
  crossValidation: FoldPlan | null = null,
): TuningPlan {
  const defaults = resolveHyperparameters(declared, shape);
  const space = effectiveSpace(declared, budget, shape.trainingRows);
  const candidates = drawCandidates(defaults, space, budget.candidates);
  const ids = [...candidates.map((_, i) => `c${i + 1}`), 'baseline'];
  const folds = crossValidation === null ? [null] : Array.from({ length: crossValidation.folds }, (_, k) => k);
  const trainings = ids.flatMap((trial) => folds.map((fold) => ({ trial, fold })));
  const concurrency = Math.max(1, Math.min(budget.concurrency, trainings.length));
  // The budget is shared by waves of `concurrency` trainings, and by the refit of a cross-validation (one more wave).
  const waves = Math.ceil(trainings.length / concurrency) + (crossValidation === null ? 0 : 1);
  const maxSeconds = Math.max(1, Math.floor((budget.maxMinutes * 60) / waves));
  return {
    trainings,
    crossValidation,
    trials: [
      ...candidates.map((hyperparameters, i) => ({
        id: `c${i + 1}`,
        role: 'candidate' as const,
        hyperparameters,
        maxSeconds,
        competes: true,
      })),
      {
        id: 'baseline',
        role: 'baseline',
        hyperparameters: baselineHyperparameters(defaults),
        maxSeconds,
        competes: declared.hiddenUnits === undefined,
      },
    ],
    concurrency,
    space,
  };
}

/** How the winner is picked from the trials that trained (the linear baseline among them). */
export const SELECTION_RULES = ['one_standard_error', 'lowest_loss'] as const;
export type SelectionRule = (typeof SELECTION_RULES)[number];

/** A trial in the competition: its complexity and its loss on each validation row (the same rows for every trial). */
export interface Competitor {
  readonly id: string;
  readonly parameters: number;
  readonly rowLosses: ArrayLike<number>;
}

const meanOf = (values: ArrayLike<number>): number => {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i] as number;
  return values.length === 0 ? Number.NaN : total / values.length;
};

/** Mean and standard error of the per-row difference a − b: paired, so what both models find hard cancels out. */
export function pairedDifference(a: ArrayLike<number>, b: ArrayLike<number>): { mean: number; standardError: number } {
  const n = Math.min(a.length, b.length);
  const d = Float64Array.from({ length: n }, (_, i) => (a[i] as number) - (b[i] as number));
  const mean = meanOf(d);
  let squares = 0;
  for (const v of d) squares += (v - mean) ** 2;
  return { mean, standardError: n > 1 ? Math.sqrt(squares / (n - 1) / n) : 0 };
}

/**
 * The trial to validate and register. `lowest_loss` takes the lowest mean validation loss. `one_standard_error` (the
 * default; Breiman's rule from CART, applied to paired differences) takes the simplest trial — fewest weights, then
 * the lowest loss — whose loss is within one standard error of the lowest: on a small validation split the lowest
 * loss is partly luck, and a simpler model that is not measurably worse generalizes as well. Earlier trials win ties.
 * `difference` gives the standard error of a trial's loss minus the best's: per validation row by default; the
 * cross-validated choice passes one computed from the folds (out-of-fold.ts).
 */
export function chooseTrial<T extends Competitor>(
  competitors: readonly T[],
  rule: SelectionRule = 'one_standard_error',
  difference: (trial: T, best: T) => { readonly standardError: number } = (trial, best) =>
    pairedDifference(trial.rowLosses, best.rowLosses),
): T | undefined {
  const scored = competitors.map((c) => ({ c, mean: meanOf(c.rowLosses) })).filter((s) => Number.isFinite(s.mean));
  if (scored.length === 0) return undefined;
  const best = scored.reduce((a, b) => (b.mean < a.mean ? b : a));
  if (rule === 'lowest_loss') return best.c;
  const eligible = scored.filter((s) => s === best || s.mean - best.mean <= difference(s.c, best.c).standardError);
  return eligible.reduce((a, b) =>
    b.c.parameters < a.c.parameters || (b.c.parameters === a.c.parameters && b.mean < a.mean) ? b : a,
  ).c;
}

import { baselineHyperparameters, resolveHyperparameters, type DeclaredHyperparameters, type Hyperparameters, type TrainingShape } from './hyperparameters.js';
import { seededRandom } from './random.js';

/** Hyper-parameters a search may vary. Epochs, patience and seed are not searched: early stopping decides the first. */
export const TUNABLE = ['hiddenUnits', 'learningRate', 'l2', 'batchSize'] as const;
export type Tunable = (typeof TUNABLE)[number];

export interface SearchSpace {
  readonly hiddenUnits?: readonly (readonly number[])[];
  readonly learningRate?: readonly number[];
  readonly l2?: readonly number[];
  readonly batchSize?: readonly number[];
}

export interface TuningBudget {
  /** Candidates trained, the data-fitted default among them; 1 turns tuning off. */
  readonly candidates: number;
  /** Candidates trained at the same time (Step Functions Map concurrency). */
  readonly concurrency: number;
  /** Wall time of the whole search; each candidate gets its share per wave of `concurrency`. */
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
}

export interface TuningPlan {
  readonly trials: TrialPlan[];
  readonly concurrency: number;
  /** The values searched per hyper-parameter (empty when the model file fixes them all). */
  readonly space: SearchSpace;
}

/** The default values searched, by size of the training split (the data-fitted default is always tried first). */
export function defaultSearchSpace(trainingRows: number): Required<Omit<SearchSpace, 'batchSize'>> {
  const hiddenUnits = trainingRows < 1000 ? [[], [16], [32], [64]] : trainingRows < 10_000 ? [[], [32], [64], [64, 32]] : [[], [64], [64, 32], [128, 64]];
  return { hiddenUnits, learningRate: [0.001, 0.003, 0.01], l2: [0, 1e-4, 1e-3, 1e-2] };
}

/** The dimensions searched: declared ones as given, the rest from the default space unless the model file fixes them. */
export function effectiveSpace(declared: DeclaredHyperparameters, budget: TuningBudget, trainingRows: number): SearchSpace {
  const defaults: SearchSpace = defaultSearchSpace(trainingRows);
  const space: Record<string, unknown> = {};
  for (const name of TUNABLE) {
    const values = budget.space[name] ?? defaults[name];
    if (declared[name] === undefined && values !== undefined && values.length > 0) space[name] = values;
  }
  return space as SearchSpace;
}

const keyOf = (hp: Hyperparameters): string => JSON.stringify([hp.hiddenUnits, hp.learningRate, hp.l2, hp.batchSize]);

/**
 * A seeded random search (the sampler of Optuna's RandomSampler or Katib's "random"): the data-fitted default first,
 * then distinct draws from the space, and the linear baseline. The same model file and data shape give the same plan.
 */
export function planTuning(declared: DeclaredHyperparameters, budget: TuningBudget, shape: TrainingShape): TuningPlan {
  const defaults = resolveHyperparameters(declared, shape);
  const space = effectiveSpace(declared, budget, shape.trainingRows);
  const random = seededRandom(defaults.seed + 1);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const candidates: Hyperparameters[] = [defaults];
  const seen = new Set([keyOf(defaults)]);
  const combinations = TUNABLE.reduce((n, name) => n * (space[name]?.length ?? 1), 1);
  const wanted = Math.min(budget.candidates, combinations);
  for (let attempt = 0; candidates.length < wanted && attempt < 100 * budget.candidates; attempt++) {
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
  const total = candidates.length + 1;
  const concurrency = Math.max(1, Math.min(budget.concurrency, total));
  const maxSeconds = Math.max(1, Math.floor((budget.maxMinutes * 60) / Math.ceil(total / concurrency)));
  return {
    trials: [
      ...candidates.map((hyperparameters, i) => ({ id: `c${i + 1}`, role: 'candidate' as const, hyperparameters, maxSeconds })),
      { id: 'baseline', role: 'baseline', hyperparameters: baselineHyperparameters(defaults), maxSeconds },
    ],
    concurrency,
    space,
  };
}

/** What one trial produced, as the Tune stage returns it. */
export interface TrialOutcome {
  readonly id: string;
  readonly role: TrialRole;
  /** As trained: `epochs` is the count run when the time budget cut training short. */
  readonly hyperparameters: Hyperparameters;
  readonly validationLoss: number;
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly stoppedBy: 'early_stopping' | 'max_epochs' | 'time_budget';
  readonly seconds: number;
}

/** The candidate with the lowest validation loss (the earlier one on a tie): the one validated and registered. */
export function chooseCandidate<T extends Pick<TrialOutcome, 'role' | 'validationLoss'>>(outcomes: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const outcome of outcomes) {
    if (outcome.role !== 'candidate' || !Number.isFinite(outcome.validationLoss)) continue;
    if (best === undefined || outcome.validationLoss < best.validationLoss) best = outcome;
  }
  return best;
}

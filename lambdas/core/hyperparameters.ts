import type { TaskKind } from './model-config.js';

/** How the learning rate changes during training. */
export const LEARNING_RATE_SCHEDULES = ['plateau', 'constant'] as const;
export type LearningRateSchedule = (typeof LEARNING_RATE_SCHEDULES)[number];

/** Every hyper-parameter of one training, resolved: what the network is trained with and what lineage records. */
export interface Hyperparameters {
  readonly hiddenUnits: number[];
  /** The most epochs; early stopping usually ends sooner. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly l2: number;
  /** Epochs without a better validation loss before training stops. */
  readonly earlyStoppingPatience: number;
  /** `plateau` halves the learning rate when the validation loss stalls; `constant` keeps it. */
  readonly learningRateSchedule: LearningRateSchedule;
  readonly seed: number;
}

/** Hyper-parameters as a model file declares them: any subset; the rest are chosen from the data. */
export type DeclaredHyperparameters = Partial<Hyperparameters>;

/** What the defaults are fitted to: the training split as ETL prepared it. */
export interface TrainingShape {
  readonly trainingRows: number;
  readonly task: TaskKind;
}

export const DEFAULT_SEED = 42;
/** Adam's learning rate when neither the model file nor tuning picks one. */
export const DEFAULT_LEARNING_RATE = 0.003;
/** Gradient steps the epoch cap allows for: enough for small data to converge (batch 256 × 20 epochs was not). */
const TARGET_GRADIENT_STEPS = 4000;
const MIN_EPOCHS = 20;
const MAX_EPOCHS = 400;

const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(value, low), high);

/** A power of two near rows/40, within [16, 512]: some 40 steps per epoch on small data, large batches on big data. */
export function defaultBatchSize(trainingRows: number): number {
  const target = Math.max(trainingRows, 1) / 40;
  return clamp(2 ** Math.round(Math.log2(Math.max(target, 1))), 16, 512);
}

/** The epoch cap: about TARGET_GRADIENT_STEPS steps, between 20 and 400 epochs. */
export function defaultEpochs(trainingRows: number, batchSize: number): number {
  const stepsPerEpoch = Math.max(1, Math.ceil(trainingRows / batchSize));
  return clamp(Math.ceil(TARGET_GRADIENT_STEPS / stepsPerEpoch), MIN_EPOCHS, MAX_EPOCHS);
}

/** Small data gets a small, more regularized network; larger data a wider and deeper one. */
export function defaultArchitecture(trainingRows: number): { hiddenUnits: number[]; l2: number } {
  if (trainingRows < 1000) return { hiddenUnits: [32], l2: 1e-3 };
  if (trainingRows < 10_000) return { hiddenUnits: [64], l2: 1e-4 };
  return { hiddenUnits: [64, 32], l2: 1e-5 };
}

/**
 * Fills the hyper-parameters the model file leaves out from the shape of the training data. Values the file sets are
 * kept as they are. Early stopping keeps the best epoch, so a generous epoch cap costs time but not quality.
 */
export function resolveHyperparameters(declared: DeclaredHyperparameters, shape: TrainingShape): Hyperparameters {
  const batchSize = declared.batchSize ?? defaultBatchSize(shape.trainingRows);
  const epochs = declared.epochs ?? defaultEpochs(shape.trainingRows, batchSize);
  const architecture = defaultArchitecture(shape.trainingRows);
  return {
    hiddenUnits: declared.hiddenUnits ?? architecture.hiddenUnits,
    epochs,
    batchSize,
    learningRate: declared.learningRate ?? DEFAULT_LEARNING_RATE,
    l2: declared.l2 ?? architecture.l2,
    earlyStoppingPatience: declared.earlyStoppingPatience ?? clamp(Math.round(epochs / 10), 3, 10),
    learningRateSchedule: declared.learningRateSchedule ?? 'plateau',
    seed: declared.seed ?? DEFAULT_SEED,
  };
}

/**
 * The linear baseline: the same network with no hidden layer (logistic, softmax or linear regression), trained on
 * the same split with the same budget. A linear model tolerates a larger step.
 */
export function baselineHyperparameters(resolved: Hyperparameters): Hyperparameters {
  return { ...resolved, hiddenUnits: [], learningRate: 0.01, l2: 1e-4 };
}

/** Epochs without improvement before the plateau schedule halves the learning rate. */
export function plateauPatience(hp: Hyperparameters): number {
  return Math.max(1, Math.floor(hp.earlyStoppingPatience / 2));
}

/** Recorded hyper-parameters from before the schedule existed were trained at a constant rate. */
export function withRecordedDefaults(
  recorded: Omit<Hyperparameters, 'learningRateSchedule'> & Partial<Hyperparameters>,
): Hyperparameters {
  return { ...recorded, learningRateSchedule: recorded.learningRateSchedule ?? 'constant' };
}

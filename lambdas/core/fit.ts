import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { plateauPatience, type Hyperparameters } from './hyperparameters.js';
import type { TaskKind } from './model-config.js';
import { buildNetwork, predictRaw, ScheduledAdam } from './network.js';
import { seededRandom, shuffledIndices } from './random.js';

export interface TrainingData {
  readonly x: Float32Array;
  /** Targets: 0/1 for binary, class index for multiclass, standardized value for regression. */
  readonly y: Float32Array;
  readonly rows: number;
}

export type StopReason = 'early_stopping' | 'max_epochs' | 'time_budget';

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly validationLoss: number;
  readonly learningRate: number;
}

export interface FitResult {
  readonly model: tfl.LayersModel;
  readonly epochsRun: number;
  readonly bestEpoch: number;
  /** The data loss (no weight penalty) of the kept weights on the validation split: what candidates are ranked by. */
  readonly bestValidationLoss: number;
  readonly stoppedBy: StopReason;
  readonly history: EpochRecord[];
}

export interface FitOptions {
  /** Wall-clock time (ms since the epoch) by which training must end; an epoch that would end later is not started. */
  readonly deadline?: number;
  readonly now?: () => number;
  /**
   * A refit: exactly `epochs` epochs on the rows given, the last weights kept, no early stopping (there is no
   * validation split to stop on); the plateau schedule watches the training loss.
   */
  readonly refit?: boolean;
}

const PROBABILITY_EPSILON = 1e-7;

/**
 * Loss of each row: binary and categorical cross-entropy (probabilities clipped as Keras does), or squared error.
 * `outputs` are the network's (sigmoid, softmax or standardized value) — or, for scoring a Predictor, its class
 * probabilities with `binaryAsTwoColumns`.
 */
export function rowLosses(
  task: TaskKind,
  outputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  classes: number,
  binaryAsTwoColumns = false,
): Float64Array {
  const clip = (p: number) => Math.min(Math.max(p, PROBABILITY_EPSILON), 1 - PROBABILITY_EPSILON);
  return Float64Array.from({ length: targets.length }, (_, r) => {
    const y = targets[r] as number;
    if (task === 'binary') {
      const p = clip((binaryAsTwoColumns ? outputs[r * 2 + 1] : outputs[r]) as number);
      return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
    }
    if (task === 'multiclass') return -Math.log(clip(outputs[r * classes + y] as number));
    return ((outputs[r] as number) - y) ** 2;
  });
}

/** Mean loss over rows, without the weight penalty (so candidates with different l2 compare fairly). */
export function dataLoss(task: TaskKind, outputs: Float32Array, targets: Float32Array, classes: number): number {
  if (targets.length === 0) return Number.NaN;
  const losses = rowLosses(task, outputs, targets, classes);
  let total = 0;
  for (const loss of losses) total += loss;
  return total / losses.length;
}

function shuffledCopy(data: TrainingData, width: number, order: Uint32Array): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(data.rows * width);
  const y = new Float32Array(data.rows);
  for (let i = 0; i < data.rows; i++) {
    const source = order[i] as number;
    x.set(data.x.subarray(source * width, (source + 1) * width), i * width);
    y[i] = data.y[source] as number;
  }
  return { x, y };
}

/** One epoch over the rows in a seeded order; the training loss (with the weight penalty) it reports. */
async function fitEpoch(
  model: tfl.LayersModel,
  train: TrainingData,
  width: number,
  batchSize: number,
  random: () => number,
): Promise<number> {
  const { x, y } = shuffledCopy(train, width, shuffledIndices(train.rows, random));
  const xs = tf.tensor2d(x, [train.rows, width]);
  const ys = tf.tensor2d(y, [train.rows, 1]);
  try {
    const fit = await model.fit(xs, ys, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
    return Number(fit.history.loss?.[0]);
  } finally {
    xs.dispose();
    ys.dispose();
  }
}

/**
 * Trains with a seeded shuffle per epoch (tfjs's own shuffle uses Math.random), early stopping on the validation loss
 * with the best epoch's weights kept, and the plateau schedule (half the step after `earlyStoppingPatience / 2`
 * epochs without improvement). Everything is determined by the data and the hyper-parameters, except where a
 * deadline cuts training short; the epochs run are then recorded, and training that many epochs reproduces it.
 */
export async function trainNetwork(
  train: TrainingData,
  validation: TrainingData,
  width: number,
  task: TaskKind,
  classes: number,
  hp: Hyperparameters,
  options: FitOptions = {},
): Promise<FitResult> {
  const now = options.now ?? Date.now;
  const optimizer = new ScheduledAdam(hp.learningRate);
  const model = buildNetwork(width, task, classes, hp, optimizer);
  const random = seededRandom(hp.seed);
  const history: EpochRecord[] = [];
  const patience = plateauPatience(hp);
  let best = { loss: Number.POSITIVE_INFINITY, epoch: 0, weights: [] as tf.Tensor[] };
  let lastDecay = 0;
  let stoppedBy: StopReason = 'max_epochs';
  const refit = options.refit === true;
  try {
    for (let epoch = 1; epoch <= hp.epochs; epoch++) {
      const started = now();
      const loss = await fitEpoch(model, train, width, hp.batchSize, random);
      const validationLoss =
        validation.rows > 0
          ? dataLoss(task, predictRaw(model, validation.x, validation.rows, width), validation.y, classes)
          : loss;
      history.push({ epoch, loss, validationLoss, learningRate: optimizer.rate });
      if (validationLoss < best.loss) {
        best.weights.forEach((w) => w.dispose());
        best = { loss: validationLoss, epoch, weights: refit ? [] : model.getWeights().map((w) => w.clone()) };
      } else if (!refit && epoch - best.epoch > hp.earlyStoppingPatience) {
        stoppedBy = 'early_stopping';
        break;
      } else if (
        hp.learningRateSchedule === 'plateau' &&
        epoch - best.epoch >= patience &&
        epoch - lastDecay >= patience
      ) {
        optimizer.rate = Math.max(optimizer.rate / 2, hp.learningRate / 1024);
        lastDecay = epoch;
      }
      if (epoch < hp.epochs && options.deadline !== undefined && now() + (now() - started) > options.deadline) {
        stoppedBy = 'time_budget';
        break;
      }
    }
    if (best.weights.length > 0) model.setWeights(best.weights);
  } finally {
    best.weights.forEach((w) => w.dispose());
  }
  if (refit) {
    const last = history.length;
    return { model, epochsRun: last, bestEpoch: last, bestValidationLoss: Number.NaN, stoppedBy, history };
  }
  return { model, epochsRun: history.length, bestEpoch: best.epoch, bestValidationLoss: best.loss, stoppedBy, history };
}

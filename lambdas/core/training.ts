import { ARTIFACT_FORMAT, type ModelArtifact } from './artifact.js';
import type { TrainingRows } from './cross-validation.js';
import type { Frame } from './dataset.js';
import { trainNetwork, type FitOptions, type FitResult, type TrainingData } from './fit.js';
import type { Hyperparameters } from './hyperparameters.js';
import type { ModelConfig } from './model-config.js';
import { serializeNetwork } from './network.js';
import { encodeFrame, encodeLabels, scorableRows, type Preprocessor } from './preprocess.js';
import { initBackend, tfjsVersion } from './tf-backend.js';

export interface TrainedModel {
  readonly artifact: ModelArtifact;
  readonly history: FitResult['history'];
  readonly bestValidationLoss: number;
  /** Weights and biases of the network: how complex it is, for the one-standard-error rule. */
  readonly parameters: number;
  readonly stoppedBy: FitResult['stoppedBy'];
}

/** The encoded rows of a frame a model can learn from or be scored on (classes unseen in training left out). */
export function trainingData(pre: Preprocessor, frame: Frame): TrainingData {
  const rows = scorableRows(pre, frame.labels);
  const x = encodeFrame(pre, frame);
  const y = encodeLabels(pre, frame.labels);
  if (rows.length === frame.origins.length) return { x, y, rows: rows.length };
  const width = pre.width;
  const keptX = new Float32Array(rows.length * width);
  const keptY = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    keptX.set(x.subarray(r * width, (r + 1) * width), i * width);
    keptY[i] = y[r] as number;
  });
  return { x: keptX, y: keptY, rows: rows.length };
}

export interface TrainOptions extends Omit<FitOptions, 'refit'> {
  /** Which rows `train` and `validation` are, recorded in the artifact unless they are the holdout splits. */
  readonly rows?: TrainingRows;
}

/**
 * Trains the network with the given (resolved) hyper-parameters on the encoded training split, early-stopping on the
 * validation split (a refit trains its epochs and keeps the last weights). The artifact records the hyper-parameters as trained: when a deadline cut training short, `epochs`
 * is the number run, so training with the recorded values gives the same weights.
 */
export async function trainModel(
  config: Pick<ModelConfig, 'name' | 'task' | 'label'>,
  pre: Preprocessor,
  train: Frame,
  validation: Frame,
  hp: Hyperparameters,
  options: TrainOptions = {},
): Promise<TrainedModel> {
  const { rows, ...fit } = options;
  const backend = await initBackend();
  const classes = pre.label.task === 'regression' ? 1 : pre.label.classes.length;
  const result = await trainNetwork(
    trainingData(pre, train),
    trainingData(pre, validation),
    pre.width,
    config.task,
    classes,
    hp,
    { ...fit, refit: rows?.kind === 'refit' },
  );
  const network = await serializeNetwork(result.model);
  const parameters = result.model.countParams();
  result.model.dispose();
  const asTrained = result.stoppedBy === 'time_budget' ? { ...hp, epochs: result.epochsRun } : hp;
  return {
    artifact: {
      format: ARTIFACT_FORMAT,
      model: config.name,
      task: config.task,
      labelColumn: config.label,
      preprocessor: pre,
      network,
      training: {
        hyperparameters: asTrained,
        epochsRun: result.epochsRun,
        bestEpoch: result.bestEpoch,
        backend,
        tfjsVersion: tfjsVersion(),
        // Absent for the holdout splits, so artifacts trained before cross-validation existed reproduce unchanged.
        ...(rows !== undefined && rows.kind !== 'holdout' ? { rows } : {}),
      },
    },
    history: result.history,
    bestValidationLoss: result.bestValidationLoss,
    parameters,
    stoppedBy: result.stoppedBy,
  };
}

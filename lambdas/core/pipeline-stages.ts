import { Predictor, serializeArtifact } from './artifact.js';
import { withSchemaTypes, type DataSchema } from './data-schema.js';
import type { Frame } from './dataset.js';
import type { RawTable } from './table.js';
import { sha256Hex } from './digest.js';
import { evaluate } from './evaluation.js';
import { storableMetrics } from './metrics.js';
import type { ModelConfig } from './model-config.js';
import { weightsSha256 } from './network.js';
import { prepareData, type PreparedData } from './prepare.js';
import { fitPreprocessor, type Preprocessor } from './preprocess.js';
import { trainModel, type TrainedModel, type TrainOptions } from './training.js';
import { HOLDOUT, trainingFrames, type TrainingFrames } from './cross-validation.js';
import type { Hyperparameters } from './hyperparameters.js';

/**
 * The computations of the pipeline's stages, in one place, so that the pipeline and `mlops reproduce` run the same
 * code: what ETL computes from the raw table, what a Train invocation computes from the prepared splits, and how the
 * chosen model's test metrics are measured.
 */

export interface PreparedForTraining {
  /** The model file with the data schema's column types: later data is typed as the first was. */
  readonly typed: ModelConfig;
  readonly prepared: PreparedData;
  /** Encoders fitted on the training split only. */
  readonly preprocessor: Preprocessor;
}

/** ETL: type the table by the schema, clean and split it deterministically, fit the preprocessing on the train split. */
export function prepareForTraining(
  table: RawTable,
  config: ModelConfig,
  schema: DataSchema | undefined,
): PreparedForTraining {
  const typed = withSchemaTypes(config, schema);
  const prepared = prepareData(table, typed);
  return { typed, prepared, preprocessor: fitPreprocessor(prepared.splits.train, config) };
}

export interface TrainedTrial {
  readonly trained: TrainedModel;
  /** The artifact as stored (canonical JSON), and its digests. */
  readonly bytes: Buffer;
  readonly artifactSha256: string;
  readonly weightsSha256: string;
  /** The rows it was trained and scored on. */
  readonly frames: TrainingFrames;
}

/**
 * Train: one trial on the rows `rows` names — the training split early-stopped on the validation split, a fold of
 * the two, or both for a refit; the artifact serialized.
 */
export async function trainTrial(
  config: ModelConfig,
  preprocessor: Preprocessor,
  splits: { readonly train: Frame; readonly validation: Frame },
  hyperparameters: Hyperparameters,
  options: TrainOptions = {},
): Promise<TrainedTrial> {
  const frames = trainingFrames(splits, options.rows ?? HOLDOUT);
  const trained = await trainModel(config, preprocessor, frames.train, frames.validation, hyperparameters, options);
  const bytes = serializeArtifact(trained.artifact);
  return {
    trained,
    bytes,
    artifactSha256: sha256Hex(bytes),
    weightsSha256: weightsSha256(trained.artifact.network),
    frames,
  };
}

/** The metrics recorded for a model: scored on the held-out test split, as stored in the registry. */
export async function testMetrics(trial: TrainedTrial, test: Frame): Promise<Record<string, number | null>> {
  const predictor = await Predictor.load(trial.trained.artifact);
  try {
    return storableMetrics(evaluate(predictor, test).metrics);
  } finally {
    predictor.dispose();
  }
}

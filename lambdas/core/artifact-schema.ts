import * as z from 'zod';
import { TARGET_TRANSFORMS } from './target-transform.js';
import { LEARNING_RATE_SCHEDULES, withRecordedDefaults } from './hyperparameters.js';

/**
 * The shapes of what a model artifact carries, checked when it is read back (serving, validation, reproduction):
 * an artifact written by other code, or by hand, fails with what is wrong instead of deep inside a prediction.
 */

/** The artifact format this code writes and reads. */
export const ARTIFACT_FORMAT = 'serverless-mlops/model@1';

export const preprocessorSchema = z.object({
  features: z.array(
    z.discriminatedUnion('type', [
      z.object({ name: z.string(), type: z.literal('numeric'), median: z.number(), mean: z.number(), std: z.number() }),
      z.object({ name: z.string(), type: z.literal('categorical'), categories: z.array(z.string()) }),
    ]),
  ),
  label: z.discriminatedUnion('task', [
    z.object({ task: z.literal('binary'), classes: z.tuple([z.string(), z.string()]) }),
    z.object({ task: z.literal('multiclass'), classes: z.array(z.string()).min(2) }),
    z.object({
      task: z.literal('regression'),
      // Artifacts from before the target transform was recorded standardized the target.
      transform: z.enum(TARGET_TRANSFORMS).default('standardize'),
      mean: z.number(),
      std: z.number(),
    }),
  ]),
  width: z.number().int().min(1),
});

/** TF.js's serialized network: its topology (checked in full where it is compiled), weight manifest and weights. */
const networkSchema = z.object({
  modelTopology: z.looseObject({}),
  weightSpecs: z.array(
    z.looseObject({
      name: z.string(),
      shape: z.array(z.number().int().nonnegative()),
      dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
      group: z.enum(['model', 'optimizer']).optional(),
      quantization: z
        .object({
          scale: z.number().optional(),
          min: z.number().optional(),
          dtype: z.enum(['uint16', 'uint8', 'float16']),
        })
        .optional(),
    }),
  ),
  weightsBase64: z.string(),
});

/**
 * Hyper-parameters as a training recorded them (in an artifact, a version or a trial): types only — a recorded value
 * stands even if today's limits differ, and the fields a newer code knows are kept — and a record from before the
 * learning-rate schedule existed read as trained at a constant rate.
 */
export const recordedHyperparametersSchema = z
  .looseObject({
    hiddenUnits: z.array(z.number()),
    epochs: z.number(),
    batchSize: z.number(),
    learningRate: z.number(),
    l2: z.number(),
    earlyStoppingPatience: z.number(),
    learningRateSchedule: z.enum(LEARNING_RATE_SCHEDULES).optional(),
    seed: z.number(),
  })
  .transform((recorded) => withRecordedDefaults(recorded));

/** Any JSON object with its format, checked first: an artifact of another format is named as such. */
export const artifactEnvelopeSchema = z.looseObject({ format: z.unknown() });

/**
 * Every part serving and validation read, typed as the artifact is; the training record keeps the fields of the code
 * that trained it, which may know hyper-parameters this code does not.
 */
export const artifactSchema = z.object({
  format: z.literal(ARTIFACT_FORMAT),
  model: z.string().min(1),
  task: z.enum(['binary', 'multiclass', 'regression']),
  labelColumn: z.string(),
  preprocessor: preprocessorSchema,
  network: networkSchema,
  training: z.looseObject({
    hyperparameters: recordedHyperparametersSchema,
    epochsRun: z.number(),
    bestEpoch: z.number(),
    backend: z.string(),
    tfjsVersion: z.string(),
    rows: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('holdout') }),
        z.object({ kind: z.literal('fold'), fold: z.number().int(), folds: z.number().int(), seed: z.number() }),
        z.object({ kind: z.literal('refit') }),
      ])
      .optional(),
  }),
});

import * as z from 'zod';
import { modelConfigSchema } from '../../core/model-config.js';
import { resolvedHyperparametersSchema } from '../../core/training-config.js';
import { artifactRecordSchema, dataRecordSchema, objectVersionSchema } from './registry-items.js';

/**
 * Shapes of what the training state machine passes between steps. Each step validates its input with these, so a
 * changed definition fails loudly at the step boundary rather than deep inside a computation.
 */
/** What started a run that no upload started: an alarm, a schedule or a person (the retrain function). */
export const retrainingStartSchema = z.object({
  trigger: z.enum(['alarm', 'schedule', 'manual']),
  /** What started it, in words: the alarm and its reason, the schedule, who asked and why. */
  detail: z.string(),
  /** Objects the run reads besides the trigger object (the labelled captured rows beside the newest upload). */
  sources: z.array(z.object({ bucket: z.string(), key: z.string() })).default([]),
});
export type RetrainingStartInfo = z.infer<typeof retrainingStartSchema>;

export const runRefSchema = z.object({
  model: z.string(),
  runId: z.string(),
  trigger: objectVersionSchema,
  duplicate: z.boolean(),
  /** Objects read besides the trigger object (a retraining's labelled captured rows). */
  sources: z.array(objectVersionSchema).optional(),
});
export type RunRef = z.infer<typeof runRefSchema>;

const locationSchema = z.object({ bucket: z.string(), key: z.string() });

/** One training of the Tune stage: a candidate of the search or the linear baseline. */
export const trialPlanSchema = z.object({
  id: z.string().min(1),
  role: z.enum(['candidate', 'baseline']),
  hyperparameters: resolvedHyperparametersSchema,
  maxSeconds: z.number().positive(),
  competes: z.boolean(),
});

export type TrialPlan = z.infer<typeof trialPlanSchema>;

/** One item of the Tune stage's Map: a trial, on the holdout splits (fold null) or with one fold held out. */
export const trainingItemSchema = z.object({ trial: z.string().min(1), fold: z.number().int().min(0).nullable() });
export type TrainingItem = z.infer<typeof trainingItemSchema>;

const foldPlanSchema = z.object({ folds: z.number().int().min(2), seed: z.number().int() });

export const etlResultSchema = z.object({
  bucket: z.string(),
  prefix: z.string(),
  profile: locationSchema,
  /** The profile's bootstrapped drift null (null for runs prepared before monitoring). */
  driftNull: locationSchema.nullable().default(null),
  schemaVersion: z.number().int(),
  anomalies: z.number().int(),
  data: z.array(dataRecordSchema),
  modelConfigSha256: z.string(),
  /** The model file as ETL read and checked it, passed on so later steps never read or parse it again. */
  config: modelConfigSchema,
  rows: z.object({ read: z.number(), kept: z.number(), train: z.number(), validation: z.number(), test: z.number() }),
  /** The Tune stage's plan: one Train invocation per trial, `concurrency` at a time (the Map's MaxConcurrencyPath). */
  tuning: z.object({
    trials: z.array(trialPlanSchema).min(1),
    /** The Map's items (its ItemsPath): each trial once, or once per fold when the run cross-validates. */
    trainings: z.array(trainingItemSchema).min(1),
    /** The folds, when the trials are chosen by cross-validation (the Refit step then trains the chosen one). */
    crossValidation: foldPlanSchema.nullable(),
    concurrency: z.number().int().min(1),
  }),
});
export type EtlResult = z.infer<typeof etlResultSchema>;

export const trainResultSchema = z.object({
  id: z.string(),
  role: z.enum(['candidate', 'baseline']),
  competes: z.boolean(),
  /** As trained: `epochs` is the number run when the time budget cut training short. */
  hyperparameters: resolvedHyperparametersSchema,
  /** Data loss of the kept weights on the validation split (null when training diverged). */
  validationLoss: z.number().nullable(),
  /** Weights and biases of the network. */
  parameters: z.number().int(),
  stoppedBy: z.enum(['early_stopping', 'max_epochs', 'time_budget']),
  seconds: z.number(),
  artifact: artifactRecordSchema,
  /** Loss per epoch, stored beside the artifact (too long for the state). */
  history: locationSchema,
  weightsSha256: z.string(),
  backend: z.string(),
  tfjsVersion: z.string(),
  epochsRun: z.number(),
  bestEpoch: z.number(),
  /** The fold held out (null on the holdout splits and for a refit). */
  fold: z.number().int().nullable().default(null),
  /** A fold's predictions for the rows it held out (null otherwise): what the cross-validated choice is made on. */
  outOfFold: locationSchema.nullable().default(null),
});
export type TrainResult = z.infer<typeof trainResultSchema>;

/** A trial whose Train invocation failed after its retries: the Map's Catch turns it into this, and the search goes on. */
export const failedTrialSchema = z.object({
  trial: z.object({ id: z.string(), fold: z.number().int().nullable().default(null) }),
  error: z.object({ Error: z.string(), Cause: z.string().optional() }),
});

/** What the Tune stage (a Map over the trials) hands to Validate: one entry per trial, in plan order. */
export const tuningResultSchema = z.array(z.union([trainResultSchema, failedTrialSchema])).min(1);
export type TuningResult = z.infer<typeof tuningResultSchema>;

/** A trial as cross-validation saw it: its fold losses and out-of-fold metrics, or why it could not compete. */
export const crossValidatedTrialSchema = z.object({
  id: z.string(),
  role: z.enum(['candidate', 'baseline']),
  /** As planned (the folds' epochs were cut by early stopping; a refit trains `refitEpochs`). */
  hyperparameters: resolvedHyperparametersSchema,
  /** The mean loss of each fold on the rows it held out (empty for a trial with a failed fold; null if not finite). */
  foldLosses: z.array(z.number().nullable()),
  /** The mean loss over every row, each scored by the fold that did not see it. */
  outOfFoldLoss: z.number().nullable(),
  outOfFoldMetrics: z.record(z.string(), z.number().nullable()).nullable(),
  /** The epochs a refit trains: the mean of the folds' best epochs. */
  refitEpochs: z.number().int().nullable(),
  seconds: z.number(),
  failure: z.string().nullable(),
  chosen: z.boolean(),
});
export type CrossValidatedTrial = z.infer<typeof crossValidatedTrialSchema>;

/** What Refit hands to Validate: the chosen trial and the baseline trained on train + validation, and every trial. */
export const refitResultSchema = z.object({
  chosen: trainResultSchema,
  baseline: z.union([trainResultSchema, z.object({ failure: z.string() })]),
  trials: z.array(crossValidatedTrialSchema).min(1),
});
export type RefitResult = z.infer<typeof refitResultSchema>;

export const validationResultSchema = z.object({
  version: z.number().int(),
  metrics: z.record(z.string(), z.number().nullable()),
  gate: z.object({ passed: z.boolean(), summary: z.string() }),
  comparedWith: z.number().int().nullable(),
});
export type ValidationResult = z.infer<typeof validationResultSchema>;

export const etlInputSchema = z.object({ run: runRefSchema });
export const trainInputSchema = z.object({ run: runRefSchema, etl: etlResultSchema, training: trainingItemSchema });
export const refitInputSchema = z.object({ run: runRefSchema, etl: etlResultSchema, tuning: tuningResultSchema });
export const validateInputSchema = z.object({
  run: runRefSchema,
  etl: etlResultSchema,
  tuning: tuningResultSchema,
  /** The Refit step's result, or what the state machine records when the trials were compared on one split. */
  refit: z.union([refitResultSchema, z.object({ crossValidated: z.literal(false) })]).optional(),
});
export const reportInputSchema = z.object({ run: runRefSchema, etl: etlResultSchema });
export const promoteInputSchema = z.object({
  run: runRefSchema,
  validation: validationResultSchema,
  /** The run's model file's release mode (`release.mode`): direct, or a canary or shadow release. */
  releaseMode: z.enum(['direct', 'canary', 'shadow']).default('direct'),
});

/** What the Catch hands to the failure recorder: the state so far plus the error Step Functions caught. */
export const finishInputSchema = z.object({
  outcome: z.enum(['REJECTED', 'FAILED']),
  state: z
    .object({
      run: runRefSchema.optional(),
      detail: z.unknown().optional(),
      validation: validationResultSchema.optional(),
      error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
    })
    .loose(),
});

/** The EventBridge "Object Created" event S3 sends (only the fields we use). */
export const objectCreatedEventSchema = z.object({
  'detail-type': z.literal('Object Created'),
  source: z.literal('aws.s3'),
  time: z.string().optional(),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      etag: z.string().optional(),
      'version-id': z.string().optional(),
      size: z.number().optional(),
    }),
  }),
  /** Present when the retrain function started the run instead of an upload. */
  retraining: retrainingStartSchema.optional(),
});
export type ObjectCreatedEvent = z.infer<typeof objectCreatedEventSchema>;

/** RegisterRun gets the event and the execution id, so a retry of the step is told apart from a duplicate event. */
export const registerInputSchema = z.object({ event: objectCreatedEventSchema, executionId: z.string().min(1) });

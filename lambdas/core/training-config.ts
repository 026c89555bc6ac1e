import * as z from 'zod';
import { LEARNING_RATE_SCHEDULES } from './hyperparameters.js';
import { CROSS_VALIDATION_MODES } from './cross-validation.js';
import { SELECTION_RULES } from './tuning.js';

/**
 * The training sections of the model file (hyper-parameters and the search), with their defaults. `prefault` parses an absent section through its own
 * schema, so each default is written once, next to its field.
 */

/** Every hyper-parameter of a training, as recorded in the pipeline state and the registry. */
export const resolvedHyperparametersSchema = z
  .object({
    hiddenUnits: z.array(z.number().int().min(1).max(4096)).max(8),
    epochs: z.number().int().min(1).max(1000),
    batchSize: z.number().int().min(1).max(65536),
    learningRate: z.number().positive().max(1),
    l2: z.number().min(0).max(1),
    earlyStoppingPatience: z.number().int().min(0).max(1000),
    learningRateSchedule: z.enum(LEARNING_RATE_SCHEDULES),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
  })
  .strict();

/** Hyper-parameters the model file fixes; every one left out is chosen from the data (and may be tuned). */
export const hyperparametersSchema = resolvedHyperparametersSchema.partial().strict();

export const tuningSchema = z
  .object({
    candidates: z.number().int().min(1).max(50).default(6),
    /** `one_standard_error`: the simplest trial within one standard error of the lowest validation loss. */
    selection: z.enum(SELECTION_RULES).default('one_standard_error'),
    /**
     * `auto`: choose among the trials by 5-fold cross-validation over the training and validation rows when they are
     * fewer than 2,000 (then refit the chosen one on all of them); `always`; `never` (one validation split).
     */
    crossValidation: z.enum(CROSS_VALIDATION_MODES).default('auto'),
    concurrency: z.number().int().min(1).max(40).default(3),
    maxMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .default(30),
    space: z
      .object({
        hiddenUnits: z.array(z.array(z.number().int().min(1).max(4096)).max(8)).min(1),
        learningRate: z.array(z.number().positive().max(1)).min(1),
        l2: z.array(z.number().min(0).max(1)).min(1),
        batchSize: z.array(z.number().int().min(1).max(65536)).min(1),
      })
      .partial()
      .strict()
      .default({}),
  })
  .strict();

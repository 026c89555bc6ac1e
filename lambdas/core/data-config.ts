import * as z from 'zod';
import { severity } from './gate-config.js';

/**
 * The data sections of the model file (validation against the schema, drift, the split, which uploads train), with their defaults. `prefault` parses an absent section through its own
 * schema, so each default is written once, next to its field.
 */

export const dataValidationSchema = z
  .object({
    severity: z
      .object({
        missing_column: severity.default('blocking'),
        new_column: severity.default('warning'),
        type_change: severity.default('blocking'),
        unseen_categories: severity.default('warning'),
        out_of_range: severity.default('warning'),
        missing_rate_jump: severity.default('warning'),
        invalid_encoding: severity.default('blocking'),
      })
      .strict()
      .prefault({}),
    /** Unseen categories are an anomaly above this share of rows. */
    maxUnseenCategoryShare: z.number().min(0).max(1).default(0.01),
    /** Values outside the range seen before are an anomaly above this share of rows. */
    maxOutOfRangeShare: z.number().min(0).max(1).default(0.01),
    /** An anomaly when a column's missing share grows by more than this. */
    maxMissingRateIncrease: z.number().min(0).max(1).default(0.05),
  })
  .strict();

const driftThresholds = z
  .object({
    psiWarn: z.number().min(0),
    psiAlarm: z.number().min(0),
    pValue: z.number().gt(0).lt(1),
    jensenShannon: z.number().min(0).max(1),
    wasserstein: z.number().min(0),
    lInfinity: z.number().min(0).max(1),
    smallSampleRows: z.number().int().min(1),
    driftShare: z.number().gt(0).max(1),
  })
  .partial()
  .strict();

/** Drift thresholds (see DEFAULT_DRIFT_THRESHOLDS), for all features and per feature. */
export const driftSchema = z
  .object({ thresholds: driftThresholds.default({}), features: z.record(z.string(), driftThresholds).default({}) })
  .strict();

export const splitSchema = z
  .object({
    train: z.number().gt(0).lt(1).default(0.7),
    validation: z.number().gt(0).lt(1).default(0.15),
    test: z.number().gt(0).lt(1).default(0.15),
    /** Salt of the row hash: change it to draw a different, still deterministic, split. */
    seed: z.number().int().min(0).default(0),
  })
  .strict()
  .refine((s) => Math.abs(s.train + s.validation + s.test - 1) < 1e-9, {
    message: 'train + validation + test must add up to 1',
  });

export const dataSelectionSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('object') }).strict(),
  z.object({ source: z.literal('latest'), count: z.number().int().min(1).max(1000) }).strict(),
]);

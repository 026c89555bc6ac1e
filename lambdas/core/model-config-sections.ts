import * as z from 'zod';
import { LEARNING_RATE_SCHEDULES } from './hyperparameters.js';
import { SELECTION_RULES } from './tuning.js';

/**
 * Sections of the model file with their defaults. `prefault` parses an absent section through its own schema, so
 * each default is written once, next to its field.
 */

/** Metric names the gate understands; classification and regression metrics share one namespace. */
export const METRIC_NAMES = [
  'accuracy',
  'precision',
  'recall',
  'f1',
  'roc_auc',
  'log_loss',
  'rmse',
  'mae',
  'r2',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Direction of each metric, for comparisons against production and the baseline. */
export const HIGHER_IS_BETTER: Record<MetricName, boolean> = {
  accuracy: true,
  precision: true,
  recall: true,
  f1: true,
  roc_auc: true,
  log_loss: false,
  rmse: false,
  mae: false,
  r2: true,
};

const metricThresholds = z.partialRecord(z.enum(METRIC_NAMES), z.number().finite());
export const severity = z.enum(['blocking', 'warning']);

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

const ascending = (values: readonly number[]): boolean =>
  values.every((v, i) => i === 0 || v > (values[i - 1] as number));

export const tuningSchema = z
  .object({
    candidates: z.number().int().min(1).max(50).default(6),
    /** `one_standard_error`: the simplest trial within one standard error of the lowest validation loss. */
    selection: z.enum(SELECTION_RULES).default('one_standard_error'),
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

/** A sensitive attribute: a column name, or a numeric column with the edges of its groups. */
export const sensitiveAttributeSchema = z.union([
  z.string().min(1),
  z
    .object({
      column: z.string().min(1),
      bins: z.array(z.number().finite()).min(1).max(20).refine(ascending, 'bins must be strictly ascending').optional(),
    })
    .strict(),
]);

export const gateSchema = z
  .object({
    /** Metric floors: the candidate fails when the metric is below the value. */
    minimums: metricThresholds.default({}),
    /** Metric ceilings: the candidate fails when the metric is above the value (losses, errors). */
    maximums: metricThresholds.default({}),
    /** How much worse than production a candidate may be, per metric, both scored on the candidate's test split. */
    maxDegradation: z.partialRecord(z.enum(METRIC_NAMES), z.number().min(0)).default({}),
    /** How much better than the linear baseline the candidate must be, per metric (0: at least as good). */
    mustBeatBaseline: metricThresholds.default({}),
    /** Dominance: the largest share of the permutation importance one feature may carry. */
    maxFeatureShare: z.number().gt(0).max(1).default(0.5),
    /** Dominance growth: how much any feature's share may grow against the production version (share points). */
    maxFeatureShareGrowth: z.number().gt(0).max(1).default(0.25),
    /** Leak: a feature whose single-feature model reaches this score (AUC, or R² for regression) on validation. */
    maxSingleFeatureScore: z.number().gt(0.5).max(1).default(0.99),
    /** Which checks block a release and which only warn. */
    severity: z
      .object({
        leak: severity.default('blocking'),
        dominance: severity.default('warning'),
        dominance_growth: severity.default('warning'),
        fairness_unmeasured: severity.default('blocking'),
      })
      .strict()
      .prefault({}),
    /** Fairness bounds, applied to every sensitive attribute (binary tasks). */
    fairness: z
      .object({
        minDisparateImpact: z.number().min(0).max(1).optional(),
        maxDemographicParityDifference: z.number().min(0).max(1).optional(),
        maxEqualOpportunityDifference: z.number().min(0).max(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

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

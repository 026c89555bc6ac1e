import { z } from 'zod';
import { ModelConfigError } from './errors.js';
import { MODEL_NAME_PATTERN } from './model-name.js';

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

/** Direction of each metric, for comparisons against the production model. */
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

const modelName = z.string().regex(MODEL_NAME_PATTERN, 'use 1-63 lower-case letters, digits and dashes, starting with a letter or digit');

const metricThresholds = z.partialRecord(z.enum(METRIC_NAMES), z.number().finite());

const hyperparameters = z
  .object({
    hiddenUnits: z.array(z.number().int().min(1).max(4096)).max(8).default([64, 32]),
    epochs: z.number().int().min(1).max(1000).default(20),
    batchSize: z.number().int().min(1).max(65536).default(256),
    learningRate: z.number().positive().max(1).default(0.001),
    l2: z.number().min(0).max(1).default(0),
    earlyStoppingPatience: z.number().int().min(0).max(1000).default(3),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
  })
  .strict();

const split = z
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

const severity = z.enum(['blocking', 'warning']);

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

const dataSelection = z.discriminatedUnion('source', [
  z.object({ source: z.literal('object') }).strict(),
  z.object({ source: z.literal('latest'), count: z.number().int().min(1).max(1000) }).strict(),
]);

export const modelConfigSchema = z
  .object({
    name: modelName,
    description: z.string().optional(),
    task: z.enum(['binary', 'multiclass', 'regression']),
    label: z.string().min(1),
    /** For binary tasks: the label value predicted as 1. Defaults to the rarer class in the training split. */
    positiveClass: z.string().optional(),
    /** Feature columns, or "all" for every column that is not the label, excluded or sensitive. */
    features: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
    exclude: z.array(z.string().min(1)).default([]),
    /** Sensitive attributes are kept for fairness analysis and left out of the model's inputs. */
    sensitive: z.array(z.string().min(1)).default([]),
    /** Column types to use instead of inferring them from the data. */
    columnTypes: z.record(z.string(), z.enum(['numeric', 'categorical'])).default({}),
    missingValues: z.array(z.string()).default(['', '?', 'NA', 'N/A', 'null', 'NULL', 'NaN']),
    /** Categories seen fewer times than this in the training split go to the unknown bucket. */
    minCategoryCount: z.number().int().min(1).default(1),
    maxCategories: z.number().int().min(1).max(10000).default(100),
    /** Share of rows that may be dropped as bad (non-numeric value in a numeric column, missing label). */
    maxBadRowShare: z.number().min(0).max(1).default(0.01),
    data: dataSelection.default({ source: 'object' }),
    /** A version that passes its gate waits for `mlops approve` before it can be served. */
    requireApproval: z.boolean().default(false),
    split: split.default({ train: 0.7, validation: 0.15, test: 0.15, seed: 0 }),
    hyperparameters: hyperparameters.default(hyperparameters.parse({})),
    gate: z
      .object({
        /** Metric floors: the candidate fails when the metric is below the value. */
        minimums: metricThresholds.default({}),
        /** Metric ceilings: the candidate fails when the metric is above the value (losses, errors). */
        maximums: metricThresholds.default({}),
        /**
         * How much worse than the production model a candidate may be, per metric (absolute), both scored on the
         * candidate's test split.
         */
        maxDegradation: z.partialRecord(z.enum(METRIC_NAMES), z.number().min(0)).default({}),
        /** No feature may carry more than this share of the total permutation importance. */
        maxFeatureShare: z.number().gt(0).max(1).default(0.5),
        /** Fairness gates, applied to every sensitive attribute (binary tasks). */
        fairness: z
          .object({
            minDisparateImpact: z.number().min(0).max(1).optional(),
            maxDemographicParityDifference: z.number().min(0).max(1).optional(),
            maxEqualOpportunityDifference: z.number().min(0).max(1).optional(),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({ minimums: {}, maximums: {}, maxDegradation: {}, maxFeatureShare: 0.5, fairness: {} }),
    /** Checks of each new data set against the model's schema (made from its first accepted data set). */
    dataValidation: z
      .object({
        severity: z
          .object({
            missing_column: severity.default('blocking'),
            new_column: severity.default('warning'),
            type_change: severity.default('blocking'),
            unseen_categories: severity.default('warning'),
            out_of_range: severity.default('warning'),
            missing_rate_jump: severity.default('warning'),
          })
          .strict()
          .default({ missing_column: 'blocking', new_column: 'warning', type_change: 'blocking', unseen_categories: 'warning', out_of_range: 'warning', missing_rate_jump: 'warning' }),
        /** Unseen categories are an anomaly above this share of rows. */
        maxUnseenCategoryShare: z.number().min(0).max(1).default(0.01),
        /** Values outside the range seen before are an anomaly above this share of rows. */
        maxOutOfRangeShare: z.number().min(0).max(1).default(0.01),
        /** An anomaly when a column's missing share grows by more than this. */
        maxMissingRateIncrease: z.number().min(0).max(1).default(0.05),
      })
      .strict()
      .default({
        severity: { missing_column: 'blocking', new_column: 'warning', type_change: 'blocking', unseen_categories: 'warning', out_of_range: 'warning', missing_rate_jump: 'warning' },
        maxUnseenCategoryShare: 0.01,
        maxOutOfRangeShare: 0.01,
        maxMissingRateIncrease: 0.05,
      }),
    /** Drift thresholds (see DEFAULT_DRIFT_THRESHOLDS), for all features and per feature. */
    drift: z
      .object({ thresholds: driftThresholds.default({}), features: z.record(z.string(), driftThresholds).default({}) })
      .strict()
      .default({ thresholds: {}, features: {} }),
    /** Groups of a sensitive attribute smaller than this are reported as "insufficient data". */
    minGroupSize: z.number().int().min(1).default(30),
    /** Extra columns (besides the sensitive attributes) whose values get per-slice metrics. */
    slices: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    const overlaps = (list: readonly string[], what: string): void => {
      if (list.includes(config.label)) {
        ctx.addIssue({ code: 'custom', message: `the label "${config.label}" cannot also be in ${what}` });
      }
    };
    overlaps(config.exclude, 'exclude');
    overlaps(config.sensitive, 'sensitive');
    if (Array.isArray(config.features)) overlaps(config.features, 'features');
    if (config.task !== 'binary' && config.positiveClass !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['positiveClass'], message: 'positiveClass only applies to binary tasks' });
    }
  });

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type Hyperparameters = ModelConfig['hyperparameters'];
export type TaskKind = ModelConfig['task'];

/**
 * Validates a parsed model file. `source` names the file in the error so the owner knows which one to fix.
 * @throws ModelConfigError listing every problem with its JSON path.
 */
export function parseModelConfig(raw: unknown, source: string): ModelConfig {
  const result = modelConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `  - ${issue.path.length > 0 ? issue.path.join('.') : '(file)'}: ${issue.message}`)
      .join('\n');
    throw new ModelConfigError(`Invalid model file ${source}:\n${problems}`);
  }
  return result.data;
}

/** Parses JSON text of a model file, checking that the file's name matches the model's name. */
export function parseModelConfigText(text: string, source: string, expectedName?: string): ModelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelConfigError(`Invalid model file ${source}: not valid JSON (${(error as Error).message})`);
  }
  const config = parseModelConfig(raw, source);
  if (expectedName !== undefined && config.name !== expectedName) {
    throw new ModelConfigError(
      `Invalid model file ${source}: "name" is "${config.name}" but the file is named for "${expectedName}"; rename one of them`,
    );
  }
  return config;
}

import * as z from 'zod';
import { recordedHyperparametersSchema } from '../../core/artifact-schema.js';
import { TARGET_TRANSFORMS } from '../../core/target-transform.js';
import { gateResultSchema, storedMetricsSchema, trialRecordSchema } from './registry-items.js';

/**
 * The validate step's evaluation report as stored (`evaluation.json`) and read back by the model card, every field
 * checked. JSON has no NaN or infinity: `JSON.stringify` writes them as null, so a number the report computes as NaN
 * (a metric undefined on one class) or +∞ (the ROC curve's first threshold) comes back as null; `computed` reads that
 * null as NaN, the report's own "undefined" value. Fields newer than the oldest stored reports default to absent.
 */
const computed = z
  .number()
  .nullable()
  .transform((value) => value ?? Number.NaN);
/** The same, for a field the oldest stored reports lack (read as NaN: not computed). */
const computedOrAbsent = z
  .number()
  .nullable()
  .optional()
  .transform((value) => value ?? Number.NaN);
const numbers = z.array(computed);
const metrics = z.record(z.string(), computed);

const curves = {
  roc: z.object({ fpr: numbers, tpr: numbers, thresholds: numbers }).nullable().default(null),
  precisionRecall: z
    .object({ precision: numbers, recall: numbers, thresholds: numbers, averagePrecision: computed })
    .nullable()
    .default(null),
  calibration: z
    .object({
      bins: z.array(
        z.object({
          lower: z.number(),
          upper: z.number(),
          count: z.number(),
          meanPredicted: z.number().nullable(),
          observedRate: z.number().nullable(),
        }),
      ),
      brier: computed,
      ece: computed,
    })
    .nullable()
    .default(null),
  residuals: z
    .object({
      mean: computed,
      std: computed,
      maxAbs: computed,
      quantiles: z.object({ p05: computed, p25: computed, p50: computed, p75: computed, p95: computed }),
    })
    .nullable()
    .default(null),
};

const candidate = z.object({
  metrics,
  rows: z.number(),
  rowsWithUnknownLabel: z.number(),
  confusionMatrix: z
    .object({ classes: z.array(z.string()), counts: z.array(z.array(z.number())) })
    .nullable()
    .default(null),
  ...curves,
  slices: z.array(
    z.object({
      column: z.string(),
      groups: z.array(z.object({ value: z.string(), rows: z.number(), metrics: metrics.nullable() })),
    }),
  ),
});

const rate = z.number().nullable();
const binaryFairness = z.object({
  // Reports from before fairness covered every task hold binary tables without a task.
  task: z.literal('binary').default('binary'),
  attribute: z.string(),
  groups: z.array(
    z.object({
      group: z.string(),
      count: z.number(),
      actualPositives: z.number(),
      sufficient: z.boolean(),
      selectionRate: rate,
      truePositiveRate: rate,
      falsePositiveRate: rate,
      precision: rate,
    }),
  ),
  disparateImpact: rate,
  demographicParityDifference: rate,
  equalOpportunityDifference: rate,
  insufficientGroups: z.array(z.string()),
});
const worstClass = z.object({ class: z.string(), value: z.number() }).nullable();
const multiclassFairness = z.object({
  task: z.literal('multiclass'),
  attribute: z.string(),
  groups: z.array(z.object({ group: z.string(), count: z.number(), sufficient: z.boolean(), accuracy: rate })),
  classes: z.array(
    z.object({
      class: z.string(),
      groups: z.array(z.object({ group: z.string(), selectionRate: rate, truePositiveRate: rate })),
      disparateImpact: rate,
      demographicParityDifference: rate,
      equalOpportunityDifference: rate,
    }),
  ),
  worst: z.object({
    disparateImpact: worstClass,
    demographicParityDifference: worstClass,
    equalOpportunityDifference: worstClass,
  }),
  insufficientGroups: z.array(z.string()),
});
const regressionFairness = z.object({
  task: z.literal('regression'),
  attribute: z.string(),
  groups: z.array(
    z.object({
      group: z.string(),
      count: z.number(),
      sufficient: z.boolean(),
      mae: rate,
      meanPrediction: rate,
      meanResidual: rate,
    }),
  ),
  meanResidualGap: rate,
  errorRatio: rate,
  insufficientGroups: z.array(z.string()),
});
const fairness = z.union([multiclassFairness, regressionFairness, binaryFairness]);

const importance = z.object({
  score: z.enum(['roc_auc', 'accuracy', 'r2']),
  baseline: computedOrAbsent,
  measurable: z.boolean(),
  features: z.array(z.object({ feature: z.string(), importance: computed, share: computed })),
});

const drift = z.object({
  features: z.array(
    z.object({
      feature: z.string(),
      kind: z.enum(['numeric', 'categorical']),
      test: z.enum(['ks', 'chi_square', 'wasserstein_normed', 'jensen_shannon']),
      statistic: computed,
      pValue: z.number().nullable(),
      threshold: z.number(),
      drifted: z.boolean(),
      psi: computed,
      psiLevel: z.enum(['ok', 'warn', 'alarm']),
      lInfinity: z.number().nullable(),
      lInfinityExceeded: z.boolean(),
      histogram: z.object({ bins: z.array(z.string()), reference: numbers, current: numbers }),
    }),
  ),
  driftedFeatures: z.array(z.string()),
  driftedShare: computed,
  datasetDrift: z.boolean(),
  thresholds: z.object({
    psiWarn: z.number(),
    psiAlarm: z.number(),
    pValue: z.number(),
    jensenShannon: z.number(),
    wasserstein: z.number(),
    lInfinity: z.number(),
    smallSampleRows: z.number(),
    driftShare: z.number(),
  }),
});

export const evaluationDocumentSchema = z.object({
  model: z.string(),
  runId: z.string(),
  candidate,
  fairness: z.array(fairness),
  importance,
  production: z
    .object({
      version: z.number(),
      metrics: storedMetricsSchema,
      importance,
      missingFeatures: z.array(z.string()).default([]),
    })
    .nullable(),
  drift: drift.nullable(),
  gate: gateResultSchema(),
  // Reports validated before the search existed have no trials, baseline or single-feature scores.
  tuning: z.array(trialRecordSchema()).default([]),
  crossValidation: z
    .object({ folds: z.number().int(), seed: z.number().int(), rows: z.number().int() })
    .nullable()
    .default(null),
  baseline: z
    .union([
      z.object({ metrics: storedMetricsSchema, hyperparameters: recordedHyperparametersSchema }),
      z.object({ failure: z.string() }),
    ])
    .nullable()
    .default(null),
  singleFeatureScores: z
    .array(
      z.object({
        feature: z.string(),
        metric: z.enum(['roc_auc', 'r2']),
        score: computed,
        identical: z.boolean(),
      }),
    )
    .default([]),
  // Reports from before the target transform was recorded: a regressor then standardized its target.
  target: z
    .object({ transform: z.enum(TARGET_TRANSFORMS), requested: z.enum(['auto', ...TARGET_TRANSFORMS]) })
    .nullable()
    .default(null),
});

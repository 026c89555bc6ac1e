import * as z from 'zod';
import { METRIC_NAMES } from './quality-metrics.js';

/**
 * The gate section of the model file (floors and ceilings, comparisons, fairness, influence), with their defaults. `prefault` parses an absent section through its own
 * schema, so each default is written once, next to its field.
 */

const ascending = (values: readonly number[]): boolean =>
  values.every((v, i) => i === 0 || v > (values[i - 1] as number));

const metricThresholds = z.partialRecord(z.enum(METRIC_NAMES), z.number().finite());

/** How much a finding weighs: a blocking one stops the run (or the version), a warning is recorded. */
export const severity = z.enum(['blocking', 'warning']);

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
    /**
     * Fairness bounds, applied to every sensitive attribute: the rate bounds to classifiers (a multiclass model at its
     * worst class, one-vs-rest), the error bounds to regressors (see FAIRNESS_BOUNDS_BY_TASK).
     */
    fairness: z
      .object({
        minDisparateImpact: z.number().min(0).max(1).optional(),
        maxDemographicParityDifference: z.number().min(0).max(1).optional(),
        maxEqualOpportunityDifference: z.number().min(0).max(1).optional(),
        /** Regression: the largest gap between groups' mean residuals (truth − prediction), in label units. */
        maxMeanResidualGap: z.number().min(0).optional(),
        /** Regression: the largest ratio of the worst group's MAE to the best group's. */
        maxErrorRatio: z.number().min(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

/** Which fairness bounds each task can be held to; a bound outside its task's list is refused with the model file. */
export const FAIRNESS_BOUNDS_BY_TASK = {
  binary: ['minDisparateImpact', 'maxDemographicParityDifference', 'maxEqualOpportunityDifference'],
  multiclass: ['minDisparateImpact', 'maxDemographicParityDifference', 'maxEqualOpportunityDifference'],
  regression: ['maxMeanResidualGap', 'maxErrorRatio'],
} as const;

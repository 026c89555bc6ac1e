import * as z from 'zod';
import type { WindowDrift } from '../drift/window-drift.js';
import type { VariantWindow } from './variant-window.js';

/**
 * A monitored window as it is recorded (registry item, `mlops monitor --json`) and published: per variant its
 * status, counts, the drifted features with their statistic and p-value, prediction drift, estimated and realized
 * metrics with the reason when there are none. The full histograms go to the monitoring report instead.
 */

const metricsSchema = z.record(z.string(), z.number().nullable());

export const driftSummarySchema = z.discriminatedUnion('verdict', [
  z.object({ verdict: z.literal('insufficient_data'), reason: z.string() }),
  z.object({
    verdict: z.enum(['ok', 'drift']),
    /** The p-value a feature had to fall below (the false-alarm rate over the features tested). */
    featureLevel: z.number(),
    tested: z.number().int(),
    drifted: z.array(
      z.object({ feature: z.string(), test: z.enum(['ks', 'chi_square']), statistic: z.number(), pValue: z.number() }),
    ),
  }),
]);
export type DriftSummary = z.infer<typeof driftSummarySchema>;

export const variantSummarySchema = z.object({
  variant: z.string(),
  version: z.number().int(),
  status: z.enum(['ok', 'drift', 'degraded', 'insufficient_data', 'not_monitorable']),
  rows: z.number().int(),
  labelledRows: z.number().int(),
  inputDrift: driftSummarySchema.nullable(),
  predictionDrift: driftSummarySchema.nullable(),
  estimated: z.union([
    z.object({ estimable: z.literal(true), metrics: metricsSchema }),
    z.object({ estimable: z.literal(false), reason: z.string() }),
  ]),
  realized: z.union([
    z.object({ sufficient: z.literal(true), metrics: metricsSchema }),
    z.object({ sufficient: z.literal(false), reason: z.string() }),
  ]),
  newCategories: z.record(z.string(), z.number().int()),
  outOfRange: z.record(z.string(), z.number().int()),
  /** Influence drift on the labelled predictions (none recorded by monitors before it existed). */
  influence: z
    .union([
      z.object({ measured: z.literal(false), reason: z.string() }),
      z.object({
        measured: z.literal(true),
        verdict: z.enum(['ok', 'eclipsed']),
        score: z.string(),
        labelledRows: z.number().int(),
        maxFeatureShare: z.number(),
        maxFeatureShareGrowth: z.number(),
        features: z.array(
          z.object({
            feature: z.string(),
            training: z.number(),
            live: z.number(),
            growth: z.number(),
            flagged: z.boolean(),
          }),
        ),
        flagged: z.array(z.string()),
      }),
    ])
    .default({ measured: false, reason: 'not measured (recorded before influence drift existed)' }),
  /** Why the variant was not monitored (its version was trained before monitoring existed). */
  reason: z.string().optional(),
  /** The metric the window is judged on and the version's figure on its test split (null when it has none). */
  judgedOn: z.object({ metric: z.string(), test: z.number() }).nullable().default(null),
});
export type VariantSummary = z.infer<typeof variantSummarySchema>;

function driftSummary(drift: WindowDrift): DriftSummary {
  if (drift.verdict === 'insufficient_data') return { verdict: drift.verdict, reason: drift.reason };
  return {
    verdict: drift.verdict,
    featureLevel: drift.featureLevel,
    tested: drift.features.length,
    drifted: drift.features
      .filter((f) => f.drifted)
      .map(({ feature, test, statistic, pValue }) => ({ feature, test, statistic, pValue })),
  };
}

export function summarizeVariant(window: VariantWindow, judgedOn: VariantSummary['judgedOn'] = null): VariantSummary {
  const { realized, estimated } = window;
  return {
    judgedOn,
    variant: window.variant,
    version: window.version,
    status: window.status,
    rows: window.rows,
    labelledRows: window.labelledRows,
    inputDrift: driftSummary(window.inputDrift),
    predictionDrift: driftSummary(window.predictionDrift),
    estimated: estimated.estimable
      ? { estimable: true, metrics: estimated.metrics }
      : { estimable: false, reason: estimated.reason },
    realized: realized.sufficient
      ? { sufficient: true, metrics: realized.metrics }
      : { sufficient: false, reason: realized.reason },
    newCategories: window.newCategories,
    outOfRange: window.outOfRange,
    influence: window.influence,
  };
}

/** A variant whose version carries no monitoring references: counted, not judged. */
export function notMonitorable(variant: string, version: number, rows: number, reason: string): VariantSummary {
  return {
    judgedOn: null,
    variant,
    version,
    status: 'not_monitorable',
    rows,
    labelledRows: 0,
    inputDrift: null,
    predictionDrift: null,
    estimated: { estimable: false, reason },
    realized: { sufficient: false, reason },
    newCategories: {},
    outOfRange: {},
    influence: { measured: false, reason },
    reason,
  };
}

/** The judged metric's value in the window, estimated or realized (null when there is none). */
export function judgedValue(summary: VariantSummary, kind: 'estimated' | 'realized'): number | null {
  const judged = summary.judgedOn;
  const metrics =
    kind === 'estimated'
      ? summary.estimated.estimable
        ? summary.estimated.metrics
        : null
      : summary.realized.sufficient
        ? summary.realized.metrics
        : null;
  return judged === null || metrics === null ? null : (metrics[judged.metric] ?? null);
}

/** The drop of the judged metric below the version's test figure, from estimated or realized metrics. */
export function performanceDrop(summary: VariantSummary, kind: 'estimated' | 'realized'): number | null {
  const value = judgedValue(summary, kind);
  return summary.judgedOn === null || value === null ? null : summary.judgedOn.test - value;
}

import * as z from 'zod';

/**
 * The per-model alarms a model file asks for; each has a default, so a minimal model file gets all of them. The stack
 * declares them as CloudWatch alarms on the metrics predict and the pipeline publish for the model.
 */
export const monitoringSchema = z
  .object({
    /** Share of predict requests answered 5xx over 5 minutes that raises the alarm. */
    maxErrorRate: z.number().gt(0).max(1).default(0.05),
    /** p99 of predict's latency (milliseconds) over 5 minutes that raises the alarm. */
    maxP99LatencyMs: z.number().positive().max(900_000).default(2000),
    /**
     * Hours without a single prediction request after which the model counts as abandoned or cut off, counted from
     * when its production version began to be served (the monitor publishes the silence); null for a model that is
     * not served continuously.
     */
    noTrafficHours: z.number().int().min(1).max(24).nullable().default(24),
    /** Raise an alarm when a pipeline run of the model fails (a rejected candidate is not a failure). */
    alarmOnFailedRun: z.boolean().default(true),
    /**
     * Failed refreshes of the served version over 5 minutes, across containers, that raise the alarm (the production
     * pointer unreadable, or its version's artifact missing or damaged: serving keeps the loaded version meanwhile).
     */
    maxRefreshFailures: z.number().int().min(1).default(3),
    /** Requests over 5 minutes answered 404 because the model has no production version, that raise the alarm. */
    maxMissingModelRequests: z.number().int().min(1).default(10),
    /**
     * When the monitor looks at the model's live traffic: an EventBridge Scheduler rate, from `rate(1 minute)`; each
     * run monitors the interval that just ended (the window is the interval).
     */
    schedule: z
      .string()
      .default('rate(15 minutes)')
      .refine((expression) => scheduleMinutes(expression) !== null, {
        message: 'must be a rate of at least one minute: "rate(15 minutes)", "rate(1 hour)", "rate(1 day)"',
      }),
    /** Below this many predictions in a window, drift has no verdict ("insufficient data"). */
    minRows: z.number().int().min(1).default(100),
    /** Below this many predictions with ground truth in a window, no realized performance ("insufficient labels"). */
    minLabels: z.number().int().min(1).default(50),
    /**
     * Below this many predictions with ground truth in a window, no influence drift: permutation importance on fewer
     * rows moves by more than the gate's dominance thresholds by chance.
     */
    minInfluenceLabels: z.number().int().min(20).default(200),
    /** Share of windows without drift that may be flagged, whatever their size and however many features. */
    driftFalseAlarmRate: z.number().gt(0).max(0.5).default(0.01),
    /**
     * How far accuracy (classifiers, estimated or realized) or R² (regression, realized) may fall below the served
     * version's test figure before the window counts as degraded.
     */
    maxPerformanceDrop: z.number().gt(0).max(1).default(0.05),
    /** The drift alarm breaches when more than this share of features drifted in a window (0: any feature). */
    maxDriftedShare: z.number().min(0).lt(1).default(0),
    /** The monitoring alarms look at this many windows (each one schedule interval)… */
    evaluationPeriods: z.number().int().min(1).max(100).default(3),
    /** …and go to ALARM when this many of them breach. */
    datapointsToAlarm: z.number().int().min(1).max(100).default(2),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.datapointsToAlarm > m.evaluationPeriods)
      ctx.addIssue({
        code: 'custom',
        path: ['datapointsToAlarm'],
        message: `${m.datapointsToAlarm} is more than evaluationPeriods (${m.evaluationPeriods}): an alarm cannot need more windows than it looks at`,
      });
    const minutes = scheduleMinutes(m.schedule);
    // CloudWatch: Period × EvaluationPeriods at most 7 days, and at most 1 day for periods under an hour.
    if (minutes !== null && minutes * m.evaluationPeriods > (minutes < 60 ? 1440 : 10_080))
      ctx.addIssue({
        code: 'custom',
        path: ['evaluationPeriods'],
        message: `${m.evaluationPeriods} windows of ${minutes} minutes exceed what a CloudWatch alarm may look at (${minutes < 60 ? '1 day for periods under an hour' : '7 days'}); use fewer or a shorter schedule`,
      });
  });

/** The minutes of a `rate(n unit)` schedule expression, or null for anything else (or less than a minute). */
export function scheduleMinutes(expression: string): number | null {
  const match = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if (match === null) return null;
  const value = Number(match[1]);
  const unit = match[2] as string;
  if (value < 1 || (value === 1) !== !unit.endsWith('s')) return null;
  const minutes = unit.startsWith('minute') ? value : unit.startsWith('hour') ? value * 60 : value * 1440;
  return minutes >= 1 ? minutes : null;
}

export type MonitoringConfig = z.infer<typeof monitoringSchema>;

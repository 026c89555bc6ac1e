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
     * Hours without a single prediction request after which the model counts as abandoned or cut off (missing data is
     * breaching); null for a model that is not served continuously.
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
  })
  .strict();

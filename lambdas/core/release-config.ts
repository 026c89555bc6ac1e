import * as z from 'zod';

/**
 * How a version that passed its gate reaches production. `direct`: at once. `canary`: the candidate answers each
 * step's share of traffic (routed by a hash of a sticky key) for `bakeMinutes`, then the next; promoted after the last,
 * rolled back at once if one of its alarms fires. `shadow`: production answers everything, the candidate scores the
 * same requests (captured and measured, never returned) for each step's bake time. Either way a release check first
 * loads the candidate through the serving path and compares its answers on test rows with validation's.
 */
export const releaseSchema = z
  .object({
    mode: z.enum(['direct', 'canary', 'shadow']).default('direct'),
    /** Percentages of traffic the candidate answers, one bake period each (shadow: the bake periods only). */
    steps: z
      .array(z.number().int().min(1).max(99))
      .min(1)
      .max(10)
      .default([10, 50])
      .refine((steps) => steps.every((s, i) => i === 0 || s > (steps[i - 1] as number)), {
        message: 'steps must increase, e.g. [10, 50]',
      }),
    bakeMinutes: z.number().int().min(1).max(1440).default(5),
    /** Test rows the release check sends through the serving path before any traffic. */
    checkRows: z.number().int().min(1).max(1000).default(50),
    /** The release check's latency budget for one request of `checkRows` instances, in the serving function. */
    checkLatencyMs: z.number().positive().max(60_000).default(1000),
  })
  .strict();

export type ReleaseConfig = z.infer<typeof releaseSchema>;

import * as z from 'zod';
import { scheduleMinutes } from '../monitoring-config.js';

/**
 * Continuous training, from the model file's `retraining` section: what starts a retraining run besides an upload,
 * on what data, and the limits that keep it from looping.
 */
export const retrainingSchema = z
  .object({
    /** Retrain when the model's "needs retraining" alarm goes to ALARM (drift or decay of its production traffic). */
    onAlarm: z.boolean().default(true),
    /** Retrain on a schedule as well (`rate(7 days)`); null: only on the alarm and by hand. */
    schedule: z
      .string()
      .refine((expression) => (scheduleMinutes(expression) ?? 0) >= 60, {
        message: 'must be a rate of at least an hour: "rate(1 day)", "rate(7 days)"',
      })
      .nullable()
      .default(null),
    /** `latest`: the model's newest upload(s); `latest+feedback`: and the captured requests that have ground truth. */
    data: z.enum(['latest', 'latest+feedback']).default('latest'),
    /** No automatic retraining within this many hours of the last one (a failed run counts). */
    cooldownHours: z
      .number()
      .min(0)
      .max(24 * 30)
      .default(24),
    /** At most this many automatic retrainings in any 7 days. */
    maxPerWeek: z.number().int().min(1).max(100).default(3),
  })
  .strict();

export type RetrainingConfig = z.infer<typeof retrainingSchema>;

import * as z from 'zod';

/**
 * What a model's request capture keeps: which share of requests, and what happens to fields that must not be stored
 * as sent. Capture records feed drift and live-accuracy monitoring and are joined with ground truth by prediction id.
 */
export const captureSchema = z
  .object({
    /** Share of requests captured (0 turns capture off), chosen by a hash of the request id. */
    samplePercent: z.number().min(0).max(100).default(100),
    /** Request fields left out of capture records; null drops the model's sensitive attributes. */
    drop: z.array(z.string().min(1)).nullable().default(null),
    /**
     * Request fields stored as a SHA-256 pseudonym (so captures of one customer id still join); a pseudonym of a
     * low-cardinality value is not anonymous — drop those instead.
     */
    hash: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .refine((c) => !c.hash.some((field) => c.drop?.includes(field)), {
    message: 'a field cannot be both dropped and hashed',
    path: ['hash'],
  });

import * as z from 'zod';
import { releaseSchema } from '../../core/release-config.js';

/**
 * What the release state machine hands the release function at each step (`state-machines/release.ts` builds these
 * payloads): begin, prepare and judge the release check, a minute's tick of a bake, abort.
 */
const model = z.string().min(1);
export const releaseStepInputSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('begin'),
    model,
    candidateVersion: z.number().int().positive(),
    release: releaseSchema,
    executionArn: z.string().optional(),
  }),
  z.object({
    action: z.literal('prepare-check'),
    model,
    candidateVersion: z.number().int().positive(),
    rows: z.number().int().positive(),
  }),
  z.object({
    action: z.literal('judge-check'),
    model,
    candidateVersion: z.number().int().positive(),
    budgetMs: z.number().positive(),
    expected: z.array(z.unknown()),
    response: z.object({
      statusCode: z.number().optional(),
      body: z.string().optional(),
      headers: z.record(z.string(), z.string()).optional(),
    }),
  }),
  z.object({ action: z.literal('tick'), model, minutesLeft: z.number().int().min(0) }),
  z.object({ action: z.literal('abort'), model, reason: z.string() }),
]);

export type ReleaseStepInput = z.infer<typeof releaseStepInputSchema>;

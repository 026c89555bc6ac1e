import * as z from 'zod';
import { RequestValidationError } from '../../core/errors.js';
import { MAX_INSTANCES } from '../../core/instances.js';

/**
 * The HTTP API's requests and answers: these schemas validate the requests and generate the OpenAPI document
 * (lambdas/shared/contracts/openapi.ts, checked in as docs/openapi.json), so the two cannot disagree. Feature values are checked
 * against the served version's features after the envelope (lambdas/core/instances.ts).
 */

/** The header that pins a request's release variant (the release check, debugging). */
export const VARIANT_HEADER = 'x-mlops-variant';
/** The header whose value keeps one caller on one version during a release (else the caller's identity). */
export const ROUTING_KEY_HEADER = 'x-mlops-routing-key';

/** A prediction id: the request's id (a UUID) and the instance's position in it. */
export const PREDICTION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.\d{1,4}$/;

/** An instance is checked for being an object here (cheaply: this runs per instance); its features after. */
export const instanceSchema = z
  .custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
    error: 'must be an object of feature values',
  })
  .describe(
    'One row: each feature of the model by name, a number (numeric features), a string (categorical) or null (unknown). Other fields are ignored and, unless the model file drops them, captured.',
  );

export const predictRequestSchema = z
  .object({
    instances: z
      .array(instanceSchema, { error: '"instances" is required and must be an array of objects' })
      .min(1, {
        error: (issue) =>
          `"instances" has ${(issue.input as unknown[]).length} items; send between 1 and ${MAX_INSTANCES} per request`,
      })
      .max(MAX_INSTANCES, {
        error: (issue) =>
          `"instances" has ${(issue.input as unknown[]).length} items; send between 1 and ${MAX_INSTANCES} per request`,
      }),
    version: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Serve this approved version instead of the release the caller would meet (to compare or debug).'),
  })
  .strict()
  .describe('What to score.');

const probabilitiesSchema = z
  .record(z.string(), z.number())
  .describe('Each class with its probability; they sum to 1.');
const predictionSchema = z.union([
  z
    .object({ id: z.string(), label: z.string(), probabilities: probabilitiesSchema })
    .describe('A classification: the most probable class.'),
  z.object({ id: z.string(), value: z.number() }).describe('A regression: the predicted value.'),
]);

export const predictResponseSchema = z.object({
  model: z.string(),
  version: z.number().int(),
  variant: z.enum(['production', 'candidate']).describe('Which release variant answered.'),
  predictions: z.array(predictionSchema).describe('One per instance, in order; `id` is what feedback refers to.'),
  warnings: z
    .array(z.object({ instance: z.number().int(), feature: z.string(), value: z.string(), message: z.string() }))
    .optional()
    .describe('Values the model could not use as sent (categories it never learned), per instance.'),
});

export const feedbackItemSchema = z
  .object({
    predictionId: z.string().regex(PREDICTION_ID_PATTERN, {
      error: 'is not a prediction id this API gave out (ids look like "<uuid>.<position>")',
    }),
    label: z
      .union([z.string().min(1).max(1000), z.number()], {
        error: 'is required: the true class (a string) or value (a number)',
      })
      .describe('The truth: the class (classification) or the value (regression).'),
  })
  .strict();

export const FEEDBACK_MAX_ITEMS = 100;

export const feedbackBatchSchema = z
  .object({
    feedback: z
      .array(feedbackItemSchema, { error: '"feedback" must be an array of {"predictionId", "label"} objects' })
      .min(1, { error: `"feedback" is empty; send 1 to ${FEEDBACK_MAX_ITEMS} items` })
      .max(FEEDBACK_MAX_ITEMS, {
        error: (issue) =>
          `"feedback" has ${(issue.input as unknown[]).length} items; send at most ${FEEDBACK_MAX_ITEMS} per request`,
      }),
  })
  .strict()
  .describe(`The truth of up to ${FEEDBACK_MAX_ITEMS} predictions.`);

/** One item, or a batch under "feedback" (the body's shape decides which schema checks it, for a precise message). */
export const feedbackRequestSchema = z
  .union([feedbackItemSchema.describe('The truth of one prediction.'), feedbackBatchSchema])
  .describe(
    'Ground truth for predictions, by prediction id. Recording is idempotent on the id: sending the same truth again changes nothing; a different truth for a recorded id is a conflict (409).',
  );

export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;
export type FeedbackItem = z.infer<typeof feedbackItemSchema>;

export const feedbackResponseSchema = z.object({
  model: z.string(),
  results: z.array(z.object({ predictionId: z.string(), status: z.enum(['recorded', 'duplicate', 'conflict']) })),
});

const variantSchema = z.object({
  version: z.number().int(),
  since: z.string().optional(),
  metrics: z.record(z.string(), z.number().nullable()).optional(),
});

/** What a serving container answers with, against what the registry points at. */
export const servingSchema = z
  .object({
    model: z.string(),
    state: z
      .enum(['ok', 'behind', 'unavailable', 'none'])
      .describe(
        'ok: the production version; behind: another one, because the production version could not be loaded; unavailable: nothing; none: no production version yet.',
      ),
    serving: z.number().int().nullable().describe('The version that answers.'),
    production: z.number().int().nullable().describe('The version the production pointer names, as last read.'),
    message: z.string().describe('One line, e.g. "serving v8; v7 could not be loaded: its artifact is missing".'),
    degraded: z.literal(true).optional().describe('The latest refresh failed: serving, but not as it should.'),
  })
  .describe('What the answering container serves of the model.');

export const modelResponseSchema = z.object({
  model: z.string(),
  production: variantSchema.nullable().describe('The version in production, with its test metrics.'),
  candidate: variantSchema
    .extend({ share: z.number().min(0).max(100), mode: z.enum(['canary', 'shadow', 'none']) })
    .nullable()
    .describe('The newest version that passed its gate, and the share of traffic it answers.'),
  serving: servingSchema,
});

export const healthResponseSchema = z.object({
  status: z
    .enum(['ok', 'degraded', 'unavailable'])
    .describe(
      'ok: every deployed model serves its production version; degraded: one serves another version or could not refresh; unavailable (503): one serves nothing although it has a production version.',
    ),
  time: z.string(),
  models: z.array(servingSchema),
});

export const errorResponseSchema = z.object({
  error: z
    .string()
    .describe('NotFound, BadRequest, Conflict, PayloadTooLarge, TooManyRequests, ModelUnavailable or InternalError.'),
  message: z.string().describe('What was wrong and how to fix it.'),
});

/** A request body checked against its schema; a violation is a 400 with the first problem, naming its field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, example = '{"instances": [{...}]}'): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new RequestValidationError(`the body must be a JSON object like ${example}`);
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length
    ? issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '')
    : '';
  const message =
    issue?.code === 'unrecognized_keys'
      ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where ? ` in ${where}` : ''}`
      : `${where && !issue?.message.startsWith('"') ? `${where} ` : ''}${issue?.message ?? 'is not valid'}`;
  throw new RequestValidationError(message);
}

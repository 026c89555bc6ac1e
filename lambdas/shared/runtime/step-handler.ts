import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { MlopsError, StepInputError, TransientError } from '../../core/errors.js';
import { logger } from './logger.js';
import { metrics } from './metrics.js';
import { annotateTrace, tracer } from './tracer.js';

/** The run an invocation works for: its log lines and metrics carry these. */
export interface Correlation {
  readonly model: string;
  readonly runId?: string;
}

export interface StepDefinition<S extends z.ZodType, R> {
  /** What the step accepts; anything else fails as StepInputError, naming the field. */
  readonly input: S;
  readonly correlate: (input: z.infer<S>) => Correlation;
  readonly run: (input: z.infer<S>, context: Context) => Promise<R>;
  /** The line logged when the step succeeds, and the business metrics it records (with the `model` dimension). */
  readonly done: (result: R, input: z.infer<S>) => StepOutcome;
}

export interface StepOutcome {
  readonly message: string;
  readonly fields?: Record<string, unknown>;
  /** Metrics counted (unit Count) and timed (unit Seconds). */
  readonly counts?: Record<string, number>;
  readonly seconds?: Record<string, number>;
}

/** SDK errors that pass: throttling, timeouts and server-side failures (the SDK already retried them a few times). */
function isTransient(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  if (e === null || typeof e !== 'object') return false;
  if (e.$retryable !== undefined) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return [
    'TimeoutError',
    'ThrottlingException',
    'ProvisionedThroughputExceededException',
    'RequestLimitExceeded',
    'SlowDown',
    'ECONNRESET',
    'ECONNREFUSED',
  ].includes(e.name ?? '');
}

/**
 * Errors as the state machine should see them: the project's own as they are; a passing dependency failure as
 * TransientError (retried with backoff); anything else unchanged, so its name still tells what went wrong.
 */
export function classify(error: unknown): unknown {
  if (error instanceof MlopsError) return error;
  if (isTransient(error))
    return new TransientError(`a dependency failed, and may not the next time: ${(error as Error).message}`, {
      cause: error,
    });
  return error;
}

/**
 * The one shape of every pipeline function: the Lambda context in every log line, the input checked, the model and
 * run id appended to every log line, metric and trace, the outcome logged, business metrics flushed as embedded-format
 * lines (failed invocations too; cold starts counted), and a failure logged once with its cause and rethrown classified (retryable or not).
 */
export function stepHandler<S extends z.ZodType, R>(step: StepDefinition<S, R>) {
  return (
    middy<unknown, R, Error, Context>()
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      // Flushes the business metrics after the step, a failed one too, and counts cold starts.
      .use(logMetrics(metrics, { captureColdStartMetric: true }))
      .handler(async (event, context) => {
        try {
          const parsed = step.input.safeParse(event);
          if (!parsed.success) {
            const problems = parsed.error.issues
              .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
              .join('; ');
            throw new StepInputError(`this step does not accept its input: ${problems}`, { cause: parsed.error });
          }
          const input = parsed.data as z.infer<S>;
          const correlation = step.correlate(input);
          logger.appendKeys({ model: correlation.model, ...(correlation.runId ? { runId: correlation.runId } : {}) });
          annotateTrace(correlation);
          const result = await step.run(input, context);
          const outcome = step.done(result, input);
          logger.info(outcome.message, outcome.fields ?? {});
          publish(correlation.model, outcome);
          return result;
        } catch (error) {
          const classified = classify(error);
          logger.error('step failed', {
            error: classified as Error,
            retryable: classified instanceof MlopsError ? classified.retryable : false,
          });
          throw classified;
        }
      })
  );
}

/** Business metrics of one invocation, with the model as the dimension (one embedded-format line once flushed). */
function publish(model: string, outcome: StepOutcome): void {
  const entries = [
    ...Object.entries(outcome.counts ?? {}).map(([name, value]) => [name, value, 'Count'] as const),
    ...Object.entries(outcome.seconds ?? {}).map(([name, value]) => [name, value, 'Seconds'] as const),
  ];
  if (entries.length === 0) return;
  metrics.addDimension('model', model);
  for (const [name, value, unit] of entries) metrics.addMetric(name, unit, value);
}

import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray tracing: a subsegment per handler invocation and per AWS SDK call of the captured clients, annotated with the
 * model and run. Powertools turns itself off outside a Lambda execution environment (unit tests, the CLI), and the
 * service name comes from POWERTOOLS_SERVICE_NAME set by the construct.
 */
export const tracer = new Tracer();

/** The run an invocation works for, searchable in X-Ray (annotations are indexed; metadata is not). */
export function annotateTrace(correlation: { readonly model: string; readonly runId?: string }): void {
  tracer.putAnnotation('model', correlation.model);
  if (correlation.runId !== undefined) tracer.putAnnotation('runId', correlation.runId);
}

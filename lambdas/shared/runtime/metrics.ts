import { Metrics } from '@aws-lambda-powertools/metrics';
import { logger } from './logger.js';

/**
 * Where Powertools' own messages go: our logger, except the warning it gives at every flush with nothing stored — a
 * step or request that has nothing to count is normal here, so that one is a debug line.
 */
const metricsLog = {
  debug: (message: string) => logger.debug(message),
  info: (message: string) => logger.info(message),
  warn: (message: string) =>
    message.startsWith('No application metrics') ? logger.debug(message) : logger.warn(message),
  error: (message: string) => logger.error(message),
};

/**
 * CloudWatch metrics in the embedded metric format: JSON lines in the function's output that CloudWatch Logs turns
 * into metrics (no API call on the request path). Namespace from POWERTOOLS_METRICS_NAMESPACE, set by the construct.
 * The handler factories flush it after every invocation, failed ones too (Powertools' `logMetrics`), with the
 * cold-start metric.
 */
export const metrics = new Metrics({ defaultDimensions: {}, logger: metricsLog });

/** Emits one count at once, with the model as its dimension (a metric per model, as the alarms expect). */
export function countForModel(name: string, model: string, value = 1): void {
  const single = metrics.singleMetric();
  single.addDimension('model', model);
  single.addMetric(name, 'Count', value);
}

/**
 * Documents with the release variant as a dimension too, published as soon as they are complete: a document's
 * dimension sets apply to every metric in it, so the variant's distribution metrics cannot share the model's
 * document, and a shadow request writes two variant documents (production's and the candidate's).
 */
export const variantMetrics = new Metrics({ defaultDimensions: {}, logger: metricsLog });

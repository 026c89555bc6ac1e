import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics in the embedded metric format: JSON lines in the function's output that CloudWatch Logs turns
 * into metrics (no API call on the request path). Namespace from POWERTOOLS_METRICS_NAMESPACE, set by the construct.
 */
export const metrics = new Metrics({ defaultDimensions: {} });

/** Emits one count at once, with the model as its dimension (a metric per model, as the alarms expect). */
export function countForModel(name: string, model: string, value = 1): void {
  const single = metrics.singleMetric();
  single.addDimension('model', model);
  single.addMetric(name, 'Count', value);
}

/**
 * A second metrics document per request, for metrics with another dimension set (a single-metric document would hold
 * only its first metric).
 */
export const dimensionedMetrics = new Metrics({ defaultDimensions: {} });

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ModelConfig } from '../lambdas/core/model-config.js';
import { scheduleMinutes } from '../lambdas/core/monitoring-config.js';
import { METRIC_NAMESPACE, serviceOf } from '../lambdas/shared/contracts/metric-names.js';

export interface AppMetricProps {
  readonly metricName: string;
  /** The function that emits it (its Powertools `service` dimension). */
  readonly service: string;
  /** The model it is about (dimension `model`). */
  readonly model: string;
  /** A release's variant (dimension `variant`), for the per-variant metrics predict publishes. @default none */
  readonly variant?: 'production' | 'candidate';
  readonly statistic: string;
  readonly period: Duration;
}

/**
 * One of the metrics the functions publish in the embedded metric format: the project's namespace, and the
 * dimensions they publish it with (service, model, and for predict's per-variant metrics the variant).
 */
export function appMetric(props: AppMetricProps): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: props.metricName,
    dimensionsMap: {
      service: serviceOf(props.service),
      model: props.model,
      ...(props.variant !== undefined ? { variant: props.variant } : {}),
    },
    statistic: props.statistic,
    period: props.period,
  });
}

/**
 * A figure the monitor publishes once per window for a model — production's by default, the model's own (no variant)
 * for the silence — as its Maximum over one schedule interval: one data point per window.
 */
export function monitoredMetric(
  model: Pick<ModelConfig, 'name' | 'monitoring'>,
  metricName: string,
  variant: 'production' | null = 'production',
): cloudwatch.Metric {
  return appMetric({
    metricName,
    service: 'monitor',
    model: model.name,
    ...(variant !== null ? { variant } : {}),
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.minutes(scheduleMinutes(model.monitoring.schedule) ?? 15),
  });
}

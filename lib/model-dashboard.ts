import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { PREDICT_METRICS } from '../lambdas/shared/contracts/metric-names.js';
import { appMetric } from './app-metrics.js';

/** The model's dashboard: traffic, errors, latency, predictions, a release's variants side by side, its alarms. */
export function modelDashboard(scope: Construct, name: string, alarms: cloudwatch.IAlarm[]): cloudwatch.Dashboard {
  const fiveMinutes = Duration.minutes(5);
  const predictMetric = (metricName: string, statistic: string) =>
    appMetric({ metricName, service: 'predict', model: name, statistic, period: fiveMinutes });
  return new cloudwatch.Dashboard(scope, 'Dashboard', {
    widgets: [
      [
        new cloudwatch.GraphWidget({
          title: `${name}: requests and 5xx`,
          left: [predictMetric(PREDICT_METRICS.requests, cloudwatch.Stats.SUM)],
          right: [predictMetric(PREDICT_METRICS.serverErrors, cloudwatch.Stats.SUM)],
        }),
        new cloudwatch.GraphWidget({
          title: `${name}: latency (ms)`,
          left: [
            predictMetric(PREDICT_METRICS.latency, cloudwatch.Stats.p(50)),
            predictMetric(PREDICT_METRICS.latency, cloudwatch.Stats.p(99)),
          ],
        }),
        new cloudwatch.GraphWidget({
          title: `${name}: predictions`,
          left: [predictMetric(PREDICT_METRICS.predictions, cloudwatch.Stats.SUM)],
        }),
      ],
      [
        new cloudwatch.GraphWidget({
          title: `${name}: release, mean prediction score by variant`,
          left: (['production', 'candidate'] as const).map((variant) => meanScore(name, variant)),
          width: 12,
        }),
        new cloudwatch.AlarmStatusWidget({ title: `${name}: alarms`, alarms, width: 12 }),
      ],
    ],
  });
}

/**
 * A variant's mean prediction score per minute during a release (its scores' sum over its predictions): the
 * candidate's prediction distribution beside production's.
 */
function meanScore(model: string, variant: 'production' | 'candidate'): cloudwatch.MathExpression {
  const metric = (metricName: string) =>
    appMetric({
      metricName,
      service: 'predict',
      model,
      variant,
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
    });
  const id = variant === 'production' ? 'p' : 'c';
  return new cloudwatch.MathExpression({
    expression: `scores${id} / predictions${id}`,
    usingMetrics: {
      [`scores${id}`]: metric(PREDICT_METRICS.scoreSum),
      [`predictions${id}`]: metric(PREDICT_METRICS.predictions),
    },
    label: variant,
    period: Duration.minutes(1),
  });
}

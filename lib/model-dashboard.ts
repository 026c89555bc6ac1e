import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { ModelConfig } from '../lambdas/core/model-config.js';
import { MONITOR_METRICS, PREDICT_METRICS, RETRAIN_METRICS } from '../lambdas/shared/contracts/metric-names.js';
import { appMetric, monitoredMetric } from './app-metrics.js';

/**
 * The model's dashboard: traffic, errors, latency, predictions, a release's variants side by side, its alarms; and what
 * the monitor measures of production's traffic (drift, estimated against realized performance) with the retraining
 * runs it started.
 */
export function modelDashboard(
  scope: Construct,
  model: Pick<ModelConfig, 'name' | 'monitoring'>,
  alarms: cloudwatch.IAlarm[],
): cloudwatch.Dashboard {
  const name = model.name;
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
      monitoringWidgets(model),
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

/** What the monitor publishes per window for production, one point per window, and the retraining runs started. */
function monitoringWidgets(model: Pick<ModelConfig, 'name' | 'monitoring'>): cloudwatch.IWidget[] {
  const monitored = (metricName: string, label: string) => monitoredMetric(model, metricName).with({ label });
  return [
    new cloudwatch.GraphWidget({
      title: `${model.name}: drift (share of features drifted, prediction drift, influence growth)`,
      left: [
        monitored(MONITOR_METRICS.driftedShare, 'share of features drifted'),
        monitored(MONITOR_METRICS.predictionDrift, 'predictions drifted (1)'),
        monitored(MONITOR_METRICS.influenceGrowth, "largest growth of a feature's influence"),
      ],
      leftYAxis: { min: -1, max: 1 },
    }),
    new cloudwatch.GraphWidget({
      title: `${model.name}: performance, estimated (no labels) and realized (ground truth)`,
      left: [monitored(MONITOR_METRICS.estimated, 'estimated'), monitored(MONITOR_METRICS.realized, 'realized')],
    }),
    new cloudwatch.GraphWidget({
      title: `${model.name}: retraining runs started, and retrainings with nothing new to train on`,
      left: [
        ...[RETRAIN_METRICS.started, RETRAIN_METRICS.nothingNew].map((metricName) =>
          appMetric({
            metricName,
            service: 'retrain',
            model: model.name,
            statistic: cloudwatch.Stats.SUM,
            period: Duration.hours(1),
          }),
        ),
      ],
    }),
  ];
}

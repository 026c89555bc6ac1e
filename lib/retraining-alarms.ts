import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ModelConfig } from '../lambdas/core/model-config.js';
import { MONITOR_METRICS } from '../lambdas/shared/contracts/metric-names.js';
import type { AlarmFactory } from './alarm-factory.js';
import { monitoredMetric } from './app-metrics.js';

/** A model's alarms on what the monitor measures of its production traffic, and the composite that asks to retrain. */
export interface RetrainingAlarms {
  /** More than `maxDriftedShare` of the features drifted. */
  readonly inputDrift: cloudwatch.Alarm;
  /** The predictions' distribution drifted. */
  readonly predictionDrift: cloudwatch.Alarm;
  /** Estimated accuracy (no labels) below the version's test accuracy by more than `maxPerformanceDrop`. */
  readonly estimatedDecay: cloudwatch.Alarm;
  /** Realized accuracy (R² for regression) from feedback below the test figure by more than `maxPerformanceDrop`. */
  readonly realizedDecay: cloudwatch.Alarm;
  /** Drift or decay: "needs retraining" (what starts a retraining). */
  readonly needsRetraining: cloudwatch.CompositeAlarm;
}

/**
 * The monitor's figures for the production variant, one data point per window: each alarm looks at
 * `monitoring.evaluationPeriods` windows (one period each: the schedule's interval) and goes to ALARM when
 * `monitoring.datapointsToAlarm` of them breach. A window without enough data publishes no figure, and missing data
 * does not breach: too little traffic is never drift. The composite is suppressed while a release is in progress (its
 * own alarms judge the candidate then).
 */
export function retrainingAlarms(
  alarms: AlarmFactory,
  model: Pick<ModelConfig, 'name' | 'monitoring'>,
  releaseInProgress: cloudwatch.IAlarm,
): RetrainingAlarms {
  const { monitoring } = model;
  const windows = `${monitoring.datapointsToAlarm} of the last ${monitoring.evaluationPeriods} monitored windows`;
  const metric = (metricName: string) => monitoredMetric(model, metricName);
  const judged = {
    evaluationPeriods: monitoring.evaluationPeriods,
    datapointsToAlarm: monitoring.datapointsToAlarm,
    missingData: 'notBreaching' as const,
    crossing: 'above' as const,
  };
  const drop = monitoring.maxPerformanceDrop;
  const inputDrift = alarms.threshold('InputDrift', {
    description: `${monitoring.maxDriftedShare === 0 ? 'input drift' : `more than ${monitoring.maxDriftedShare} of the features drifted`} in ${windows}`,
    metric: metric(MONITOR_METRICS.driftedShare),
    threshold: monitoring.maxDriftedShare,
    ...judged,
  });
  const predictionDrift = alarms.threshold('PredictionDrift', {
    description: `the predictions' distribution drifted in ${windows}`,
    metric: metric(MONITOR_METRICS.predictionDrift),
    threshold: 0.5,
    ...judged,
  });
  const estimatedDecay = alarms.threshold('EstimatedDecay', {
    description: `estimated accuracy (no labels) more than ${drop} below the version's test accuracy in ${windows}`,
    metric: metric(MONITOR_METRICS.estimatedDrop),
    threshold: drop,
    ...judged,
  });
  const realizedDecay = alarms.threshold('RealizedDecay', {
    description: `accuracy (R² for regression) from ground truth more than ${drop} below the version's test figure in ${windows}`,
    metric: metric(MONITOR_METRICS.realizedDrop),
    threshold: drop,
    ...judged,
  });
  const needsRetraining = alarms.composite('NeedsRetraining', {
    description: 'needs retraining: its inputs or predictions drifted, or its performance decayed',
    anyOf: [inputDrift, predictionDrift, estimatedDecay, realizedDecay],
    suppressor: { alarm: releaseInProgress, wait: Duration.minutes(2), extension: Duration.minutes(5) },
  });
  return { inputDrift, predictionDrift, estimatedDecay, realizedDecay, needsRetraining };
}

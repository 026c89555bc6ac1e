import type { AlarmSignal, SignalKind } from './signals.js';

/**
 * Which model an alarm concerns and what it says, read from the metric it watches — as CloudWatch's "Alarm State
 * Change" event carries it (`detail.configuration.metrics[0].metricStat.metric`) — so no catalogue of alarm names has
 * to follow the stack around. The project's own metrics carry a `model` dimension; AWS's (the state machine's failed
 * executions, a queue's messages, a function's errors, the API's 5xx) concern the whole stack.
 */

/** The metric of an alarm, as the state-change event names it. */
export interface AlarmMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

const PROJECT_METRICS: Record<string, SignalKind> = {
  DriftedFeatureShare: 'input_drift',
  PredictionDrift: 'prediction_drift',
  EstimatedPerformanceDrop: 'estimated_decay',
  RealizedPerformanceDrop: 'realized_decay',
  PredictServerErrors: 'errors',
  PredictLatency: 'latency',
  ProductionSilentHours: 'no_traffic',
  ModelRefreshFailures: 'serving_load',
  CandidateLoadFailures: 'release',
  ServedVersionMismatch: 'serving_load',
  PredictModelMissing: 'serving_load',
  RunsFailed: 'pipeline',
  ReleaseInProgress: 'release',
};

const AWS_METRICS: Record<string, Record<string, SignalKind>> = {
  'AWS/States': { ExecutionsFailed: 'pipeline', ExecutionsTimedOut: 'pipeline' },
  'AWS/SQS': { ApproximateNumberOfMessagesVisible: 'platform' },
  'AWS/Lambda': { Errors: 'platform' },
  'AWS/ApiGateway': { '5xx': 'platform', '5XXError': 'platform' },
};

/**
 * The alarm's model and kind, or null for an alarm the incident logic does not follow (a composite, whose members it
 * follows instead; a metric it does not know). A candidate's error rate or latency during a release belongs to the
 * release branch: its own alarms roll the release back.
 */
export function classifyAlarm(alarmName: string, metric: AlarmMetric | undefined): AlarmSignal | null {
  if (metric === undefined) return null;
  if (metric.namespace === 'ServerlessMlops') {
    const kind = PROJECT_METRICS[metric.name];
    const model = metric.dimensions.model;
    if (kind === undefined || model === undefined) return null;
    const candidate = metric.dimensions.variant === 'candidate';
    return { alarmName, model, kind: candidate ? 'release' : kind };
  }
  const kind = AWS_METRICS[metric.namespace]?.[metric.name];
  if (kind === undefined) return null;
  // The upload events' dead-letter queue holds uploads that could not start a run: data, not the platform (its
  // physical name carries its logical id, lib/training-pipeline.ts). The other queues hold undelivered deliveries.
  const upload = metric.namespace === 'AWS/SQS' && (metric.dimensions.QueueName ?? '').includes('UploadEventsDlq');
  return { alarmName, model: null, kind: upload ? 'data' : kind };
}

import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ModelConfig } from '../lambdas/core/model-config.js';
import {
  candidateAlarmNames,
  MONITOR_METRICS,
  PIPELINE_METRICS,
  PREDICT_METRICS,
} from '../lambdas/shared/contracts/metric-names.js';
import { AlarmFactory, type ThresholdAlarmProps } from './alarm-factory.js';
import { appMetric, monitoredMetric } from './app-metrics.js';
import { modelDashboard } from './model-dashboard.js';
import { retrainingAlarms, type RetrainingAlarms } from './retraining-alarms.js';

export interface ModelAlarmsProps {
  /** The model file: its name and `monitoring` section. */
  readonly model: Pick<ModelConfig, 'name' | 'monitoring'>;
  /** Where each alarm's changes go (for dashboards and chat, not paging: pages come from the incident function). */
  readonly detailTopic: sns.ITopic;
  /**
   * How long the composite waits, after going into ALARM, for the release alarm to go into ALARM before it acts.
   * @default 2 minutes
   */
  readonly suppressorWait?: Duration;
  /** How long the composite stays quiet after a release ends. @default 5 minutes */
  readonly suppressorExtension?: Duration;
}

/**
 * A model's alarms in production, from its model file: predict's error rate and p99 latency, no traffic at all, and a
 * failed pipeline run; each reports to the detail topic, and the incident function pages once per incident
 * (lib/incident-response.ts). One composite "model degraded" alarm sums them up, suppressed while the model's "release
 * in progress" alarm (set by the release process) is in ALARM. A dashboard shows the model's traffic, errors, latency and alarms.
 */
export class ModelAlarms extends Construct {
  public readonly errorRate: cloudwatch.Alarm;
  public readonly latency: cloudwatch.Alarm;
  public readonly noTraffic?: cloudwatch.Alarm;
  public readonly failedRun?: cloudwatch.Alarm;
  public readonly releaseInProgress: cloudwatch.Alarm;
  /**
   * The candidate's error rate and p99 latency during a release, per minute: either in ALARM rolls it back. Named
   * explicitly (candidateAlarmNames), so the release function derives them from the stack's name.
   */
  public readonly candidateAlarms: cloudwatch.Alarm[];
  /**
   * What serving counts about loading versions: refresh failures, a release candidate that cannot load, a container
   * serving another version than the pointer names (or none), and requests for the model while it has no production
   * version. They feed the composite.
   */
  public readonly servingAlarms: cloudwatch.Alarm[];
  public readonly degraded: cloudwatch.CompositeAlarm;
  /** Drift and decay of the production traffic, as the monitor measures it, and the "needs retraining" composite. */
  public readonly retraining: RetrainingAlarms;
  public readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm of the model: the composite, its children and the release alarm. */
  public readonly all: cloudwatch.IAlarm[];

  /** Every alarm of the model reports its changes, both ways, to the detail topic. */
  private readonly alarms: AlarmFactory;

  constructor(scope: Construct, id: string, props: ModelAlarmsProps) {
    super(scope, id);
    this.alarms = new AlarmFactory(this, {
      alarmTopics: [props.detailTopic],
      notifyOk: true,
      describedAs: props.model.name,
    });
    const production = this.productionAlarms(props);
    this.errorRate = production.errorRate;
    this.latency = production.latency;
    if (production.noTraffic !== undefined) this.noTraffic = production.noTraffic;
    if (production.failedRun !== undefined) this.failedRun = production.failedRun;
    this.releaseInProgress = this.alarms.threshold('ReleaseInProgress', {
      description: 'a release is in progress: the model-degraded alarm is suppressed',
      metric: modelMetric(
        props.model.name,
        PIPELINE_METRICS.releaseInProgress,
        'release',
        cloudwatch.Stats.MAXIMUM,
        Duration.minutes(1),
      ),
      threshold: 1,
      crossing: 'atLeast',
      missingData: 'notBreaching',
    });
    this.candidateAlarms = this.releaseAlarms(props);
    this.servingAlarms = this.loadAlarms(props);

    const children = [this.errorRate, this.latency, this.noTraffic, this.failedRun, ...this.servingAlarms].filter(
      (a): a is cloudwatch.Alarm => a !== undefined,
    );
    // The model's state at a glance (dashboard, audit trail); its members page through the incident function.
    this.degraded = this.alarms.composite('Degraded', {
      description: `is degraded: ${children.length} alarms feed this one (the incident function pages for them)`,
      anyOf: children,
      suppressor: {
        alarm: this.releaseInProgress,
        wait: props.suppressorWait ?? Duration.minutes(2),
        extension: props.suppressorExtension ?? Duration.minutes(5),
      },
    });
    this.retraining = retrainingAlarms(this.alarms, props.model, this.releaseInProgress);
    const { inputDrift, predictionDrift, estimatedDecay, realizedDecay, needsRetraining } = this.retraining;
    const retrainingChildren = [inputDrift, predictionDrift, estimatedDecay, realizedDecay];
    this.all = [
      this.degraded,
      ...children,
      this.releaseInProgress,
      ...this.candidateAlarms,
      needsRetraining,
      ...retrainingChildren,
    ];
    this.dashboard = modelDashboard(this, props.model, [this.degraded, ...children, this.releaseInProgress]);
  }

  /** What the composite watches: predict's error rate and p99 latency, no traffic, a failed run (as configured). */
  private productionAlarms(props: ModelAlarmsProps): {
    errorRate: cloudwatch.Alarm;
    latency: cloudwatch.Alarm;
    noTraffic?: cloudwatch.Alarm;
    failedRun?: cloudwatch.Alarm;
  } {
    const { name, monitoring } = props.model;
    const fiveMinutes = Duration.minutes(5);
    const errorRate = this.alarms.threshold('ErrorRate', {
      description: `more than ${pct(monitoring.maxErrorRate)} of predict requests answered 5xx over 5 minutes`,
      metric: modelMetric(name, PREDICT_METRICS.serverErrors, 'predict', cloudwatch.Stats.AVERAGE, fiveMinutes),
      threshold: monitoring.maxErrorRate,
      crossing: 'above',
      missingData: 'notBreaching',
    });
    const latency = this.alarms.threshold('Latency', {
      description: `predict's p99 latency above ${monitoring.maxP99LatencyMs} ms over 5 minutes`,
      metric: modelMetric(name, PREDICT_METRICS.latency, 'predict', cloudwatch.Stats.p(99), fiveMinutes),
      threshold: monitoring.maxP99LatencyMs,
      crossing: 'above',
      missingData: 'notBreaching',
    });
    // The monitor publishes production's silence on every run, counted from its promotion: a model promoted a minute
    // ago is not "silent for a day". No figure (no production version, the monitor not run yet) is no silence; a
    // monitor that stops running alarms on its own (its schedule's dead-letter queue).
    const noTraffic =
      monitoring.noTrafficHours === null
        ? undefined
        : this.alarms.threshold('NoTraffic', {
            description: `no predict request for ${monitoring.noTrafficHours} h while a version is served (counted from its promotion)`,
            metric: monitoredMetric(props.model, MONITOR_METRICS.silentHours, null),
            threshold: monitoring.noTrafficHours,
            crossing: 'atLeast',
            missingData: 'notBreaching',
          });
    const failedRun = !monitoring.alarmOnFailedRun
      ? undefined
      : this.alarms.threshold('RunFailed', {
          description: 'a training pipeline run failed (`mlops runs` shows why)',
          metric: modelMetric(name, PIPELINE_METRICS.runsFailed, 'finish-run', cloudwatch.Stats.SUM, fiveMinutes),
          threshold: 1,
          crossing: 'atLeast',
          missingData: 'notBreaching',
        });
    return { errorRate, latency, ...(noTraffic ? { noTraffic } : {}), ...(failedRun ? { failedRun } : {}) };
  }

  /** Serving's own counts about loading the model (see `servingAlarms`), over 5 minutes; no data is no problem. */
  private loadAlarms(props: ModelAlarmsProps): cloudwatch.Alarm[] {
    const { name, monitoring } = props.model;
    const fiveMinutes = Duration.minutes(5);
    const atLeast = (
      description: string,
      metricName: string,
      statistic: string,
      threshold: number,
    ): ThresholdAlarmProps => ({
      description,
      metric: modelMetric(name, metricName, 'predict', statistic, fiveMinutes),
      threshold,
      crossing: 'atLeast',
      missingData: 'notBreaching',
    });
    return [
      this.alarms.threshold(
        'RefreshFailures',
        atLeast(
          `${monitoring.maxRefreshFailures} or more failed refreshes of the served version in 5 minutes (the pointer unreadable, or its version cannot be loaded)`,
          PREDICT_METRICS.refreshFailures,
          cloudwatch.Stats.SUM,
          monitoring.maxRefreshFailures,
        ),
      ),
      this.alarms.threshold(
        'ReleaseLoadFailures',
        atLeast(
          'a release candidate could not be loaded beside production (production answers everything)',
          PREDICT_METRICS.candidateLoadFailures,
          cloudwatch.Stats.SUM,
          1,
        ),
      ),
      this.alarms.threshold(
        'ServedVersionMismatch',
        atLeast(
          'a container serves another version than the production pointer names, or none (GET /v1/health says which and why)',
          PREDICT_METRICS.servedVersionMismatch,
          cloudwatch.Stats.MAXIMUM,
          1,
        ),
      ),
      this.alarms.threshold(
        'ModelMissing',
        atLeast(
          `${monitoring.maxMissingModelRequests} or more requests in 5 minutes for the model while it has no production version (404)`,
          PREDICT_METRICS.modelMissing,
          cloudwatch.Stats.SUM,
          monitoring.maxMissingModelRequests,
        ),
      ),
    ];
  }

  /** The candidate's error rate and p99 latency per minute during a release, under names the release function derives. */
  private releaseAlarms(props: ModelAlarmsProps): cloudwatch.Alarm[] {
    const { name, monitoring } = props.model;
    const candidateMetric = (metricName: string, statistic: string) =>
      appMetric({
        metricName,
        service: 'predict',
        model: name,
        variant: 'candidate',
        statistic,
        period: Duration.minutes(1),
      });
    const candidateNames = candidateAlarmNames(Stack.of(this).stackName, name);
    return [
      this.alarms.threshold('CandidateErrorRate', {
        description: `the release candidate answered more than ${pct(monitoring.maxErrorRate)} of its requests 5xx in a minute (the release rolls back)`,
        alarmName: candidateNames.errorRate,
        metric: candidateMetric(PREDICT_METRICS.serverErrors, cloudwatch.Stats.AVERAGE),
        threshold: monitoring.maxErrorRate,
        crossing: 'above',
        missingData: 'notBreaching',
      }),
      this.alarms.threshold('CandidateLatency', {
        description: `the release candidate's p99 latency above ${monitoring.maxP99LatencyMs} ms in a minute (the release rolls back)`,
        alarmName: candidateNames.latency,
        metric: candidateMetric(PREDICT_METRICS.latency, cloudwatch.Stats.p(99)),
        threshold: monitoring.maxP99LatencyMs,
        crossing: 'above',
        missingData: 'notBreaching',
      }),
    ];
  }
}

/** One of the model's metrics (dimensions: the service that emits it and the model). */
function modelMetric(
  model: string,
  metricName: string,
  service: string,
  statistic: string,
  period: Duration,
): cloudwatch.Metric {
  return appMetric({ metricName, service, model, statistic, period });
}

const pct = (share: number): string => `${Number((share * 100).toFixed(2))}%`;

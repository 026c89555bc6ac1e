import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from '../events/event-bus.js';
import type { AlarmCondition, AlarmState } from './alarm-evaluation.js';
import type { MetricId } from './metric-store.js';

/** A metric alarm as the template declares it, resolved. */
export interface MetricAlarmSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly metric: MetricId;
  /** Sum, Average, …, or an extended statistic such as p99. */
  readonly statistic: string;
  readonly periodSeconds: number;
  readonly condition: AlarmCondition;
  readonly actionsEnabled: boolean;
  readonly actions: Readonly<Record<AlarmState, readonly string[]>>;
}

/** An alarm's state as DescribeAlarms reports it. */
export interface AlarmStatus {
  readonly state: AlarmState;
  readonly reason: string;
  /** JSON, as CloudWatch's StateReasonData. */
  readonly reasonData?: string;
  /** Epoch milliseconds of the last transition. */
  readonly updatedAt: number;
}

export interface Transition {
  readonly alarm: MetricAlarmSpec;
  readonly previous: AlarmStatus;
  readonly current: AlarmStatus;
}

const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-west-2': 'US West (Oregon)',
  'eu-west-1': 'Europe (Ireland)',
};

/** The notification CloudWatch publishes to an SNS topic on a transition: subject and JSON message. */
export function snsNotification(
  t: Transition,
  region: string,
  account: string,
): { subject: string; message: Record<string, unknown> } {
  const { alarm, previous, current } = t;
  return {
    subject: `${current.state}: "${alarm.name}" in ${REGION_NAMES[region] ?? region}`.slice(0, 100),
    message: {
      AlarmName: alarm.name,
      AlarmDescription: alarm.description ?? null,
      AWSAccountId: account,
      AlarmConfigurationUpdatedTimestamp: new Date(0).toISOString(),
      NewStateValue: current.state,
      NewStateReason: current.reason,
      StateChangeTime: new Date(current.updatedAt).toISOString(),
      Region: REGION_NAMES[region] ?? region,
      AlarmArn: alarm.arn,
      OldStateValue: previous.state,
      OKActions: alarm.actions.OK,
      AlarmActions: alarm.actions.ALARM,
      InsufficientDataActions: alarm.actions.INSUFFICIENT_DATA,
      Trigger: {
        MetricName: alarm.metric.name,
        Namespace: alarm.metric.namespace,
        StatisticType: /^p\d/.test(alarm.statistic) ? 'ExtendedStatistic' : 'Statistic',
        Statistic: alarm.statistic.toUpperCase(),
        Unit: null,
        Dimensions: Object.entries(alarm.metric.dimensions).map(([name, value]) => ({ value, name })),
        Period: alarm.periodSeconds,
        EvaluationPeriods: alarm.condition.evaluationPeriods,
        DatapointsToAlarm: alarm.condition.datapointsToAlarm ?? alarm.condition.evaluationPeriods,
        ComparisonOperator: alarm.condition.comparisonOperator,
        Threshold: alarm.condition.threshold,
        TreatMissingData: alarm.condition.treatMissingData ?? 'missing',
        EvaluateLowSampleCountPercentile: '',
      },
    },
  };
}

/** The `detail` of the "CloudWatch Alarm State Change" event (also `alarmData` of a Lambda alarm action). */
function stateChangeDetail(t: Transition): Record<string, unknown> {
  const { alarm, previous, current } = t;
  return {
    alarmName: alarm.name,
    state: stateOf(current),
    previousState: stateOf(previous),
    configuration: {
      ...(alarm.description ? { description: alarm.description } : {}),
      metrics: [
        {
          id: randomUUID(),
          metricStat: {
            metric: { namespace: alarm.metric.namespace, name: alarm.metric.name, dimensions: alarm.metric.dimensions },
            period: alarm.periodSeconds,
            stat: alarm.statistic,
          },
          returnData: true,
        },
      ],
    },
  };
}

/** An alarm state as the state-change event carries it. */
function stateOf(s: AlarmStatus & { actionsSuppressedBy?: string }): Record<string, unknown> {
  return {
    value: s.state,
    reason: s.reason,
    ...(s.reasonData ? { reasonData: s.reasonData } : {}),
    timestamp: new Date(s.updatedAt).toISOString(),
    ...(s.actionsSuppressedBy ? { actionsSuppressedBy: s.actionsSuppressedBy } : {}),
  };
}

/** The "CloudWatch Alarm State Change" event CloudWatch puts on the default bus. */
function alarmEvent(
  arn: string,
  updatedAt: number,
  detail: Record<string, unknown>,
  region: string,
  account: string,
): EventBridgeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account,
    time: new Date(updatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [arn],
    detail,
  };
}

/** The event of a metric alarm's state change. */
export function stateChangeEvent(t: Transition, region: string, account: string): EventBridgeEvent {
  return alarmEvent(t.alarm.arn, t.current.updatedAt, stateChangeDetail(t), region, account);
}

/** The event a Lambda function gets as an alarm action. */
export function lambdaActionEvent(t: Transition, region: string, account: string): Record<string, unknown> {
  return {
    source: 'aws.cloudwatch',
    alarmArn: t.alarm.arn,
    accountId: account,
    time: new Date(t.current.updatedAt).toISOString(),
    region,
    alarmData: stateChangeDetail(t),
  };
}

/** What CloudWatch sends for a composite alarm: the SNS message, and the state-change event's detail. */
export function compositeNotification(
  t: {
    alarm: { name: string; arn: string; description?: string; ruleText: string };
    previous: AlarmStatus;
    current: AlarmStatus;
  },
  region: string,
  account: string,
): { subject: string; message: Record<string, unknown> } {
  return {
    subject: `${t.current.state}: "${t.alarm.name}" in ${REGION_NAMES[region] ?? region}`.slice(0, 100),
    message: {
      AlarmName: t.alarm.name,
      AlarmDescription: t.alarm.description ?? null,
      AWSAccountId: account,
      NewStateValue: t.current.state,
      NewStateReason: t.current.reason,
      StateChangeTime: new Date(t.current.updatedAt).toISOString(),
      Region: REGION_NAMES[region] ?? region,
      AlarmArn: t.alarm.arn,
      OldStateValue: t.previous.state,
      AlarmRule: t.alarm.ruleText,
    },
  };
}

export function compositeStateChangeEvent(
  t: {
    alarm: {
      name: string;
      arn: string;
      description?: string;
      ruleText: string;
      suppressor?: string;
      suppressorWaitMs: number;
      suppressorExtensionMs: number;
    };
    previous: AlarmStatus;
    current: AlarmStatus & { actionsSuppressedBy?: string };
  },
  region: string,
  account: string,
): EventBridgeEvent {
  const { alarm } = t;
  const suppressor = alarm.suppressor
    ? {
        actionsSuppressor: alarm.suppressor,
        actionsSuppressorWaitPeriod: alarm.suppressorWaitMs / 1000,
        actionsSuppressorExtensionPeriod: alarm.suppressorExtensionMs / 1000,
      }
    : {};
  const configuration = {
    alarmRule: alarm.ruleText,
    ...(alarm.description ? { description: alarm.description } : {}),
    ...suppressor,
  };
  return alarmEvent(
    alarm.arn,
    t.current.updatedAt,
    { alarmName: alarm.name, state: stateOf(t.current), previousState: stateOf(t.previous), configuration },
    region,
    account,
  );
}

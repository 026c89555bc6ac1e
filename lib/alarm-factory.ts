import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** How a threshold is crossed: above it, at or above it, or below it. */
export type Crossing = 'above' | 'atLeast' | 'below';

const OPERATORS: Record<Crossing, cloudwatch.ComparisonOperator> = {
  above: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  atLeast: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  below: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
};

export interface ThresholdAlarmProps {
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly crossing: Crossing;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** How many of the evaluation periods must breach ("M of N"). @default all of them */
  readonly datapointsToAlarm?: number;
  /** What a period without data means; said every time, never left to the default. */
  readonly missingData: 'breaching' | 'notBreaching';
  /** An explicit name, for alarms another component finds by name. @default CloudFormation's */
  readonly alarmName?: string;
}

export interface CompositeAlarmProps {
  readonly description: string;
  /** In ALARM while any of these is. */
  readonly anyOf: readonly cloudwatch.IAlarm[];
  /** An alarm whose ALARM holds the actions back, with its wait and extension periods. @default none */
  readonly suppressor?: { readonly alarm: cloudwatch.IAlarm; readonly wait: Duration; readonly extension: Duration };
}

export interface AlarmFactoryProps {
  /** Where every alarm's transitions into ALARM go. */
  readonly alarmTopics: readonly sns.ITopic[];
  /** Also tell the topics when an alarm returns to OK. @default false */
  readonly notifyOk?: boolean;
  /** Prefix of every description (e.g. the model's name). @default none */
  readonly describedAs?: string;
}

/**
 * The one way the stack makes an alarm: a threshold on a metric, the missing-data treatment stated, and the
 * factory's actions on every alarm it makes — so no alarm exists without an action.
 */
export class AlarmFactory {
  constructor(
    private readonly scope: Construct,
    private readonly props: AlarmFactoryProps,
  ) {}

  threshold(id: string, props: ThresholdAlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this.scope, id, {
      ...(props.alarmName !== undefined ? { alarmName: props.alarmName } : {}),
      alarmDescription:
        this.props.describedAs === undefined ? props.description : `${this.props.describedAs}: ${props.description}`,
      metric: props.metric,
      threshold: props.threshold,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      ...(props.datapointsToAlarm !== undefined ? { datapointsToAlarm: props.datapointsToAlarm } : {}),
      comparisonOperator: OPERATORS[props.crossing],
      treatMissingData:
        props.missingData === 'breaching'
          ? cloudwatch.TreatMissingData.BREACHING
          : cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.act(alarm);
    return alarm;
  }

  /** Any message waiting in a dead-letter queue (its most visible over 5 minutes): something was not delivered. */
  deadLettered(id: string, queue: sqs.IQueue, description: string, alarmName?: string): cloudwatch.Alarm {
    return this.threshold(id, {
      description,
      ...(alarmName !== undefined ? { alarmName } : {}),
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      crossing: 'atLeast',
      missingData: 'notBreaching',
    });
  }

  /** A composite alarm over others: one set of actions for a storm of them. */
  composite(id: string, props: CompositeAlarmProps): cloudwatch.CompositeAlarm {
    const { suppressor } = props;
    const alarm = new cloudwatch.CompositeAlarm(this.scope, id, {
      // Named after the stack like every alarm of it (CloudFormation's names of metric alarms begin with it too), so the
      // incident rule finds it by that prefix (lib/incident-response.ts); CDK's default name has no separator.
      compositeAlarmName: [Stack.of(this.scope).stackName, this.props.describedAs, id]
        .filter((part) => part !== undefined)
        .join('-'),
      alarmDescription:
        this.props.describedAs === undefined ? props.description : `${this.props.describedAs}: ${props.description}`,
      alarmRule: cloudwatch.AlarmRule.anyOf(
        ...props.anyOf.map((child) => cloudwatch.AlarmRule.fromAlarm(child, cloudwatch.AlarmState.ALARM)),
      ),
      ...(suppressor !== undefined
        ? {
            actionsSuppressor: suppressor.alarm,
            actionsSuppressorWaitPeriod: suppressor.wait,
            actionsSuppressorExtensionPeriod: suppressor.extension,
          }
        : {}),
    });
    this.act(alarm);
    return alarm;
  }

  private act(alarm: cloudwatch.AlarmBase): void {
    for (const topic of this.props.alarmTopics) alarm.addAlarmAction(new actions.SnsAction(topic));
    if (this.props.notifyOk === true)
      for (const topic of this.props.alarmTopics) alarm.addOkAction(new actions.SnsAction(topic));
  }
}

import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmFactory } from './alarm-factory.js';
import { MlFunction } from './ml-function.js';
import type { ModelAlarms } from './model-alarms.js';
import { suppress } from './compliance.js';
import { grantRegistry } from './registry-access.js';
import { DeadLetterQueue, type DataProtection } from './secure-defaults.js';

export interface AlarmHistoryProps {
  readonly registry: dynamodb.ITable;
  /** Where the alarm on undelivered alarm changes reports. */
  readonly detailTopic: sns.ITopic;
  /** Log retention, removal policy and key. @default retained, three months, AWS-managed encryption */
  readonly protection?: DataProtection;
}

/**
 * Every change of a model's alarms into or out of ALARM, recorded in the model's audit trail next to its promotions and rollbacks: one
 * EventBridge rule per model routes CloudWatch's "CloudWatch Alarm State Change" events of the model's alarms to the
 * record-alarm function (the rule adds the model's name). Deliveries that fail after retries, and invocations that
 * fail, land in a dead-letter queue that raises an alarm.
 */
export class AlarmHistory extends Construct {
  public readonly recordFunction: MlFunction;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLettered: cloudwatch.Alarm;
  public readonly rules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: AlarmHistoryProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'Undelivered', {
      deadLetterOf: "the alarm-history rules' target and the record-alarm function",
      ...(props.protection?.encryptionKey ? { encryptionKey: props.protection.encryptionKey } : {}),
    }).queue;
    this.recordFunction = new MlFunction(this, 'RecordAlarm', {
      name: 'record-alarm',
      description: "Records a model's alarm state changes in its audit trail",
      memorySize: 256,
      timeout: Duration.seconds(30),
      protection: props.protection ?? {},
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
    });
    grantRegistry(this.recordFunction, props.registry, { alias: ['read'], audit: ['append'] });
    if (props.protection?.encryptionKey && this.recordFunction.role) {
      suppress(this.recordFunction.role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "Sending a failed invocation to the dead-letter queue encrypted with the stack's key needs that key's GenerateDataKey*/ReEncrypt* (CDK's queue grant); the resource is that one key.",
          appliesTo: ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
        },
      ]);
    }
    this.deadLettered = new AlarmFactory(this, { alarmTopics: [props.detailTopic] }).deadLettered(
      'DeadLettered',
      this.deadLetterQueue,
      'alarm changes could not be recorded in the audit trail (see the dead-letter queue)',
    );
  }

  /** Routes the state changes of one model's alarms (the composite and the release alarm included). */
  addModel(model: string, alarms: ModelAlarms): events.Rule {
    const field = (path: string) => events.EventField.fromPath(path);
    const rule = new events.Rule(this, `Rule-${model}`, {
      description: `Records the state changes of ${model}'s alarms in its audit trail`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: alarms.all.map((a) => a.alarmArn),
        // Into or out of ALARM: INSUFFICIENT_DATA ⇄ OK (a new alarm settling, a quiet period) is not history.
        detail: { $or: [{ state: { value: ['ALARM'] } }, { previousState: { value: ['ALARM'] } }] },
      },
    });
    rule.addTarget(
      new targets.LambdaFunction(this.recordFunction, {
        event: events.RuleTargetInput.fromObject({
          model,
          alarmName: field('$.detail.alarmName'),
          state: field('$.detail.state.value'),
          previousState: field('$.detail.previousState.value'),
          reason: field('$.detail.state.reason'),
          time: events.EventField.time,
          eventId: events.EventField.eventId,
        }),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    );
    this.rules.push(rule);
    return rule;
  }
}

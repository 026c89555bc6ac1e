import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmFactory } from './alarm-factory.js';
import { suppress } from './compliance.js';
import { MlFunction } from './ml-function.js';
import { grantRegistry } from './registry-access.js';
import { DeadLetterQueue, type DataProtection } from './secure-defaults.js';

export interface IncidentResponseProps {
  readonly registry: dynamodb.ITable;
  /** Where incident pages go: the stack's alarm topic and the `alarmTopicArns`. */
  readonly pageTopics: readonly sns.ITopic[];
  /** Log retention, removal policy and key. @default retained, three months, AWS-managed encryption */
  readonly protection?: DataProtection;
}

/**
 * Incidents (issue 22): one EventBridge rule sends every "CloudWatch Alarm State Change" of the stack's alarms (their
 * names begin with the stack's name: CloudFormation's generated names and the explicit ones alike) to the incident
 * function, which groups them into incidents, names the likely source and pages the page topics once per incident
 * event. Deliveries that fail after retries, and invocations that fail, land in a dead-letter queue whose alarm pages
 * the topics directly — the one alarm that does, since it reports that incident pages may be missing. Its name does
 * not begin with the stack's, so the rule does not send it to the function it reports on.
 */
export class IncidentResponse extends Construct {
  public readonly incidentFunction: MlFunction;
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLettered: cloudwatch.Alarm;
  /** What the rule matches in an alarm's name. */
  public readonly alarmNamePrefix: string;

  constructor(scope: Construct, id: string, props: IncidentResponseProps) {
    super(scope, id);
    const protection = props.protection ?? {};
    const stackName = Stack.of(this).stackName;
    this.alarmNamePrefix = `${stackName}-`;
    this.deadLetterQueue = new DeadLetterQueue(this, 'Undelivered', {
      deadLetterOf: "the incident rule's target and the incident function",
      ...(protection.encryptionKey ? { encryptionKey: protection.encryptionKey } : {}),
    }).queue;
    this.incidentFunction = new MlFunction(this, 'Incident', {
      name: 'incident',
      description:
        "Groups the stack's alarm changes into incidents, names their likely source, pages once per incident",
      memorySize: 512,
      timeout: Duration.seconds(60),
      environment: { PAGE_TOPIC_ARNS: props.pageTopics.map((t) => t.topicArn).join(',') },
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
      protection,
    });
    grantRegistry(this.incidentFunction, props.registry, {
      incident: ['read', 'write'],
      audit: ['read'],
      run: ['read'],
    });
    for (const topic of props.pageTopics) topic.grantPublish(this.incidentFunction);
    this.suppressKeyWildcards(protection);
    this.rule = new events.Rule(this, 'AlarmChanges', {
      description: "Every state change of the stack's alarms, to the incident function",
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: { alarmName: events.Match.prefix(this.alarmNamePrefix) },
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.incidentFunction, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    );
    this.deadLettered = new AlarmFactory(this, { alarmTopics: props.pageTopics, notifyOk: true }).deadLettered(
      'DeadLettered',
      this.deadLetterQueue,
      'alarm changes could not be applied to the incidents, so pages may be missing (see the dead-letter queue and the incident function’s log)',
      `incident-pages-undelivered-${stackName}`,
    );
  }

  private suppressKeyWildcards(protection: DataProtection): void {
    if (!protection.encryptionKey || !this.incidentFunction.role) return;
    suppress(this.incidentFunction.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Sending a failed invocation to the dead-letter queue, and publishing to the alarm topic, both encrypted with the stack's key, need that key's GenerateDataKey*/ReEncrypt* (CDK's grants); the resource is that one key.",
        appliesTo: ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
      },
    ]);
  }
}

import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EncryptionKeyProps {
  /**
   * With DESTROY, deleting the stack schedules the key's deletion (30-day waiting period).
   * @default RemovalPolicy.RETAIN (a deleted key makes everything it encrypted unreadable)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The stack's customer-managed KMS key, with yearly rotation. Besides the account (the default key policy), it lets
 * the AWS services that write encrypted data on the stack's behalf use it, each only through its own service and
 * account: CloudWatch Logs for the log groups, EventBridge for its dead-letter queue, CloudWatch alarms for the
 * alert topic, SNS for the alert topic's dead-letter queue. The functions get their use of it through their grants (lib/object-access.ts, lib/registry-access.ts).
 */
export class EncryptionKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps = {}) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: 'serverless-mlops: data, artifacts, registry, queues, topics and logs',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` },
        },
      }),
    );
    for (const [sid, service] of [
      ['EventBridgeDeadLetters', 'events.amazonaws.com'],
      ['CloudWatchAlarmsToTopic', 'cloudwatch.amazonaws.com'],
      ['SnsUndeliveredAlarms', 'sns.amazonaws.com'],
    ] as const) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        }),
      );
    }
  }
}

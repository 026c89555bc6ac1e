import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAYOUT } from '../lambdas/shared/contracts/layout.js';
import { suppress } from './compliance.js';
import { secureLogGroup, type DataProtection } from './secure-defaults.js';

/** Log lines carrying this field (capture or feedback records) are delivered; every other line stays in the logs. */
export const CAPTURE_FILTER_PATTERN = '{ $.mlopsRecord = "capture" || $.mlopsRecord = "feedback" }';

export interface RequestCaptureProps {
  /** Where records land, under `capture/` and `feedback/`. */
  readonly bucket: s3.IBucket;
  /** Log groups whose capture and feedback lines are delivered (the serving functions'). */
  readonly logGroups: readonly logs.ILogGroup[];
  /**
   * How long Firehose buffers before writing an object: 60–900 s with dynamic partitioning. Shorter means fresher
   * data for monitoring and more, smaller objects. @default Duration.seconds(60)
   */
  readonly bufferInterval?: Duration;
  /** Retention, removal and key of the delivery errors' log group. @default retained, three months */
  readonly protection?: DataProtection;
}

/**
 * Request capture without a byte on the request path: serving functions write capture and feedback records as log
 * lines; a subscription filter on each log group sends the matching lines to a Firehose delivery stream, which
 * extracts the messages and writes them, GZIP JSON Lines, partitioned by record kind, model and hour:
 * `capture/model=<m>/dt=<yyyy-MM-dd-HH>/` and `feedback/model=<m>/dt=…/`.
 */
export class RequestCapture extends Construct {
  public readonly deliveryStream: firehose.CfnDeliveryStream;
  public readonly deliveryRole: iam.Role;
  public readonly subscriptionRole: iam.Role;

  constructor(scope: Construct, id: string, props: RequestCaptureProps) {
    super(scope, id);
    const deliveryLogs = secureLogGroup(this, 'DeliveryLogs', props.protection);
    const deliveryLogStream = new logs.LogStream(this, 'DeliveryLogStream', { logGroup: deliveryLogs });
    this.deliveryRole = this.createDeliveryRole(props, deliveryLogs);
    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: props.protection?.encryptionKey
        ? { keyType: 'CUSTOMER_MANAGED_CMK', keyArn: props.protection.encryptionKey.keyArn }
        : { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: this.s3Destination(props, deliveryLogs, deliveryLogStream),
    });
    this.deliveryStream.node.addDependency(this.deliveryRole);
    this.subscriptionRole = this.createSubscriptionRole();
    props.logGroups.forEach((group, i) => {
      const filter = new logs.CfnSubscriptionFilter(this, `Subscription${i}`, {
        logGroupName: group.logGroupName,
        filterPattern: CAPTURE_FILTER_PATTERN,
        destinationArn: this.deliveryStream.attrArn,
        roleArn: this.subscriptionRole.roleArn,
      });
      filter.node.addDependency(this.subscriptionRole);
    });
  }

  /**
   * Where records go: GZIP JSON Lines under `<record kind>/model=<model>/dt=<hour>/`, partitioned by what the record
   * says (jq over each message CloudWatch Logs delivered), errors under their own prefix.
   */
  private s3Destination(
    props: RequestCaptureProps,
    deliveryLogs: logs.ILogGroup,
    deliveryLogStream: logs.LogStream,
  ): firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty {
    return {
      bucketArn: props.bucket.bucketArn,
      roleArn: this.deliveryRole.roleArn,
      prefix: '!{partitionKeyFromQuery:record}/model=!{partitionKeyFromQuery:model}/dt=!{timestamp:yyyy-MM-dd-HH}/',
      errorOutputPrefix: `${LAYOUT.captureErrors}!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd-HH}/`,
      // Dynamic partitioning needs at least 64 MB; the interval decides in practice.
      bufferingHints: { intervalInSeconds: (props.bufferInterval ?? Duration.seconds(60)).toSeconds(), sizeInMBs: 64 },
      compressionFormat: 'GZIP',
      dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
      processingConfiguration: {
        enabled: true,
        processors: [
          { type: 'Decompression', parameters: [{ parameterName: 'CompressionFormat', parameterValue: 'GZIP' }] },
          {
            type: 'CloudWatchLogProcessing',
            parameters: [{ parameterName: 'DataMessageExtraction', parameterValue: 'true' }],
          },
          {
            type: 'MetadataExtraction',
            parameters: [
              { parameterName: 'MetadataExtractionQuery', parameterValue: '{record: .mlopsRecord, model: .model}' },
              { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
            ],
          },
          { type: 'AppendDelimiterToRecord', parameters: [] },
        ],
      },
      cloudWatchLoggingOptions: {
        enabled: true,
        logGroupName: deliveryLogs.logGroupName,
        logStreamName: deliveryLogStream.logStreamName,
      },
      ...(props.protection?.encryptionKey
        ? { encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: props.protection.encryptionKey.keyArn } } }
        : {}),
    };
  }

  /** Firehose may write under the capture prefixes only, and log its delivery errors. */
  private createDeliveryRole(props: RequestCaptureProps, deliveryLogs: logs.ILogGroup): iam.Role {
    const role = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets Firehose write capture and feedback records to the data bucket',
    });
    const prefixes = [LAYOUT.capture, LAYOUT.feedback, LAYOUT.captureErrors];
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:AbortMultipartUpload', 's3:PutObject'],
        resources: prefixes.map((p) => props.bucket.arnForObjects(`${p}*`)),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [props.bucket.bucketArn],
      }),
    );
    deliveryLogs.grantWrite(role);
    props.bucket.encryptionKey?.grantEncryptDecrypt(role);
    suppress(role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Firehose writes objects under the capture, feedback and capture-errors prefixes only (keys below them are per model and hour), and logs only to its own log group.',
        appliesTo: [
          ...prefixes.map((p) => `/^Resource::<[A-Za-z0-9]+\\.Arn>\\/${p.replace('/', '\\/')}\\*$/`),
          'Action::kms:ReEncrypt*',
          'Action::kms:GenerateDataKey*',
        ],
      },
    ]);
    return role;
  }

  /** CloudWatch Logs may put records to this delivery stream only. */
  private createSubscriptionRole(): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'SubscriptionRole', {
      assumedBy: new iam.ServicePrincipal(`logs.amazonaws.com`, {
        conditions: {
          StringLike: { 'aws:SourceArn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` },
        },
      }),
      description: 'Lets CloudWatch Logs deliver capture lines to the capture delivery stream',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        resources: [this.deliveryStream.attrArn],
      }),
    );
    return role;
  }
}

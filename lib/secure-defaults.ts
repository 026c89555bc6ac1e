import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { suppress } from './compliance.js';

/**
 * The one place where the project's secure defaults live. Every bucket, table and log group of the stack is made
 * through these, so a reviewer checks the rules once and a test asserts them on every resource.
 */
export const SECURE_DEFAULTS = {
  logRetention: logs.RetentionDays.THREE_MONTHS,
  accessLogExpiration: Duration.days(365),
  noncurrentVersionExpiration: Duration.days(90),
  pointInTimeRecoveryDays: 35,
} as const;

/** How the stack's data is kept and encrypted; one object handed to every construct that stores something. */
export interface DataProtection {
  /** What happens to buckets, the table and log groups when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Retention of every log group. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Customer-managed key for the data and artifacts buckets, the registry, queues, topics and log groups.
   * @default AWS-managed encryption (SSE-S3, DynamoDB's AWS-managed key, SQS-managed SSE)
   */
  readonly encryptionKey?: kms.IKey;
}

export interface SecureBucketProps {
  /** Bucket that receives this bucket's server access logs. @default no access logging (only for the log bucket itself) */
  readonly accessLogs?: s3.IBucket;
  /** Prefix of this bucket's access logs in the log bucket. @default the construct id followed by a slash */
  readonly accessLogsPrefix?: string;
  /** What happens to the bucket when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Encrypt with this customer-managed key (SSE-KMS with an S3 bucket key). @default SSE-S3 */
  readonly encryptionKey?: kms.IKey;
  /**
   * Lock every new object version for this long in governance mode (S3 Object Lock). Only users with
   * `s3:BypassGovernanceRetention` can delete or shorten it. Must be chosen before the bucket is first created.
   * @default no Object Lock
   */
  readonly governanceRetention?: Duration;
  /** Send object events to EventBridge. @default false */
  readonly eventBridgeEnabled?: boolean;
  /** Extra lifecycle rules. @default none beyond expiring noncurrent versions */
  readonly lifecycleRules?: s3.LifecycleRule[];
}

/** An S3 bucket that is encrypted, versioned, private, TLS-only and owner-enforced. */
export class SecureBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...(props.encryptionKey
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.governanceRetention
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention: s3.ObjectLockRetention.governance(props.governanceRetention),
          }
        : {}),
      ...(props.accessLogs
        ? { serverAccessLogsBucket: props.accessLogs, serverAccessLogsPrefix: props.accessLogsPrefix ?? `${id}/` }
        : {}),
      lifecycleRules: [
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: SECURE_DEFAULTS.noncurrentVersionExpiration },
        ...(props.lifecycleRules ?? []),
      ],
    });
    if (props.eventBridgeEnabled) {
      // Set on the bucket itself rather than through `eventBridgeEnabled`, which adds CDK's notifications custom
      // resource: one more Lambda function with a wildcard `s3:PutBucketNotification` grant.
      (this.bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride(
        'NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled',
        true,
      );
    }
  }
}

export interface SecureTableProps {
  /** Protect the table from deletion (CloudFormation and console). @default true */
  readonly deletionProtection?: boolean;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default the AWS-managed DynamoDB key */
  readonly encryptionKey?: kms.IKey;
  /** How far back point-in-time recovery reaches, 1 to 35 days. @default 35 */
  readonly pointInTimeRecoveryDays?: number;
}

/** A DynamoDB table with on-demand billing, point-in-time recovery and encryption; keys `pk` and `sk` (strings). */
export class SecureTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: SecureTableProps = {}) {
    super(scope, id);
    const recoveryDays = props.pointInTimeRecoveryDays ?? SECURE_DEFAULTS.pointInTimeRecoveryDays;
    if (!Number.isInteger(recoveryDays) || recoveryDays < 1 || recoveryDays > 35) {
      throw new Error(`pointInTimeRecoveryDays must be a whole number from 1 to 35 (got ${recoveryDays})`);
    }
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: recoveryDays },
      ...(props.encryptionKey
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // Items that only matter for a while (feedback idempotency records) say when they may go.
      timeToLiveAttribute: 'expiresAt',
    });
  }
}

/** A log group with the project's retention (and key, when one is configured); removed with the stack only when asked. */
export function secureLogGroup(scope: Construct, id: string, protection: DataProtection = {}): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    retention: protection.logRetention ?? SECURE_DEFAULTS.logRetention,
    removalPolicy: protection.removalPolicy ?? RemovalPolicy.RETAIN,
    ...(protection.encryptionKey ? { encryptionKey: protection.encryptionKey } : {}),
  });
}

export interface DeadLetterQueueProps {
  /** What the queue catches, for the nag suppressions' reasons, e.g. "the upload rule's target". */
  readonly deadLetterOf: string;
  /** @default SQS-managed encryption */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A dead-letter queue: encrypted, TLS-only, messages kept 14 days. It is exempt from the rules that want every
 * queue to have a DLQ and a redrive policy of its own, because it *is* the DLQ and nothing consumes it automatically.
 */
export class DeadLetterQueue extends Construct {
  public readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      ...(props.encryptionKey
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    suppress(this.queue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: `This queue is itself the dead-letter queue of ${props.deadLetterOf}; a DLQ of a DLQ would only move the problem.`,
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: `Dead-letter queue of ${props.deadLetterOf}: nothing consumes it automatically, so there is nothing to redrive to.`,
      },
    ]);
  }
}

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The one place where the project's secure defaults live. Every bucket, table and log group of the stack is made
 * through these, so a reviewer checks the rules once and a test asserts them on every resource.
 */
export const SECURE_DEFAULTS = {
  logRetention: logs.RetentionDays.THREE_MONTHS,
  accessLogExpiration: Duration.days(365),
  noncurrentVersionExpiration: Duration.days(90),
} as const;

export interface SecureBucketProps {
  /** Bucket that receives this bucket's server access logs. @default no access logging (only for the log bucket itself) */
  readonly accessLogs?: s3.IBucket;
  /** Prefix of this bucket's access logs in the log bucket. @default the construct id followed by a slash */
  readonly accessLogsPrefix?: string;
  /** What happens to the bucket when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
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
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      eventBridgeEnabled: props.eventBridgeEnabled ?? false,
      ...(props.accessLogs
        ? { serverAccessLogsBucket: props.accessLogs, serverAccessLogsPrefix: props.accessLogsPrefix ?? `${id}/` }
        : {}),
      lifecycleRules: [
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: SECURE_DEFAULTS.noncurrentVersionExpiration },
        ...(props.lifecycleRules ?? []),
      ],
    });
  }
}

export interface SecureTableProps {
  /** Protect the table from deletion (CloudFormation and console). @default true */
  readonly deletionProtection?: boolean;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** A DynamoDB table with on-demand billing, point-in-time recovery and encryption; keys `pk` and `sk` (strings). */
export class SecureTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: SecureTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}

/** A log group with the project's retention; removed with the stack only when asked. */
export function secureLogGroup(scope: Construct, id: string, removalPolicy: RemovalPolicy = RemovalPolicy.RETAIN): logs.LogGroup {
  return new logs.LogGroup(scope, id, { retention: SECURE_DEFAULTS.logRetention, removalPolicy });
}

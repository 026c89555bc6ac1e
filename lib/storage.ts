import type { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SECURE_DEFAULTS, SecureBucket, type DataProtection } from './secure-defaults.js';

export interface MlopsStorageProps {
  /** Removal policy and key of the buckets. @default retained, AWS-managed encryption */
  readonly protection?: DataProtection;
  /**
   * Keep every artifact version (models, prepared data, reports) for this long under S3 Object Lock in governance
   * mode. Decide before the first deploy: Object Lock can only be set when the bucket is created.
   * @default no Object Lock (versions still kept 90 days after they are replaced)
   */
  readonly artifactGovernanceRetention?: Duration;
}

/**
 * The stack's buckets: `data` (uploads under `incoming/<model>/`, events to EventBridge), `artifacts` (prepared data,
 * model artifacts, reports) and `accessLogs` (server access logs of the other two).
 */
export class MlopsStorage extends Construct {
  public readonly data: s3.Bucket;
  public readonly artifacts: s3.Bucket;
  public readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: MlopsStorageProps = {}) {
    super(scope, id);
    const { removalPolicy, encryptionKey } = props.protection ?? {};
    // S3 server access logging can only deliver to an SSE-S3 bucket, so this one never takes the KMS key.
    this.accessLogs = new SecureBucket(this, 'AccessLogs', {
      ...(removalPolicy ? { removalPolicy } : {}),
      lifecycleRules: [{ id: 'expire-access-logs', expiration: SECURE_DEFAULTS.accessLogExpiration }],
    }).bucket;
    const common = {
      accessLogs: this.accessLogs,
      ...(removalPolicy ? { removalPolicy } : {}),
      ...(encryptionKey ? { encryptionKey } : {}),
    };
    this.data = new SecureBucket(this, 'Data', { ...common, eventBridgeEnabled: true }).bucket;
    this.artifacts = new SecureBucket(this, 'Artifacts', {
      ...common,
      ...(props.artifactGovernanceRetention ? { governanceRetention: props.artifactGovernanceRetention } : {}),
    }).bucket;
  }
}

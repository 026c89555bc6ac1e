import { RemovalPolicy } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SECURE_DEFAULTS, SecureBucket } from './secure-defaults.js';

export interface MlopsStorageProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
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
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.accessLogs = new SecureBucket(this, 'AccessLogs', {
      removalPolicy,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: SECURE_DEFAULTS.accessLogExpiration }],
    }).bucket;
    this.data = new SecureBucket(this, 'Data', { accessLogs: this.accessLogs, removalPolicy, eventBridgeEnabled: true }).bucket;
    this.artifacts = new SecureBucket(this, 'Artifacts', { accessLogs: this.accessLogs, removalPolicy }).bucket;
  }
}

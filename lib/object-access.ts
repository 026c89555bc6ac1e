import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { LAYOUT } from '../lambdas/shared/contracts/layout.js';
import { suppress } from './compliance.js';

export type ObjectAccess = 'read' | 'write';
export type LayoutPrefix = (typeof LAYOUT)[keyof typeof LAYOUT];

/**
 * Exact actions, where CDK's `grantRead`/`grantPut` use wildcards (`s3:GetObject*`, `s3:List*`, `s3:Abort*`).
 * Reads pin object versions (lineage), so they need `GetObjectVersion`; writes are single PutObject calls.
 */
const OBJECT_ACTIONS: Record<ObjectAccess, string[]> = {
  read: ['s3:GetObject', 's3:GetObjectVersion'],
  write: ['s3:PutObject'],
};

/** What a function needs of a customer-managed key to read or write data encrypted with it. */
export const KEY_ACTIONS: Record<ObjectAccess, string[]> = {
  read: ['kms:Decrypt', 'kms:DescribeKey'],
  write: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
};

/**
 * Lets a function read or write the objects under one prefix of a bucket (and use the bucket's key, if it has one).
 * Reads also get `s3:ListBucket` on the bucket: without it S3 answers 403 instead of 404 for a missing object, and
 * the pipeline tells "not there" from "not allowed" by that status.
 */
export function grantObjects(
  fn: lambda.Function,
  bucket: s3.IBucket,
  prefix: LayoutPrefix,
  levels: readonly ObjectAccess[],
): void {
  const actions = [...new Set(levels.flatMap((level) => OBJECT_ACTIONS[level]))].sort();
  fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${prefix}*`)] }));
  if (levels.includes('read'))
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  if (bucket.encryptionKey) grantKeyUse(fn, bucket.encryptionKey, levels);
  if (fn.role) {
    suppress(fn.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason: `Object access is scoped to the "${prefix}" prefix of the bucket (lambdas/shared/contracts/layout.ts); object keys below it are per model and run.`,
        appliesTo: [`/^Resource::<[A-Za-z0-9]+\\.Arn>\\/${prefix.replace('/', '\\/')}\\*$/`],
      },
    ]);
  }
}

export function grantKeyUse(fn: lambda.Function, key: kms.IKey, levels: readonly ObjectAccess[]): void {
  const actions = [...new Set(levels.flatMap((level) => KEY_ACTIONS[level]))].sort();
  fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [key.keyArn] }));
}

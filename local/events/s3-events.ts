import type { S3rverEventRecord } from 's3rver';
import { objectCreatedEvent, type LocalEventBus } from './event-bus.js';
import type { LocalResources } from '../template.js';

/** S3 notifications as the local runtime routes them: which buckets send to EventBridge, and the event they send. */

/** Buckets whose notifications go to EventBridge, whether set on the bucket or by CDK's notifications resource. */
export function eventBridgeEnabledBuckets(resources: LocalResources): Set<string> {
  const names = new Set<string>();
  for (const [logicalId, resource] of resources.ofType('AWS::S3::Bucket')) {
    const config = resource.Properties?.NotificationConfiguration as
      { EventBridgeConfiguration?: { EventBridgeEnabled?: boolean } } | undefined;
    if (config?.EventBridgeConfiguration?.EventBridgeEnabled) names.add(resources.physicalName(logicalId));
  }
  for (const [, resource] of resources.ofType('Custom::S3BucketNotifications')) {
    const props = resources.resolve(resource.Properties ?? {}) as {
      BucketName?: string;
      NotificationConfiguration?: { EventBridgeConfiguration?: unknown };
    };
    if (props.BucketName && props.NotificationConfiguration?.EventBridgeConfiguration !== undefined)
      names.add(props.BucketName);
  }
  return names;
}

export function forwardS3Event(bus: LocalEventBus, record: S3rverEventRecord, region: string, account: string): void {
  const reasons: Record<string, string> = {
    'ObjectCreated:Put': 'PutObject',
    'ObjectCreated:Post': 'CompleteMultipartUpload',
    'ObjectCreated:Copy': 'CopyObject',
  };
  const reason = reasons[record.eventName];
  if (reason === undefined) return; // deletions: no rule of ours listens to them
  bus.put(
    objectCreatedEvent({
      bucket: record.s3.bucket.name,
      key: record.s3.object.key,
      size: record.s3.object.size ?? 0,
      ...(record.s3.object.eTag ? { etag: record.s3.object.eTag.replace(/"/g, '') } : {}),
      reason,
      region,
      account,
      ...(record.requestParameters?.sourceIPAddress ? { sourceIp: record.requestParameters.sourceIPAddress } : {}),
    }),
  );
}

import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as z from 'zod';
import type { VirtualClock } from '../clock.js';
import { compileFilterPattern, type FilterPattern } from '../cloudwatch/filter-pattern.js';
import type { LocalResources } from '../template.js';
import { LocalDeliveryStream, parsePartitionQuery, type PutObject } from './delivery-stream.js';

const parameters = z.array(z.object({ ParameterName: z.string(), ParameterValue: z.string() })).default([]);
const destinationSchema = z.object({
  BucketARN: z.string().startsWith('arn:aws:s3:::'),
  Prefix: z.string().optional(),
  ErrorOutputPrefix: z.string().optional(),
  BufferingHints: z.object({ IntervalInSeconds: z.number().optional(), SizeInMBs: z.number().optional() }).optional(),
  CompressionFormat: z.string().optional(),
  ProcessingConfiguration: z
    .object({
      Enabled: z.boolean().optional(),
      Processors: z.array(z.object({ Type: z.string(), Parameters: parameters })).default([]),
    })
    .optional(),
  DynamicPartitioningConfiguration: z.object({ Enabled: z.boolean().optional() }).optional(),
});

/**
 * The template's Firehose delivery streams to S3, by ARN (defaults as Firehose's: 300 s or 5 MB, uncompressed); with
 * `dir`, each keeps its buffers on disk in a folder of its own and delivers what an earlier run left.
 */
export function loadDeliveryStreams(
  resources: LocalResources,
  clock: VirtualClock,
  put: PutObject,
  dir?: string,
): Map<string, LocalDeliveryStream> {
  const streams = new Map<string, LocalDeliveryStream>();
  for (const [logicalId, resource] of resources.ofType('AWS::KinesisFirehose::DeliveryStream')) {
    const props = resources.resolve(resource.Properties ?? {}) as { ExtendedS3DestinationConfiguration?: unknown };
    const parsed = destinationSchema.safeParse(props.ExtendedS3DestinationConfiguration);
    if (!parsed.success)
      throw new Error(
        `delivery stream ${logicalId}: the local runtime delivers to S3 only (ExtendedS3DestinationConfiguration): ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      );
    const d = parsed.data;
    const processors = d.ProcessingConfiguration?.Enabled ? d.ProcessingConfiguration.Processors : [];
    const parameter = (type: string, name: string) =>
      processors.find((p) => p.Type === type)?.Parameters.find((p) => p.ParameterName === name)?.ParameterValue;
    const query = d.DynamicPartitioningConfiguration?.Enabled
      ? parameter('MetadataExtraction', 'MetadataExtractionQuery')
      : undefined;
    streams.set(
      resources.arn(logicalId),
      new LocalDeliveryStream(
        {
          name: resources.physicalName(logicalId),
          bucket: d.BucketARN.slice('arn:aws:s3:::'.length),
          ...(d.Prefix !== undefined ? { prefix: d.Prefix } : {}),
          ...(d.ErrorOutputPrefix !== undefined ? { errorOutputPrefix: d.ErrorOutputPrefix } : {}),
          bufferSizeBytes: (d.BufferingHints?.SizeInMBs ?? 5) * 1024 * 1024,
          bufferIntervalMs: (d.BufferingHints?.IntervalInSeconds ?? 300) * 1000,
          compression: d.CompressionFormat === 'GZIP' ? 'GZIP' : 'UNCOMPRESSED',
          extractLogMessages:
            processors.some((p) => p.Type === 'Decompression') &&
            parameter('CloudWatchLogProcessing', 'DataMessageExtraction') === 'true',
          appendNewline: processors.some((p) => p.Type === 'AppendDelimiterToRecord'),
          ...(query !== undefined ? { partitionQuery: parsePartitionQuery(query) } : {}),
        },
        clock,
        put,
        dir === undefined ? undefined : join(dir, resources.physicalName(logicalId)),
      ),
    );
  }
  return streams;
}

interface Subscription {
  readonly name: string;
  readonly group: string;
  readonly matches: FilterPattern;
  readonly destination: LocalDeliveryStream;
}

/**
 * The template's CloudWatch Logs subscription filters to Firehose: a log event of the group that matches the filter
 * pattern is delivered as CloudWatch Logs delivers it, a gzip-compressed DATA_MESSAGE envelope (one event each
 * locally; CloudWatch Logs may batch several).
 */
export class LocalSubscriptions {
  private readonly subscriptions: Subscription[];

  constructor(
    resources: LocalResources,
    streams: ReadonlyMap<string, LocalDeliveryStream>,
    private readonly account: string,
  ) {
    this.subscriptions = resources.ofType('AWS::Logs::SubscriptionFilter').map(([logicalId, resource]) => {
      const p = z
        .object({
          LogGroupName: z.string(),
          FilterPattern: z.string(),
          DestinationArn: z.string(),
          FilterName: z.string().optional(),
        })
        .parse(resources.resolve(resource.Properties ?? {}));
      const destination = streams.get(p.DestinationArn);
      if (destination === undefined)
        throw new Error(
          `subscription filter ${logicalId}: ${p.DestinationArn} is not a delivery stream of this stack (the local runtime delivers to Firehose only)`,
        );
      return {
        name: p.FilterName ?? logicalId,
        group: p.LogGroupName,
        matches: compileFilterPattern(p.FilterPattern),
        destination,
      };
    });
  }

  deliver(group: string, stream: string, timestamp: number, message: string, id: string): void {
    for (const s of this.subscriptions) {
      if (s.group !== group || !s.matches(message)) continue;
      const envelope = {
        messageType: 'DATA_MESSAGE',
        owner: this.account,
        logGroup: group,
        logStream: stream,
        subscriptionFilters: [s.name],
        logEvents: [{ id, timestamp, message }],
      };
      s.destination.putRecord(gzipSync(JSON.stringify(envelope)));
    }
  }
}

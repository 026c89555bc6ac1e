import { gunzipSync, gzipSync } from 'node:zlib';
import type { VirtualClock } from '../clock.js';
import { objectKey, renderPrefix } from './prefix.js';

/** A Firehose delivery stream to S3, as the template declares it (ExtendedS3DestinationConfiguration). */
export interface DeliveryStreamSpec {
  readonly name: string;
  readonly bucket: string;
  readonly prefix?: string;
  readonly errorOutputPrefix?: string;
  /** BufferingHints: deliver when this much has arrived, or this long after the first record of a buffer. */
  readonly bufferSizeBytes: number;
  readonly bufferIntervalMs: number;
  readonly compression: 'UNCOMPRESSED' | 'GZIP';
  /** Decompression + CloudWatchLogProcessing (DataMessageExtraction): a subscription's envelope becomes its log lines. */
  readonly extractLogMessages: boolean;
  /** AppendDelimiterToRecord: a newline after each record. */
  readonly appendNewline: boolean;
  /** Dynamic partitioning's MetadataExtraction query, as `{name: .path.to.field, …}`. */
  readonly partitionQuery?: Readonly<Record<string, readonly string[]>>;
}

/** Writes an object to S3 (the local emulator). */
export type PutObject = (bucket: string, key: string, body: Buffer) => Promise<void>;

interface PendingBuffer {
  readonly prefix: string;
  readonly records: Buffer[];
  size: number;
  cancel: () => void;
}

/**
 * A delivery stream on the runtime's clock: records are buffered per destination prefix and written to S3 as one
 * object when the buffer reaches its size or its interval has passed since its first record; a record that cannot
 * be partitioned goes under the error output prefix.
 */
export class LocalDeliveryStream {
  private readonly buffers = new Map<string, PendingBuffer>();
  private pending: Promise<void> = Promise.resolve();

  constructor(
    readonly spec: DeliveryStreamSpec,
    private readonly clock: VirtualClock,
    private readonly put: PutObject,
  ) {}

  /** PutRecord: one record (a subscription delivers its gzip-compressed envelope). */
  putRecord(data: Buffer): void {
    const now = this.clock.now();
    for (const record of this.records(data)) {
      const routed = this.route(record, now);
      this.append(routed.prefix, this.spec.appendNewline ? Buffer.concat([record, Buffer.from('\n')]) : record, now);
    }
  }

  /** Delivers every buffer now (as at shutdown, which Firehose would deliver by its interval). */
  async flushAll(): Promise<void> {
    for (const prefix of [...this.buffers.keys()]) this.deliver(prefix);
    await this.pending;
  }

  private records(data: Buffer): Buffer[] {
    if (!this.spec.extractLogMessages) return [data];
    const envelope = JSON.parse(gunzipSync(data).toString('utf8')) as { messageType?: string; logEvents?: { message: string }[] };
    // CONTROL_MESSAGE checks that the destination is reachable; it carries no log events.
    if (envelope.messageType !== 'DATA_MESSAGE') return [];
    return (envelope.logEvents ?? []).map((e) => Buffer.from(e.message));
  }

  private route(record: Buffer, now: number): { prefix: string } {
    if (this.spec.partitionQuery === undefined) return { prefix: renderPrefix(this.spec.prefix, { time: now }) };
    try {
      const event = JSON.parse(record.toString('utf8')) as unknown;
      const partitionKeys = Object.fromEntries(Object.entries(this.spec.partitionQuery).map(([name, path]) => [name, partitionValue(event, path, name)]));
      return { prefix: renderPrefix(this.spec.prefix, { time: now, partitionKeys }) };
    } catch {
      return { prefix: renderPrefix(this.spec.errorOutputPrefix ?? 'errors/!{firehose:error-output-type}/', { time: now, errorOutputType: 'partitioning-failed' }) };
    }
  }

  private append(prefix: string, record: Buffer, now: number): void {
    let buffer = this.buffers.get(prefix);
    if (buffer === undefined) {
      const cancel = this.clock.at(now + this.spec.bufferIntervalMs, () => this.deliver(prefix));
      buffer = { prefix, records: [], size: 0, cancel };
      this.buffers.set(prefix, buffer);
    }
    buffer.records.push(record);
    buffer.size += record.length;
    if (buffer.size >= this.spec.bufferSizeBytes) this.deliver(prefix);
  }

  private deliver(prefix: string): void {
    const buffer = this.buffers.get(prefix);
    if (buffer === undefined) return;
    this.buffers.delete(prefix);
    buffer.cancel();
    const body = Buffer.concat(buffer.records);
    const gzip = this.spec.compression === 'GZIP';
    const key = objectKey(prefix, this.spec.name, this.clock.now(), gzip ? '.gz' : '');
    this.pending = this.pending.then(() => this.put(this.spec.bucket, key, gzip ? gzipSync(body) : body)).catch((error: unknown) => {
      console.error(`delivery stream ${this.spec.name}: could not write s3://${this.spec.bucket}/${key}: ${(error as Error).message}`);
    });
  }
}

/** A partition key's value: a string or number at the path; anything else fails the record's partitioning. */
function partitionValue(event: unknown, path: readonly string[], name: string): string {
  let value = event;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`no value for partition key ${name}`);
  return String(value);
}

/** The JQ of dynamic partitioning's MetadataExtraction, in the form Firehose documents: `{name: .a.b, other: .c}`. */
export function parsePartitionQuery(query: string): Record<string, string[]> {
  const body = /^\s*\{(.*)\}\s*$/.exec(query)?.[1];
  if (body === undefined) throw new Error(`the partitioning query ${query} is not an object like {model: .model}`);
  return Object.fromEntries(
    body.split(',').map((pair) => {
      const match = /^\s*([A-Za-z_]\w*)\s*:\s*\.([A-Za-z_][\w.]*)\s*$/.exec(pair);
      if (match === null) throw new Error(`"${pair.trim()}" in ${query} is not "name: .path" (the local Firehose reads only that JQ form)`);
      return [match[1] as string, (match[2] as string).split('.')];
    }),
  );
}

import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  readonly id: string;
  readonly prefix: string;
  readonly records: Buffer[];
  size: number;
  cancel: () => void;
}

/**
 * A delivery stream on the runtime's clock: records are buffered per destination prefix and written to S3 as one
 * object when the buffer reaches its size or its interval has passed since its first record; a record that cannot
 * be partitioned goes under the error output prefix.
 *
 * With a folder, it is as durable as Firehose: a record is on disk (the buffer's file, written synchronously) before
 * `putRecord` returns, and an object's key is on disk before the object is written, so a runtime killed at any point
 * delivers at its next start what it had accepted — each buffer once, under one key (a write repeated after a crash
 * puts the same bytes under the same key). What it delivers then is delivered at once, not by its interval.
 */
export class LocalDeliveryStream {
  private readonly buffers = new Map<string, PendingBuffer>();
  private pending: Promise<void> = Promise.resolve();

  constructor(
    readonly spec: DeliveryStreamSpec,
    private readonly clock: VirtualClock,
    private readonly put: PutObject,
    private readonly dir?: string,
  ) {
    if (dir !== undefined) {
      mkdirSync(dir, { recursive: true });
      this.restore(dir);
    }
  }

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
    const envelope = JSON.parse(gunzipSync(data).toString('utf8')) as {
      messageType?: string;
      logEvents?: { message: string }[];
    };
    // CONTROL_MESSAGE checks that the destination is reachable; it carries no log events.
    if (envelope.messageType !== 'DATA_MESSAGE') return [];
    return (envelope.logEvents ?? []).map((e) => Buffer.from(e.message));
  }

  private route(record: Buffer, now: number): { prefix: string } {
    if (this.spec.partitionQuery === undefined) return { prefix: renderPrefix(this.spec.prefix, { time: now }) };
    try {
      const event = JSON.parse(record.toString('utf8')) as unknown;
      const partitionKeys = Object.fromEntries(
        Object.entries(this.spec.partitionQuery).map(([name, path]) => [name, partitionValue(event, path, name)]),
      );
      return { prefix: renderPrefix(this.spec.prefix, { time: now, partitionKeys }) };
    } catch {
      return {
        prefix: renderPrefix(this.spec.errorOutputPrefix ?? 'errors/!{firehose:error-output-type}/', {
          time: now,
          errorOutputType: 'partitioning-failed',
        }),
      };
    }
  }

  private append(prefix: string, record: Buffer, now: number): void {
    let buffer = this.buffers.get(prefix);
    if (buffer === undefined) {
      const cancel = this.clock.at(now + this.spec.bufferIntervalMs, () => this.deliver(prefix));
      buffer = { id: randomUUID(), prefix, records: [], size: 0, cancel };
      this.buffers.set(prefix, buffer);
      this.journal(buffer.id, { prefix, openedAt: now });
    }
    this.journal(buffer.id, { record: record.toString('base64') });
    buffer.records.push(record);
    buffer.size += record.length;
    if (buffer.size >= this.spec.bufferSizeBytes) this.deliver(prefix);
  }

  private deliver(prefix: string): void {
    const buffer = this.buffers.get(prefix);
    if (buffer === undefined) return;
    this.buffers.delete(prefix);
    buffer.cancel();
    const key = objectKey(prefix, this.spec.name, this.clock.now(), this.spec.compression === 'GZIP' ? '.gz' : '');
    if (this.dir !== undefined) writeFileSync(join(this.dir, `${buffer.id}.key`), key);
    this.write(buffer.id, key, buffer.records);
  }

  private write(id: string, key: string, records: readonly Buffer[]): void {
    const body = Buffer.concat(records);
    // gzip without a timestamp in its header: the same records give the same bytes, so a repeated write changes nothing.
    const data = this.spec.compression === 'GZIP' ? gzipSync(body) : body;
    this.pending = this.pending
      .then(async () => {
        await this.put(this.spec.bucket, key, data);
        if (this.dir !== undefined)
          for (const ext of ['.jsonl', '.key']) rmSync(join(this.dir, `${id}${ext}`), { force: true });
      })
      .catch((error: unknown) => {
        console.error(
          `delivery stream ${this.spec.name}: could not write s3://${this.spec.bucket}/${key}: ${(error as Error).message}`,
        );
      });
  }

  private journal(id: string, line: Record<string, unknown>): void {
    if (this.dir !== undefined) appendFileSync(join(this.dir, `${id}.jsonl`), `${JSON.stringify(line)}\n`);
  }

  /**
   * What an earlier run accepted and had not delivered is delivered now, each buffer as one object: under the key it
   * had chosen when the crash came during its write, else under a key chosen now.
   */
  private restore(dir: string): void {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
      const id = file.slice(0, -'.jsonl'.length);
      const saved = readBuffer(readFileSync(join(dir, file), 'utf8'));
      const keyFile = join(dir, `${id}.key`);
      if (saved === undefined || saved.records.length === 0) {
        for (const stale of [join(dir, file), keyFile]) rmSync(stale, { force: true });
        continue;
      }
      const key = existsSync(keyFile)
        ? readFileSync(keyFile, 'utf8')
        : objectKey(saved.prefix, this.spec.name, this.clock.now(), this.spec.compression === 'GZIP' ? '.gz' : '');
      writeFileSync(keyFile, key);
      this.write(id, key, saved.records);
    }
  }
}

/** A partition key's value: a string or number at the path; anything else fails the record's partitioning. */
function partitionValue(event: unknown, path: readonly string[], name: string): string {
  let value = event;
  for (const key of path)
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
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
      if (match === null)
        throw new Error(
          `"${pair.trim()}" in ${query} is not "name: .path" (the local Firehose reads only that JQ form)`,
        );
      return [match[1] as string, (match[2] as string).split('.')];
    }),
  );
}

/** A buffer's file: its prefix and opening time, then its records; a line cut short by a crash ends it. */
function readBuffer(text: string): { prefix: string; records: Buffer[] } | undefined {
  let header: { prefix: string } | undefined;
  const records: Buffer[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let parsed: { prefix?: unknown; openedAt?: unknown; record?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      break;
    }
    if (typeof parsed.prefix === 'string') header = { prefix: parsed.prefix };
    else if (typeof parsed.record === 'string') records.push(Buffer.from(parsed.record, 'base64'));
  }
  return header === undefined ? undefined : { ...header, records };
}

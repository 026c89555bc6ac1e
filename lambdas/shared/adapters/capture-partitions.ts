import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import { getObjectBytes } from './objects.js';
import { LAYOUT } from '../contracts/layout.js';

/**
 * The capture and feedback objects a window needs. Firehose partitions records by the hour they arrived
 * (`dt=yyyy-MM-dd-HH`, UTC) and buffers them for up to 15 minutes, so a window's predictions are read from the hours
 * it spans plus the next one; their ground truth may arrive any time later, so feedback is read from the window's
 * start until now (at most `FEEDBACK_LOOKBACK_DAYS` of hours).
 */

export const FEEDBACK_LOOKBACK_DAYS = 7;
export const HOUR = 3_600_000;

/** The `dt=` partition of an instant (UTC hour). */
export function hourPartition(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}`;
}

/** Hour partitions from `from` to `to`, inclusive of both hours. */
export function hoursBetween(from: Date, to: Date): string[] {
  const hours: string[] = [];
  for (let t = Math.floor(from.getTime() / HOUR) * HOUR; t <= to.getTime(); t += HOUR)
    hours.push(hourPartition(new Date(t)));
  return hours;
}

async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? [])
      if (object.Key !== undefined && !object.Key.endsWith('/')) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys.sort();
}

/** An object's text: gunzipped when it is GZIP (Firehose's output), as is otherwise. */
function textOf(bytes: Buffer): string {
  const gzip = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (gzip ? gunzipSync(bytes) : bytes).toString('utf8');
}

export interface ObjectText {
  readonly where: string;
  readonly text: string;
}

/** The texts of one kind of record of a model over some hour partitions; an object that does not decode is reported. */
export async function readPartitions(
  s3: S3Client,
  bucket: string,
  kind: 'capture' | 'feedback',
  model: string,
  hours: readonly string[],
): Promise<{ texts: ObjectText[]; unreadable: { where: string; reason: string }[] }> {
  const root = kind === 'capture' ? LAYOUT.capture : LAYOUT.feedback;
  const texts: ObjectText[] = [];
  const unreadable: { where: string; reason: string }[] = [];
  for (const hour of hours) {
    for (const key of await keysUnder(s3, bucket, `${root}model=${model}/dt=${hour}/`)) {
      const where = `s3://${bucket}/${key}`;
      // S3's own failures propagate (the invocation is retried); only an object that does not decode is skipped.
      const bytes = await getObjectBytes(s3, { bucket, key });
      try {
        texts.push({ where, text: textOf(bytes) });
      } catch (error) {
        unreadable.push({ where, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return { texts, unreadable };
}

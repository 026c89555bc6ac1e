import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import type { TestStack } from './local-stack.js';

/** A capture record as Firehose delivers it (the fields the tests read). */
export interface CapturedRecord {
  mlopsRecord: string;
  model: string;
  version: number;
  variant: string;
  predictionIds: string[];
  captureData: { endpointInput: { data: string }; endpointOutput: { data: string } };
  eventMetadata: { inferenceId: string };
}

/** Every JSON line of the GZIP objects Firehose wrote under a prefix of the data bucket, with the object's key. */
export async function deliveredRecords<T>(
  stack: Pick<TestStack, 's3' | 'dataBucket'>,
  prefix: string,
): Promise<{ key: string; record: T }[]> {
  const listed = await stack.s3.send(new ListObjectsV2Command({ Bucket: stack.dataBucket, Prefix: prefix }));
  const objects = await Promise.all(
    (listed.Contents ?? []).map(async ({ Key }) => {
      const object = await stack.s3.send(new GetObjectCommand({ Bucket: stack.dataBucket, Key }));
      const text = gunzipSync(
        Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
      ).toString('utf8');
      return text
        .trim()
        .split('\n')
        .map((line) => ({ key: Key as string, record: JSON.parse(line) as T }));
    }),
  );
  return objects.flat();
}

import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DataValidationError } from '../../core/errors.js';
import { SIGNATURE_BYTES, uploadKind } from '../../core/file-signature.js';
import { concatTables, readCsv } from '../../core/csv.js';
import type { RawTable } from '../../core/table.js';
import { getObjectStream } from './objects.js';
import { type ObjectVersion } from '../contracts/object-location.js';
import type { DataRecord } from '../contracts/registry-records.js';

/** Reads the data objects of a run into one table, recording the sha256 of exactly the bytes that were read. */
export async function readDataObjects(
  s3: S3Client,
  objects: readonly ObjectVersion[],
  missingValues: readonly string[],
): Promise<{ table: RawTable; data: DataRecord[] }> {
  const tables: RawTable[] = [];
  const data: DataRecord[] = [];
  for (const object of objects) {
    const { table, sha256 } = await readObjectAsTable(s3, object, missingValues);
    tables.push(table);
    data.push({ ...object, sha256 });
  }
  return { table: concatTables(tables), data };
}

/**
 * The columns of an upload, from its first lines only (gunzipped when it is gzip): what a retraining writes its
 * labelled rows in, without reading the whole upload.
 */
export async function readUploadColumns(s3: S3Client, object: ObjectVersion): Promise<string[]> {
  const text = await decodedUpload(await getObjectStream(s3, object), object.key);
  let head = '';
  for await (const chunk of text as AsyncIterable<Buffer>) {
    head += chunk.toString('utf8');
    // The header and one data row: what the CSV reader needs to type the header, quoted names included.
    const second = head.indexOf('\n', head.indexOf('\n') + 1);
    if (second >= 0) {
      head = head.slice(0, second + 1);
      break;
    }
  }
  text.destroy();
  return (await readCsv(head, { missingValues: [], source: object.key })).columns.slice();
}

/**
 * Parses the object while hashing the same bytes (the object's own, compressed or not), so the recorded sha256 is of
 * exactly what was trained on. A gzip-compressed upload is read through; another binary format fails with its name.
 */
async function readObjectAsTable(
  s3: S3Client,
  object: ObjectVersion,
  missingValues: readonly string[],
): Promise<{ table: RawTable; sha256: string }> {
  const body = await getObjectStream(s3, object);
  const hash = createHash('sha256');
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => hash.update(chunk));
  body.on('error', (error) => tap.destroy(error));
  body.pipe(tap);
  const table = await readCsv(await decodedUpload(tap, object.key), { missingValues, source: object.key });
  return { table, sha256: hash.digest('hex') };
}

/** The upload's text: as it is, or gunzipped; a binary format that is not a CSV is refused by name, never echoed. */
async function decodedUpload(stream: Readable, key: string): Promise<Readable> {
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  while (size < SIGNATURE_BYTES) {
    const next = await iterator.next();
    if (next.done === true) break;
    head.push(next.value);
    size += next.value.length;
  }
  const kind = uploadKind(Buffer.concat(head));
  if (kind.kind === 'binary') {
    stream.destroy();
    throw new DataValidationError(
      `${key} is not a CSV file: it is ${kind.name}; upload the data as CSV text (UTF-8), or as a gzip-compressed CSV (.csv.gz)`,
    );
  }
  const whole = Readable.from(
    (async function* () {
      yield* head;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
    })(),
  );
  if (kind.kind === 'text') return whole;
  const gunzip = createGunzip();
  const text = new PassThrough();
  whole.on('error', (error) => text.destroy(error));
  gunzip.on('error', (error) =>
    text.destroy(
      new DataValidationError(`${key} starts as gzip but cannot be decompressed (${error.message}); upload it again`, {
        cause: error,
      }),
    ),
  );
  return whole.pipe(gunzip).pipe(text);
}

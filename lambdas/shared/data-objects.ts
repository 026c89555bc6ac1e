import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { concatTables, readCsv } from '../core/csv.js';
import type { RawTable } from '../core/table.js';
import { getObjectStream, type ObjectVersion } from './objects.js';
import type { DataRecord } from './registry.js';

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

/** Parses the object while hashing the same bytes, so the recorded sha256 is of exactly what was trained on. */
async function readObjectAsTable(s3: S3Client, object: ObjectVersion, missingValues: readonly string[]): Promise<{ table: RawTable; sha256: string }> {
  const body = await getObjectStream(s3, object);
  const hash = createHash('sha256');
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => hash.update(chunk));
  body.on('error', (error) => tap.destroy(error));
  body.pipe(tap);
  const table = await readCsv(tap, { missingValues, source: object.key });
  return { table, sha256: hash.digest('hex') };
}

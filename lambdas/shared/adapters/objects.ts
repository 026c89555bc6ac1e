import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { NotFoundError } from '../../core/errors.js';
import { s3Uri, type ObjectLocation, type ObjectVersion } from '../contracts/object-location.js';

function isMissing(error: unknown): boolean {
  return error instanceof NoSuchKey || error instanceof NotFound || (error as { name?: string }).name === 'NotFound';
}

export async function headObject(s3: S3Client, location: ObjectLocation): Promise<ObjectVersion | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return {
      ...location,
      etag: (head.ETag ?? '').replace(/"/g, ''),
      versionId: head.VersionId ?? null,
      size: head.ContentLength ?? 0,
    };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Streams an object, pinned to a version when one is known so a later overwrite cannot change what a run reads. */
export async function getObjectStream(
  s3: S3Client,
  location: ObjectLocation & { versionId?: string | null },
): Promise<Readable> {
  try {
    const response = await s3.send(
      new GetObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        ...(location.versionId ? { VersionId: location.versionId } : {}),
      }),
    );
    return response.Body as Readable;
  } catch (error) {
    if (isMissing(error)) throw new NotFoundError(`${s3Uri(location)} does not exist`);
    throw error;
  }
}

export async function getObjectBytes(
  s3: S3Client,
  location: ObjectLocation & { versionId?: string | null },
): Promise<Buffer> {
  const stream = await getObjectStream(s3, location);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function putObject(
  s3: S3Client,
  location: ObjectLocation,
  body: Uint8Array | string,
  contentType: string,
): Promise<void> {
  // Content-MD5 on every write: S3 refuses uploads without an integrity header into a bucket with Object Lock
  // retention (the artifacts bucket in prod), and the clients here send flexible checksums only when required.
  const contentMd5 = createHash('md5').update(body).digest('base64');
  await s3.send(
    new PutObjectCommand({
      Bucket: location.bucket,
      Key: location.key,
      Body: body,
      ContentType: contentType,
      ContentMD5: contentMd5,
    }),
  );
}

/** The newest `count` objects under a prefix, newest first (by LastModified, then key). */
export async function latestObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
  count: number,
): Promise<ObjectVersion[]> {
  const all: { key: string; etag: string; size: number; modified: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined || object.Key.endsWith('/')) continue;
      all.push({
        key: object.Key,
        etag: (object.ETag ?? '').replace(/"/g, ''),
        size: object.Size ?? 0,
        modified: object.LastModified?.getTime() ?? 0,
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return all
    .sort((a, b) => b.modified - a.modified || (a.key < b.key ? 1 : -1))
    .slice(0, count)
    .map((o) => ({ bucket, key: o.key, etag: o.etag, size: o.size, versionId: null }));
}

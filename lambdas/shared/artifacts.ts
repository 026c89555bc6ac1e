import type { S3Client } from '@aws-sdk/client-s3';
import { parseArtifact, type ModelArtifact } from '../core/artifact.js';
import { getObjectBytes, s3Uri } from './objects.js';
import type { ArtifactRecord } from './registry.js';

/** Downloads a model artifact and checks it against the sha256 the registry holds before anything uses it. */
export async function fetchArtifact(s3: S3Client, record: ArtifactRecord): Promise<ModelArtifact> {
  const bytes = await getObjectBytes(s3, record);
  return parseArtifact(bytes, record.sha256, s3Uri(record));
}

import type { S3Client } from '@aws-sdk/client-s3';
import { parseArtifact, type ModelArtifact } from '../../core/artifact.js';
import { getObjectBytes } from './objects.js';
import { s3Uri } from '../contracts/object-location.js';
import type { ArtifactRecord, VersionRecord } from '../contracts/registry-records.js';

/** Downloads a model artifact and checks it against the sha256 the registry holds before anything uses it. */
export async function fetchArtifact(s3: S3Client, record: ArtifactRecord): Promise<ModelArtifact> {
  const bytes = await getObjectBytes(s3, record);
  return parseArtifact(bytes, record.sha256, s3Uri(record));
}

/**
 * Whether a version can be served, checked before a pointer moves to it: its artifact exists, is the bytes the
 * registry recorded (sha256) and reads as an artifact. Throws what fetchArtifact throws (NotFoundError, IntegrityError,
 * or the SDK's error when S3 fails).
 */
export type ArtifactCheck = (version: Pick<VersionRecord, 'model' | 'version' | 'artifact'>) => Promise<void>;

export const artifactCheck =
  (s3: S3Client): ArtifactCheck =>
  async (version) => {
    await fetchArtifact(s3, version.artifact);
  };

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Registry } from '../adapters/registry.js';
import type { StepDeps } from '../adapters/step-deps.js';
import { readEnv } from './env.js';
import { tracer } from './tracer.js';

/**
 * AWS clients configured from the standard environment (region, credentials, AWS_ENDPOINT_URL_*), so the same code
 * talks to AWS when deployed and to the emulators when the local runtime sets endpoints.
 * Checksums only when an API requires them: the default flexible checksums frame streamed uploads in a way the
 * local S3 emulator stores verbatim, and S3 validates MD5/CRC of single PUTs either way.
 */
export function createS3Client(): S3Client {
  const client = new S3Client({
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Emulators on loopback have no per-bucket DNS names; AWS endpoints keep virtual-hosted style.
    forcePathStyle: (process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL) !== undefined,
  });
  // Each call becomes an X-Ray subsegment (a no-op outside Lambda).
  return tracer.captureAWSv3Client(client);
}

export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Clients and names for a step that reads and writes the registry and the artifacts bucket. */
export function stepDepsFromEnv(): StepDeps {
  const env = readEnv(['REGISTRY_TABLE', 'ARTIFACTS_BUCKET']);
  return {
    s3: createS3Client(),
    registry: new Registry(createDocumentClient(), env.REGISTRY_TABLE),
    artifactsBucket: env.ARTIFACTS_BUCKET,
  };
}

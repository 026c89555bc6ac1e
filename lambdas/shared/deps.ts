import type { S3Client } from '@aws-sdk/client-s3';
import { createDocumentClient, createS3Client } from './clients.js';
import { readEnv } from './env.js';
import { Registry } from './registry.js';

/** What the pipeline steps need from the outside world; handlers build it once per container. */
export interface StepDeps {
  readonly s3: S3Client;
  readonly registry: Registry;
  readonly artifactsBucket: string;
  /** Where the model files are. @default the deployed ones (beside the bundle, or MODELS_DIR) */
  readonly modelsDir?: string;
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

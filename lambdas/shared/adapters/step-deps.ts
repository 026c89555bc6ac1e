import type { S3Client } from '@aws-sdk/client-s3';
import type { Registry } from './registry.js';

/** What the pipeline steps need from the outside world; handlers build it once per container. */
export interface StepDeps {
  readonly s3: S3Client;
  readonly registry: Registry;
  readonly artifactsBucket: string;
  /** Where the model files are. @default the deployed ones (beside the bundle, or MODELS_DIR) */
  readonly modelsDir?: string;
}

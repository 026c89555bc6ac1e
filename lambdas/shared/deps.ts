import type { S3Client } from '@aws-sdk/client-s3';
import type { Registry } from './registry.js';

/** What the pipeline steps need from the outside world; handlers build it once per container. */
export interface StepDeps {
  readonly s3: S3Client;
  readonly registry: Registry;
  readonly artifactsBucket: string;
}

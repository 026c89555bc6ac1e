import type { S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { localS3Client } from '../local/storage/emulators.js';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime.js';

/** The real local runtime on free ports with its state under `work`, shipping the model files in `modelsDir`. */
export async function startBenchStack(
  work: string,
  modelsDir: string,
): Promise<{ runtime: LocalRuntime; s3: S3Client }> {
  const runtime = await startLocalRuntime({
    stateDir: join(work, 'state'),
    ports: { api: 0, s3: 0, dynamodb: 0, stepFunctions: 0, cloudwatch: 0, lambda: 0 },
    inMemoryDynamo: true,
    modelsDir,
  });
  return { runtime, s3: localS3Client(runtime.endpoints.s3Endpoint, runtime.endpoints.region) };
}

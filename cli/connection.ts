import * as z from 'zod';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { IncidentResponses } from '../lambdas/shared/adapters/incident-responses.js';
import type { IncidentStore } from '../lambdas/shared/adapters/incident-store.js';
import type { MonitorStore } from '../lambdas/shared/adapters/monitor-store.js';
import type { Registry } from '../lambdas/shared/adapters/registry.js';
import type { ReleaseStore } from '../lambdas/shared/adapters/release-store.js';
import type { RunUploads } from '../lambdas/shared/adapters/run-uploads.js';
import { createServiceClients } from './clients.js';

/** The clients and names the CLI needs, for the local runtime (from .mlops/local.json). */
export interface Connection {
  readonly s3: S3Client;
  readonly registry: Registry;
  readonly releases: ReleaseStore;
  readonly uploads: RunUploads;
  readonly artifactsBucket: string;
  readonly dataBucket: string;
  readonly apiUrl: string;
  readonly sfn: SFNClient;
  readonly cloudwatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly lambda: LambdaClient;
  /** The monitored windows of each model (`mlops monitor --history`). */
  readonly monitors: MonitorStore;
  /** The incidents and how each is being responded to (`mlops incidents`). */
  readonly incidents: { readonly store: IncidentStore; readonly responses: IncidentResponses };
  /** The monitor function `mlops monitor` invokes (the stack output MonitorFunctionName). */
  readonly monitorFunctionName: string;
  /** The retrain function `mlops retrain` invokes (the stack output RetrainFunctionName). */
  readonly retrainFunctionName: string;
  /** The stack's name: its log groups are named after it. */
  readonly stackName: string;
  readonly stateMachineArn: string;
  readonly region: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Who the audit trail names for changes made through this connection. */
  readonly actor: string;
  close(): void;
}

/** What `npm start` writes to `<state dir>/local.json`: the endpoints, credentials and stack outputs. */
const localJsonSchema = z.object({
  stackName: z.string(),
  region: z.string(),
  apiUrl: z.string(),
  stepFunctionsEndpoint: z.string(),
  cloudwatchEndpoint: z.string(),
  lambdaEndpoint: z.string(),
  s3Endpoint: z.string(),
  dynamodbEndpoint: z.string(),
  credentials: z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }),
  outputs: z
    .object({
      ArtifactsBucketName: z.string(),
      DataBucketName: z.string(),
      RegistryTableName: z.string(),
      TrainingStateMachineArn: z.string(),
      MonitorFunctionName: z.string(),
      RetrainFunctionName: z.string(),
    })
    .loose(),
});

function readLocalJson(file: string): z.infer<typeof localJsonSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not JSON (${(error as Error).message}); restart npm start`, { cause: error });
  }
  const parsed = localJsonSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${file} lacks ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}: it was written by another version of npm start; restart it`,
    );
  }
  return parsed.data;
}

export function connectLocal(stateDir: string): Connection {
  const file = join(resolve(stateDir), 'local.json');
  if (!existsSync(file)) {
    throw new Error(
      `${file} does not exist: start the local stack first (npm start), or point --state-dir at its state`,
    );
  }
  const local = readLocalJson(file);
  const { ArtifactsBucketName, DataBucketName, RegistryTableName, TrainingStateMachineArn } = local.outputs;
  const { MonitorFunctionName, RetrainFunctionName } = local.outputs;
  const clients = createServiceClients({
    region: local.region,
    credentials: local.credentials,
    endpoints: {
      s3: local.s3Endpoint,
      dynamodb: local.dynamodbEndpoint,
      stepFunctions: local.stepFunctionsEndpoint,
      cloudwatch: local.cloudwatchEndpoint,
      lambda: local.lambdaEndpoint,
    },
  });
  return {
    s3: clients.s3,
    registry: clients.registry(RegistryTableName),
    releases: clients.releases(RegistryTableName),
    uploads: clients.uploads(RegistryTableName),
    artifactsBucket: ArtifactsBucketName,
    dataBucket: DataBucketName,
    apiUrl: local.apiUrl,
    sfn: clients.sfn,
    cloudwatch: clients.cloudwatch,
    logs: clients.logs,
    lambda: clients.lambda,
    monitors: clients.monitors(RegistryTableName),
    incidents: clients.incidents(RegistryTableName),
    monitorFunctionName: MonitorFunctionName,
    retrainFunctionName: RetrainFunctionName,
    stackName: local.stackName,
    stateMachineArn: TrainingStateMachineArn,
    region: local.region,
    credentials: local.credentials,
    actor: `${userInfo().username}@${hostname()}`,
    close: () => clients.destroy(),
  };
}

import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MonitorStore } from '../lambdas/shared/adapters/monitor-store.js';
import { IncidentResponses } from '../lambdas/shared/adapters/incident-responses.js';
import { IncidentStore } from '../lambdas/shared/adapters/incident-store.js';
import { Registry } from '../lambdas/shared/adapters/registry.js';
import { ReleaseStore } from '../lambdas/shared/adapters/release-store.js';
import { RunUploads } from '../lambdas/shared/adapters/run-uploads.js';

export interface ClientSettings {
  /** @default the SDK's own resolution (AWS_REGION, the profile) */
  readonly region?: string;
  /** @default the SDK's default credential chain */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Service endpoints of the local runtime; AWS's own when absent. */
  readonly endpoints?: {
    readonly s3: string;
    readonly dynamodb: string;
    readonly stepFunctions: string;
    readonly cloudwatch: string;
    readonly lambda: string;
  };
}

export interface ServiceClients {
  readonly s3: S3Client;
  readonly sfn: SFNClient;
  readonly cloudwatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly lambda: LambdaClient;
  /** The registry table through a document client. */
  registry(tableName: string): Registry;
  releases(tableName: string): ReleaseStore;
  uploads(tableName: string): RunUploads;
  monitors(tableName: string): MonitorStore;
  incidents(tableName: string): { store: IncidentStore; responses: IncidentResponses };
  destroy(): void;
}

/**
 * The one place the CLI builds AWS clients, for the local runtime and a deployed stack alike: they differ only in
 * endpoints and credentials. Checksums only when an API requires them (as the functions' clients), and path-style S3
 * addressing for an emulator on loopback, which has no per-bucket DNS names.
 */
export function createServiceClients(settings: ClientSettings): ServiceClients {
  const common = {
    ...(settings.region !== undefined ? { region: settings.region } : {}),
    ...(settings.credentials !== undefined ? { credentials: settings.credentials } : {}),
  };
  const endpoints = settings.endpoints;
  const s3 = new S3Client({
    ...common,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoints ? { endpoint: endpoints.s3, forcePathStyle: true } : {}),
  });
  const dynamo = new DynamoDBClient({ ...common, ...(endpoints ? { endpoint: endpoints.dynamodb } : {}) });
  const documents = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const sfn = new SFNClient({ ...common, ...(endpoints ? { endpoint: endpoints.stepFunctions } : {}) });
  const cloudwatch = new CloudWatchClient({ ...common, ...(endpoints ? { endpoint: endpoints.cloudwatch } : {}) });
  // Locally, CloudWatch Logs is served on the CloudWatch endpoint.
  const logs = new CloudWatchLogsClient({ ...common, ...(endpoints ? { endpoint: endpoints.cloudwatch } : {}) });
  const lambda = new LambdaClient({ ...common, ...(endpoints ? { endpoint: endpoints.lambda } : {}) });
  return {
    s3,
    sfn,
    cloudwatch,
    logs,
    lambda,
    registry: (tableName) => new Registry(documents, tableName),
    releases: (tableName) => new ReleaseStore(documents, tableName),
    uploads: (tableName) => new RunUploads(documents, tableName),
    monitors: (tableName) => new MonitorStore(documents, tableName),
    incidents: (tableName) => ({
      store: new IncidentStore(documents, tableName),
      responses: new IncidentResponses(documents, tableName),
    }),
    destroy: () => {
      s3.destroy();
      dynamo.destroy();
      sfn.destroy();
      cloudwatch.destroy();
      logs.destroy();
      lambda.destroy();
    },
  };
}

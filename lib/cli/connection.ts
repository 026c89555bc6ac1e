import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { Registry } from '../../lambdas/shared/registry.js';

/** The clients and names the CLI needs, for the local runtime (from .mlops/local.json). */
export interface Connection {
  readonly s3: S3Client;
  readonly registry: Registry;
  readonly artifactsBucket: string;
  readonly dataBucket: string;
  readonly apiUrl: string;
  readonly sfn: SFNClient;
  readonly stateMachineArn: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Who the audit trail names for changes made through this connection. */
  readonly actor: string;
  close(): void;
}

interface LocalJson {
  region: string;
  apiUrl: string;
  stepFunctionsEndpoint: string;
  s3Endpoint: string;
  dynamodbEndpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  outputs: Record<string, string>;
}

export function connectLocal(stateDir: string): Connection {
  const file = join(resolve(stateDir), 'local.json');
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist: start the local stack first (npm start), or point --state-dir at its state`);
  }
  const local = JSON.parse(readFileSync(file, 'utf8')) as LocalJson;
  const { ArtifactsBucketName, DataBucketName, RegistryTableName, TrainingStateMachineArn } = local.outputs;
  if (!ArtifactsBucketName || !DataBucketName || !RegistryTableName || !TrainingStateMachineArn || !local.stepFunctionsEndpoint) throw new Error(`${file} lacks the stack outputs; restart npm start`);
  const common = { region: local.region, credentials: local.credentials };
  const s3 = new S3Client({ ...common, endpoint: local.s3Endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const dynamo = new DynamoDBClient({ ...common, endpoint: local.dynamodbEndpoint });
  const sfn = new SFNClient({ ...common, endpoint: local.stepFunctionsEndpoint });
  return {
    s3,
    registry: new Registry(DynamoDBDocumentClient.from(dynamo), RegistryTableName),
    artifactsBucket: ArtifactsBucketName,
    dataBucket: DataBucketName,
    apiUrl: local.apiUrl,
    sfn,
    stateMachineArn: TrainingStateMachineArn,
    region: local.region,
    credentials: local.credentials,
    actor: `${userInfo().username}@${hostname()}`,
    close: () => {
      s3.destroy();
      dynamo.destroy();
      sfn.destroy();
    },
  };
}

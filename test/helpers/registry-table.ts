import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../../lambdas/core/errors.js';
import { Registry } from '../../lambdas/shared/adapters/registry.js';
import type { VersionRecord, VersionStatus } from '../../lambdas/shared/contracts/registry-records.js';
import type { PointerMoves } from '../../lambdas/shared/use-cases/lifecycle.js';
import { ensureTable, localDynamoClient, startDynamo } from '../../local/storage/emulators.js';

/** Creates a table shaped like the stack's registry (pk/sk strings) and returns a Registry over it. */
export async function createRegistry(client: DynamoDBClient, tableName = 'registry'): Promise<Registry> {
  await ensureTable(client, {
    TableName: tableName,
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  });
  return new Registry(
    DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
  );
}

/**
 * Pointer moves over a registry whose versions' artifacts are all taken as servable (the registry-only tests store no
 * artifacts); `missing` names versions whose artifact check fails as a deleted object's does.
 */
export function movesOver(registry: Registry, missing: ReadonlySet<number> = new Set()): PointerMoves {
  return {
    registry,
    checkArtifact: async (version) => {
      if (missing.has(version.version))
        throw new NotFoundError(`s3://${version.artifact.bucket}/${version.artifact.key} does not exist`);
    },
  };
}

/** A registry on an in-memory DynamoDB Local for one test file; call stop() in afterAll. */
export async function startTestRegistry(): Promise<{
  registry: Registry;
  endpoint: string;
  stop: () => Promise<void>;
}> {
  const dynamo = await startDynamo(undefined, 0);
  const client = localDynamoClient(dynamo.endpoint, 'us-east-1');
  const registry = await createRegistry(client);
  return {
    registry,
    endpoint: dynamo.endpoint,
    stop: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}

/** A version record as the validate step would register it, with placeholder lineage. */
export function versionFixture(
  model: string,
  runId: string,
  status: VersionStatus = 'approved',
): Omit<VersionRecord, 'version' | 'revision'> {
  return {
    model,
    runId,
    status,
    artifact: { bucket: 'a', key: `models/${model}/${runId}/model.json`, sha256: 'f'.repeat(64) },
    weightsSha256: 'w',
    data: [{ bucket: 'b', key: `incoming/${model}/a.csv`, etag: 'e', versionId: null, size: 1 }],
    modelConfigSha256: 'c',
    hyperparameters: {
      hiddenUnits: [4],
      epochs: 1,
      batchSize: 1,
      learningRate: 0.1,
      l2: 0,
      earlyStoppingPatience: 0,
      learningRateSchedule: 'constant',
      seed: 1,
    },
    metrics: { roc_auc: 0.9, r2: null },
    gate: { passed: status !== 'rejected', checks: [], summary: 'ok' },
    comparedWith: null,
    evaluation: { bucket: 'a', key: 'runs/e.json' },
    rows: { read: 10, kept: 10, train: 7, validation: 2, test: 1 },
    profile: { bucket: 'a', key: 'runs/p.json' },
    schemaVersion: 1,
    backend: 'wasm',
    tfjsVersion: 'x',
    codeVersion: 'test',
    createdAt: new Date().toISOString(),
  };
}

/** Registers a version as the validate step does: for a run that exists and is running (a run registers one version). */
export async function registerTestVersion(
  registry: Registry,
  model: string,
  runId: string,
  status: VersionStatus = 'approved',
): Promise<VersionRecord> {
  const trigger = { bucket: 'b', key: `incoming/${model}/a.csv`, etag: 'e', versionId: null, size: 1 };
  await registry.runs.create({ model, runId, status: 'RUNNING', trigger, startedAt: 't', updatedAt: 't' });
  return registry.versions.register(versionFixture(model, runId, status));
}

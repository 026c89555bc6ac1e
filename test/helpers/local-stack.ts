import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IncidentStore } from '../../lambdas/shared/adapters/incident-store.js';
import { MonitorStore } from '../../lambdas/shared/adapters/monitor-store.js';
import { Registry } from '../../lambdas/shared/adapters/registry.js';
import type { ApiSettings } from '../../lib/api-settings.js';
import { localDynamoClient, localS3Client } from '../../local/storage/emulators.js';
import { VirtualClock } from '../../local/clock.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import type { LocalExecution } from '../../local/stepfunctions/state-machine.js';

export interface TestStack {
  readonly runtime: LocalRuntime;
  readonly s3: S3Client;
  readonly registry: Registry;
  /** The monitored windows (what `mlops monitor --history` lists), read directly: cheap to poll. */
  readonly monitors: MonitorStore;
  /** The incidents' grouping state and records, read directly. */
  readonly incidents: IncidentStore;
  readonly dataBucket: string;
  readonly stateDir: string;
  /** Uploads a body and waits for the executions it starts to end. */
  upload(key: string, body: string | Uint8Array): Promise<LocalExecution[]>;
  /** Stops the runtime and starts it again on the same state (as `npm start` after a stop); use the returned stack. */
  restart(): Promise<TestStack>;
  stop(): Promise<void>;
}

type StackOptions = {
  models?: Record<string, unknown>;
  registryOnDisk?: boolean;
  clock?: VirtualClock;
  api?: ApiSettings;
};

/**
 * The real local runtime on free ports with throw-away state, as `npm start` runs it. `models` ships these model
 * files (name → file contents) instead of the repository's, as `cdk deploy -c modelsDir=…` would; `api` serves the API
 * as an environment declaring it would (`npm start -- --env <name>`).
 */
export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'mlops-e2e-'));
  let modelsDir: string | undefined;
  if (options.models !== undefined) {
    modelsDir = mkdtempSync(join(tmpdir(), 'mlops-models-'));
    for (const [name, file] of Object.entries(options.models))
      writeFileSync(join(modelsDir, `${name}.json`), JSON.stringify(file, null, 2));
  }
  return startOn(stateDir, modelsDir, options);
}

async function startOn(stateDir: string, modelsDir: string | undefined, options: StackOptions): Promise<TestStack> {
  const runtime = await startLocalRuntime({
    stateDir,
    ports: { api: 0, s3: 0, dynamodb: 0, stepFunctions: 0, cloudwatch: 0, lambda: 0, sns: 0 },
    inMemoryDynamo: options.registryOnDisk !== true,
    ...(modelsDir ? { modelsDir } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.api ? { api: options.api } : {}),
  });
  const { endpoints } = runtime;
  const s3 = localS3Client(endpoints.s3Endpoint, endpoints.region);
  const dynamo = localDynamoClient(endpoints.dynamodbEndpoint, endpoints.region);
  const table = endpoints.outputs.RegistryTableName as string;
  const registry = new Registry(DynamoDBDocumentClient.from(dynamo), table);
  const monitors = new MonitorStore(DynamoDBDocumentClient.from(dynamo), table);
  const incidents = new IncidentStore(DynamoDBDocumentClient.from(dynamo), table);
  const dataBucket = endpoints.outputs.DataBucketName as string;
  const stop = async (): Promise<void> => {
    s3.destroy();
    dynamo.destroy();
    await runtime.stop();
  };
  return {
    runtime,
    s3,
    registry,
    monitors,
    incidents,
    dataBucket,
    stateDir,
    async upload(key, body) {
      const before = new Set(runtime.executions().map((e) => e.executionArn));
      // The runs the upload started (an incident's response workflow, started by an alarm meanwhile, is not one).
      const runs = () =>
        runtime.executions().filter((e) => !before.has(e.executionArn) && !e.stateMachineArn.endsWith('-incident'));
      await s3.send(new PutObjectCommand({ Bucket: dataBucket, Key: key, Body: body, ContentType: 'text/csv' }));
      const deadline = Date.now() + 10_000;
      while (runs().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const started = runs();
      await Promise.all(started.map((e) => e.done));
      return started;
    },
    async restart() {
      // Time goes on from where it was (the functions' clock never runs backwards across the restart).
      const clock = new VirtualClock({ start: runtime.clock.now(), rate: runtime.clock.pace });
      await stop();
      return startOn(stateDir, modelsDir, { ...options, clock });
    },
    stop,
  };
}

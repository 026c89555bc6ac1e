import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry, type RunRecord } from '../../lambdas/shared/registry.js';
import { localDynamoClient, localS3Client } from '../../local/emulators.js';
import { adultRows } from '../helpers/e2e.js';
import { startRuntimeProcess, type RuntimeProcess } from '../helpers/runtime-process.js';

/**
 * The local runtime killed as a machine crash kills it (`kill -9` of its process group, DynamoDB Local included), then
 * started again on the same state, as `npm start` after a crash.
 */
const stateDir = mkdtempSync(join(tmpdir(), 'mlops-crash-'));
let runtime: RuntimeProcess | undefined;

afterAll(async () => {
  await runtime?.kill();
});

function clientsOf(process: RuntimeProcess) {
  const { endpoints } = process;
  const dynamo = localDynamoClient(endpoints.dynamodbEndpoint, endpoints.region);
  const s3 = localS3Client(endpoints.s3Endpoint, endpoints.region);
  const registry = new Registry(DynamoDBDocumentClient.from(dynamo), endpoints.outputs.RegistryTableName as string);
  return { s3, registry, destroy: () => (dynamo.destroy(), s3.destroy()) };
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${runtime?.output().slice(-3000) ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const mlops = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/mlops.ts', '--state-dir', stateDir, ...args]);

describe('a crash of the runtime', () => {
  it('during Tune: after the restart the run is FAILED at Tune with the reason, and re-drives to PROMOTED', async () => {
    runtime = await startRuntimeProcess(stateDir);
    let clients = clientsOf(runtime);
    await clients.s3.send(new PutObjectCommand({ Bucket: runtime.endpoints.outputs.DataBucketName as string, Key: 'incoming/adult/crash.csv', Body: adultRows(8000) }));
    const tuning = await until('a run in Tune', async () => (await clients.registry.listRuns('adult')).find((r) => r.status === 'RUNNING' && r.step === 'Tune'));
    clients.destroy();
    await runtime.kill();

    runtime = await startRuntimeProcess(stateDir);
    clients = clientsOf(runtime);
    const failed = await until('the run marked FAILED', async () => {
      const run = await clients.registry.getRun('adult', tuning.runId);
      return run?.status === 'FAILED' ? run : undefined;
    });
    expect(failed).toMatchObject({ step: 'Tune', errorType: 'States.Aborted' } satisfies Partial<RunRecord>);
    expect(failed.reason).toMatch(/^the execution was aborted at Tune, outside the pipeline's own error handling \(the local runtime stopped while the execution was running\); resume it with: mlops runs redrive adult run-/);
    expect(Object.keys(failed.resumeState ?? {}).sort()).toEqual(expect.arrayContaining(['detail', 'etl', 'run']));

    const { stdout } = await mlops('--json', 'runs', 'redrive', 'adult', tuning.runId, '--wait');
    expect(JSON.parse(stdout)).toMatchObject({ step: 'Tune', status: 'SUCCEEDED', runStatus: 'PROMOTED' });
    expect((await clients.registry.getAlias('adult'))?.version).toBe(1);
    clients.destroy();
  }, 300_000);
});

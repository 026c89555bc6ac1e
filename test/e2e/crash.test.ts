import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from '../../lambdas/shared/adapters/registry.js';
import type { RunRecord } from '../../lambdas/shared/contracts/registry-records.js';
import { localDynamoClient, localS3Client } from '../../local/storage/emulators.js';
import { deliveredRecords, type CapturedRecord } from '../helpers/capture-objects.js';
import { adultRows, REQUEST } from '../helpers/e2e.js';
import { signedFetch } from '../helpers/sign.js';
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
  return {
    s3,
    registry,
    dataBucket: endpoints.outputs.DataBucketName as string,
    destroy: () => (dynamo.destroy(), s3.destroy()),
  };
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n${runtime?.output().slice(-3000) ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const mlops = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/mlops.ts', '--state-dir', stateDir, ...args]);

describe('a crash of the runtime', () => {
  it('during Tune: after the restart the run is FAILED at Tune with the reason, and re-drives to PROMOTED', async () => {
    runtime = await startRuntimeProcess(stateDir);
    let clients = clientsOf(runtime);
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: runtime.endpoints.outputs.DataBucketName as string,
        Key: 'incoming/adult/crash.csv',
        Body: adultRows(8000),
      }),
    );
    const tuning = await until('a run in Tune', async () =>
      (await clients.registry.runs.list('adult')).find((r) => r.status === 'RUNNING' && r.step === 'Tune'),
    );
    clients.destroy();
    await runtime.kill();

    runtime = await startRuntimeProcess(stateDir);
    clients = clientsOf(runtime);
    const failed = await until('the run marked FAILED', async () => {
      const run = await clients.registry.runs.get('adult', tuning.runId);
      return run?.status === 'FAILED' ? run : undefined;
    });
    expect(failed).toMatchObject({ step: 'Tune', errorType: 'States.Aborted' } satisfies Partial<RunRecord>);
    expect(failed.reason).toMatch(
      /^the execution was aborted at Tune, outside the pipeline's own error handling \(the local runtime stopped while the execution was running\); resume it with: mlops runs redrive adult run-/,
    );
    expect(Object.keys(failed.resumeState ?? {}).sort()).toEqual(expect.arrayContaining(['detail', 'etl', 'run']));

    const { stdout } = await mlops('--json', 'runs', 'redrive', 'adult', tuning.runId, '--wait');
    expect(JSON.parse(stdout)).toMatchObject({ step: 'Tune', status: 'SUCCEEDED', runStatus: 'PROMOTED' });
    expect((await clients.registry.aliases.get('adult'))?.version).toBe(1);
    clients.destroy();
  }, 300_000);

  it("while traffic and feedback flow: after the restart every answered request's capture record and every recorded truth is in S3, exactly once", async () => {
    runtime ??= await startRuntimeProcess(stateDir);
    let clients = clientsOf(runtime);
    // Independent of the scenario before: a production version, trained here if there is none.
    if ((await clients.registry.aliases.get('adult')) === undefined) {
      await clients.s3.send(
        new PutObjectCommand({ Bucket: clients.dataBucket, Key: 'incoming/adult/traffic.csv', Body: adultRows(8000) }),
      );
      await until('a production version', async () => clients.registry.aliases.get('adult'));
    }
    const api = runtime.endpoints.apiUrl;
    const answered = new Set<string>();
    const recorded = new Set<string>();
    let stopped = false;
    /** One caller: predict, then send the truth of what it was told, until the runtime dies under it. */
    const caller = async () => {
      while (!stopped) {
        try {
          const response = await signedFetch({ url: `${api}/v1/models/adult/predict`, body: REQUEST });
          if (response.status !== 200) continue;
          const ids = ((await response.json()) as { predictions: { id: string }[] }).predictions.map((p) => p.id);
          for (const id of ids) answered.add(id);
          const feedback = await signedFetch({
            url: `${api}/v1/models/adult/feedback`,
            body: JSON.stringify({ feedback: ids.map((predictionId) => ({ predictionId, label: '>50K' })) }),
          });
          if (feedback.status === 200)
            for (const r of ((await feedback.json()) as { results: { predictionId: string; status: string }[] })
              .results)
              if (r.status === 'recorded') recorded.add(r.predictionId);
        } catch {
          return; // the connection died with the runtime
        }
      }
    };
    const callers = Array.from({ length: 8 }, () => caller());
    await until('traffic answered', async () => (recorded.size >= 300 ? true : undefined));
    clients.destroy();
    await runtime.kill();
    stopped = true;
    await Promise.all(callers);

    runtime = await startRuntimeProcess(stateDir);
    clients = clientsOf(runtime);
    const captured = await until(
      'every answered prediction captured',
      async () => {
        const records = await deliveredRecords<CapturedRecord>(clients, 'capture/model=adult/');
        const ids = records.flatMap(({ record }) => record.predictionIds);
        return [...answered].every((id) => ids.includes(id)) ? ids : undefined;
      },
      60_000,
    );
    expect(captured.filter((id) => answered.has(id)).length).toBe(answered.size); // once each
    const truths = (await deliveredRecords<{ predictionId: string }>(clients, 'feedback/model=adult/')).map(
      ({ record }) => record.predictionId,
    );
    expect(truths.filter((id) => recorded.has(id)).sort()).toEqual([...recorded].sort());
    clients.destroy();
  }, 300_000);
});

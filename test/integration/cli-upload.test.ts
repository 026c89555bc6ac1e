import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadData } from '../../cli/runs.js';
import { registerRun } from '../../lambdas/register-run/register-run.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import { RunUploads } from '../../lambdas/shared/adapters/run-uploads.js';
import {
  ensureBucket,
  localDynamoClient,
  localS3Client,
  startS3,
  type RunningS3,
} from '../../local/storage/emulators.js';
import { startTestRegistry } from '../helpers/registry-table.js';

let s3server: RunningS3;
let stopRegistry: () => Promise<void>;
let connection: Parameters<typeof uploadData>[0];
let registry: Registry;

/** S3 with the pipeline's first step behind it: each object-created event registers a run, in its own execution. */
beforeAll(async () => {
  const started = await startTestRegistry();
  stopRegistry = started.stop;
  registry = started.registry;
  const uploads = new RunUploads(
    DynamoDBDocumentClient.from(localDynamoClient(started.endpoint, 'us-east-1')),
    'registry',
  );
  const models = mkdtempSync(join(tmpdir(), 'mlops-upload-models-'));
  writeFileSync(join(models, 'churn.json'), JSON.stringify({ name: 'churn', task: 'binary', label: 'y' }));
  // The pipeline's client, set once the server has a port.
  const pipeline: { s3?: ReturnType<typeof localS3Client> } = {};
  s3server = await startS3(mkdtempSync(join(tmpdir(), 'mlops-upload-s3-')), 0, (record) => {
    const { s3 } = pipeline;
    if (s3 === undefined) return;
    const event = {
      'detail-type': 'Object Created',
      source: 'aws.s3',
      detail: { bucket: { name: record.s3.bucket.name }, object: { key: record.s3.object.key } },
    } as const;
    void registerRun({ s3, registry, uploads, modelsDir: models }, event, randomUUID()).catch((error: unknown) =>
      console.error(error),
    );
  });
  const s3 = localS3Client(s3server.endpoint, 'us-east-1');
  pipeline.s3 = s3;
  await ensureBucket(s3, 'data');
  connection = { s3, registry, uploads, dataBucket: 'data' };
});

afterAll(async () => {
  connection.s3.destroy();
  await s3server.close();
  await stopRegistry();
});

const csv = (n: number) => `a,y\n${Array.from({ length: n }, (_, i) => `${i},${i % 2}`).join('\n')}\n`;

describe('mlops upload: did this upload start a run?', () => {
  it('says "started" for exactly one of identical uploads that race, and "duplicate" for the others, all naming the one run', async () => {
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => uploadData(connection, 'churn', 'race.csv', csv(20), { pollMs: 50 })),
    );
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.runId)).size).toBe(1);
    const run = await registry.runs.get('churn', answers[0]?.runId ?? '');
    expect(run).toMatchObject({ uploads: 4, uploadTickets: 4 });
  });

  it('says "duplicate" for the same bytes uploaded again later, and "started" for other bytes under the same name', async () => {
    const first = await uploadData(connection, 'churn', 'again.csv', csv(30), { pollMs: 50 });
    const again = await uploadData(connection, 'churn', 'again.csv', csv(30), { pollMs: 50 });
    const changed = await uploadData(connection, 'churn', 'again.csv', csv(31), { pollMs: 50 });
    expect([first.duplicate, again.duplicate, changed.duplicate]).toEqual([false, true, false]);
    expect(again.runId).toBe(first.runId);
    expect(changed.runId).not.toBe(first.runId);
  });
});

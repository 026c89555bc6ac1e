import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEtl } from '../../lambdas/etl/etl.js';
import type { Registry } from '../../lambdas/shared/registry.js';
import { createRegistry } from '../helpers/registry-table.js';
import { ensureBucket, localDynamoClient, localS3Client, startDynamo, startS3, type RunningDynamo, type RunningS3 } from '../../local/emulators.js';

let s3server: RunningS3;
let dynamo: RunningDynamo;
let s3: ReturnType<typeof localS3Client>;
let db: ReturnType<typeof localDynamoClient>;
let registry: Registry;

const csv = (offset: number, rows: number) =>
  ['x,color,y', ...Array.from({ length: rows }, (_, i) => `${offset + i},${i % 2 ? 'red' : 'blue'},${i % 3 ? 'a' : 'b'}`)].join('\n');

beforeAll(async () => {
  s3server = await startS3(mkdtempSync(join(tmpdir(), 'mlops-s3-')), 0, () => undefined);
  dynamo = await startDynamo(undefined, 0);
  s3 = localS3Client(s3server.endpoint, 'us-east-1');
  db = localDynamoClient(dynamo.endpoint, 'us-east-1');
  await ensureBucket(s3, 'data');
  await ensureBucket(s3, 'artifacts');
  registry = await createRegistry(db);
  const models = mkdtempSync(join(tmpdir(), 'mlops-models-'));
  writeFileSync(join(models, 'rolling.json'), JSON.stringify({ name: 'rolling', task: 'binary', label: 'y', data: { source: 'latest', count: 2 } }));
  process.env.MODELS_DIR = models;
});

afterAll(async () => {
  delete process.env.MODELS_DIR;
  s3.destroy();
  db.destroy();
  await s3server.close();
  await dynamo.close();
});

describe('ETL with "latest N objects" data selection', () => {
  it('trains on the newest 2 objects under the model prefix, recording each with its sha256', async () => {
    for (const [name, offset] of [['jan.csv', 0], ['feb.csv', 1000], ['mar.csv', 2000]] as const) {
      await s3.send(new PutObjectCommand({ Bucket: 'data', Key: `incoming/rolling/${name}`, Body: csv(offset, 300) }));
      await new Promise((r) => setTimeout(r, 1100)); // S3 LastModified has one-second resolution
    }
    const trigger = { bucket: 'data', key: 'incoming/rolling/mar.csv', etag: 'x', versionId: null, size: 1 };
    await registry.createRun({ model: 'rolling', runId: 'run-latest', status: 'RUNNING', trigger, startedAt: 't', updatedAt: 't' });
    const result = await runEtl({ s3, registry, artifactsBucket: 'artifacts' }, { model: 'rolling', runId: 'run-latest', trigger, duplicate: false });
    expect(result.data.map((d) => d.key)).toEqual(['incoming/rolling/mar.csv', 'incoming/rolling/feb.csv']);
    expect(result.data.every((d) => /^[0-9a-f]{64}$/.test(d.sha256 ?? ''))).toBe(true);
    expect(result.rows.read).toBe(600);
    const run = await registry.getRun('rolling', 'run-latest');
    expect(run?.data).toHaveLength(2);
    expect(run?.preparation).toMatchObject({ rowsRead: 600, rowsKept: 600 });
  }, 30_000);
});

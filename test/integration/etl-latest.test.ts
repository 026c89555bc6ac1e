import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256Hex } from '../../lambdas/core/digest.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEtl } from '../../lambdas/etl/etl.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import { createRegistry } from '../helpers/registry-table.js';
import {
  ensureBucket,
  localDynamoClient,
  localS3Client,
  startDynamo,
  startS3,
  type RunningDynamo,
  type RunningS3,
} from '../../local/storage/emulators.js';

/** The deployed model files of this test, passed to the steps (never through the global environment). */
let modelsDir: string;
let s3server: RunningS3;
let dynamo: RunningDynamo;
let s3: ReturnType<typeof localS3Client>;
let db: ReturnType<typeof localDynamoClient>;
let registry: Registry;

const csv = (offset: number, rows: number) =>
  [
    'x,color,y',
    ...Array.from({ length: rows }, (_, i) => `${offset + i},${i % 2 ? 'red' : 'blue'},${i % 3 ? 'a' : 'b'}`),
  ].join('\n');

beforeAll(async () => {
  s3server = await startS3(mkdtempSync(join(tmpdir(), 'mlops-s3-')), 0, () => undefined);
  dynamo = await startDynamo(undefined, 0);
  s3 = localS3Client(s3server.endpoint, 'us-east-1');
  db = localDynamoClient(dynamo.endpoint, 'us-east-1');
  await ensureBucket(s3, 'data');
  await ensureBucket(s3, 'artifacts');
  registry = await createRegistry(db);
  const models = mkdtempSync(join(tmpdir(), 'mlops-models-'));
  writeFileSync(
    join(models, 'rolling.json'),
    JSON.stringify({ name: 'rolling', task: 'binary', label: 'y', data: { source: 'latest', count: 2 } }),
  );
  writeFileSync(join(models, 'places.json'), JSON.stringify({ name: 'places', task: 'binary', label: 'y' }));
  writeFileSync(join(models, 'wide.json'), JSON.stringify({ name: 'wide', task: 'binary', label: 'y' }));
  writeFileSync(join(models, 'packed.json'), JSON.stringify({ name: 'packed', task: 'binary', label: 'y' }));
  modelsDir = models;
});

afterAll(async () => {
  s3.destroy();
  db.destroy();
  await s3server.close();
  await dynamo.close();
});

describe('ETL with "latest N objects" data selection', () => {
  it('trains on the newest 2 objects under the model prefix, recording each with its sha256', async () => {
    for (const [name, offset] of [
      ['jan.csv', 0],
      ['feb.csv', 1000],
      ['mar.csv', 2000],
    ] as const) {
      await s3.send(new PutObjectCommand({ Bucket: 'data', Key: `incoming/rolling/${name}`, Body: csv(offset, 300) }));
      await new Promise((r) => setTimeout(r, 1100)); // S3 LastModified has one-second resolution
    }
    const trigger = { bucket: 'data', key: 'incoming/rolling/mar.csv', etag: 'x', versionId: null, size: 1 };
    await registry.runs.create({
      model: 'rolling',
      runId: 'run-latest',
      status: 'RUNNING',
      trigger,
      startedAt: 't',
      updatedAt: 't',
    });
    const result = await runEtl(
      { s3, registry, artifactsBucket: 'artifacts', modelsDir },
      { model: 'rolling', runId: 'run-latest', trigger, duplicate: false },
    );
    expect(result.data.map((d) => d.key)).toEqual(['incoming/rolling/mar.csv', 'incoming/rolling/feb.csv']);
    expect(result.data.every((d) => /^[0-9a-f]{64}$/.test(d.sha256 ?? ''))).toBe(true);
    expect(result.rows.read).toBe(600);
    const run = await registry.runs.get('rolling', 'run-latest');
    expect(run?.data).toHaveLength(2);
    expect(run?.preparation).toMatchObject({ rowsRead: 600, rowsKept: 600 });
  }, 30_000);

  it('stops a first upload saved as Latin-1 before anything is trained, naming the line, the column and the value', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => Buffer.from(`${i},Lima`));
    rows[150] = Buffer.concat([Buffer.from('150,Cura'), Buffer.from([0xe7]), Buffer.from('ao')]); // Curaçao in Latin-1, on line 152
    const body = Buffer.concat([
      Buffer.from('x,place,y\n'),
      ...rows.map((r, i) => Buffer.concat([r, Buffer.from(`,${i % 3 ? 'a' : 'b'}\n`)])),
    ]);
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'incoming/places/latin1.csv', Body: body }));
    const trigger = {
      bucket: 'data',
      key: 'incoming/places/latin1.csv',
      etag: 'x',
      versionId: null,
      size: body.length,
    };
    await registry.runs.create({
      model: 'places',
      runId: 'run-latin1',
      status: 'RUNNING',
      trigger,
      startedAt: 't',
      updatedAt: 't',
    });
    await expect(
      runEtl(
        { s3, registry, artifactsBucket: 'artifacts', modelsDir },
        { model: 'places', runId: 'run-latin1', trigger, duplicate: false },
      ),
    ).rejects.toThrow(
      'incoming/places/latin1.csv cannot be used: invalid_encoding: 1 row(s) hold bytes that are not UTF-8, first at incoming/places/latin1.csv:152: column "place" reads "Cura\uFFFDao"',
    );
    const run = await registry.runs.get('places', 'run-latin1');
    expect(run?.anomalies).toEqual([
      expect.objectContaining({ kind: 'invalid_encoding', column: 'place', severity: 'blocking', count: 1 }),
    ]);
    expect(await registry.schemas.get('places')).toBeUndefined(); // garbled data does not become the schema
  }, 30_000);
});

describe('ETL of a very wide upload', () => {
  it('records the first ten of 3,000 anomalies on the run with their counts, and the full list beside the run (a run item has 400 KB)', async () => {
    const etl = async (name: string, body: string, runId: string) => {
      await s3.send(new PutObjectCommand({ Bucket: 'data', Key: `incoming/wide/${name}`, Body: body }));
      const trigger = { bucket: 'data', key: `incoming/wide/${name}`, etag: 'x', versionId: null, size: body.length };
      await registry.runs.create({ model: 'wide', runId, status: 'RUNNING', trigger, startedAt: 't', updatedAt: 't' });
      return runEtl(
        { s3, registry, artifactsBucket: 'artifacts', modelsDir },
        { model: 'wide', runId, trigger, duplicate: false },
      );
    };
    await etl('narrow.csv', csv(0, 300), 'run-narrow');
    const extra = Array.from({ length: 3000 }, (_, i) => `added_column_with_a_long_name_${i}`);
    const wide = [
      ['x', 'color', 'y', ...extra].join(','),
      ...csv(0, 300)
        .split('\n')
        .slice(1)
        .map((row) => `${row},${extra.map(() => '0').join(',')}`),
    ].join('\n');
    await etl('wide.csv', wide, 'run-wide');
    const run = await registry.runs.get('wide', 'run-wide');
    expect(run?.anomalies).toHaveLength(10);
    expect(run?.anomalies?.[0]).toMatchObject({
      kind: 'new_column',
      column: 'added_column_with_a_long_name_0',
      severity: 'warning',
    });
    expect(run?.anomalyCounts).toEqual({
      total: 3000,
      blocking: 0,
      byKind: { new_column: 3000 },
      list: { bucket: 'artifacts', key: 'runs/wide/run-wide/anomalies.json' },
    });
    const full = JSON.parse(
      (await (
        await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'runs/wide/run-wide/anomalies.json' }))
      ).Body?.transformToString()) ?? '[]',
    ) as { column: string }[];
    expect(full.map((a) => a.column)).toEqual(extra);
  }, 60_000);
});

describe('ETL of compressed and binary uploads', () => {
  const etl = async (name: string, body: Uint8Array) => {
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: `incoming/packed/${name}`, Body: body }));
    const trigger = { bucket: 'data', key: `incoming/packed/${name}`, etag: 'x', versionId: null, size: body.length };
    const runId = `run-${name}`;
    await registry.runs.create({ model: 'packed', runId, status: 'RUNNING', trigger, startedAt: 't', updatedAt: 't' });
    return runEtl(
      { s3, registry, artifactsBucket: 'artifacts', modelsDir },
      { model: 'packed', runId, trigger, duplicate: false },
    );
  };

  it('reads a gzip-compressed CSV (found by its first bytes, whatever its name), recording the sha256 of the bytes as stored', async () => {
    const packed = gzipSync(csv(0, 300));
    const result = await etl('data.csv.gz', packed);
    expect(result.rows.read).toBe(300);
    expect(result.data[0]?.sha256).toBe(sha256Hex(packed));
    expect((await etl('renamed.csv', gzipSync(csv(300, 300)))).rows.read).toBe(300);
  }, 30_000);

  it.each([
    [
      'a ZIP file',
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), randomBytes(700)]),
      'is not a CSV file: it is a ZIP archive (or an .xlsx workbook); upload the data as CSV text (UTF-8), or as a gzip-compressed CSV (.csv.gz)',
    ],
    [
      'a Parquet file',
      Buffer.concat([Buffer.from('PAR1'), randomBytes(700)]),
      'is not a CSV file: it is a Parquet file',
    ],
    [
      'unknown binary',
      Buffer.concat([Buffer.from([0x07, 0x00, 0xff]), randomBytes(700)]),
      'is not a CSV file: it is binary data of an unknown format',
    ],
    [
      'a damaged gzip',
      gzipSync(csv(0, 300)).subarray(0, 100),
      'starts as gzip but cannot be decompressed (unexpected end of file); upload it again',
    ],
  ])(
    'refuses %s by name, without echoing its bytes',
    async (name, body, message) => {
      const failure = await etl(`${name.replace(/ /g, '-')}.csv`, body).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(failure?.name).toBe('DataValidationError');
      expect(failure?.message).toContain(message);
      expect(failure?.message.length).toBeLessThan(300);
      expect(failure?.message).toMatch(/^[\x20-\x7e]+$/);
    },
    30_000,
  );
});

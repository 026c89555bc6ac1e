import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Predictor } from '../../lambdas/core/artifact.js';
import type { InputValue } from '../../lambdas/core/preprocess.js';
import { captureLines } from '../../lambdas/core/capture-record.js';
import { readCsv } from '../../lambdas/core/csv.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';
import { runEtl } from '../../lambdas/etl/etl.js';
import { monitorModel, recordFailedWindow } from '../../lambdas/monitor/monitor.js';
import { promoteRun } from '../../lambdas/promote/promote.js';
import { registerRun } from '../../lambdas/register-run/register-run.js';
import { fetchArtifact, artifactCheck } from '../../lambdas/shared/adapters/artifacts.js';
import { MonitorStore } from '../../lambdas/shared/adapters/monitor-store.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import { RunUploads } from '../../lambdas/shared/adapters/run-uploads.js';
import type { StepDeps } from '../../lambdas/shared/adapters/step-deps.js';
import { runTraining } from '../../lambdas/train/train.js';
import { runValidation } from '../../lambdas/validate/validate.js';
import {
  ensureBucket,
  localDynamoClient,
  localS3Client,
  startDynamo,
  startS3,
  type RunningDynamo,
  type RunningS3,
} from '../../local/storage/emulators.js';
import { adultSample } from '../helpers/adult.js';
import { createRegistry } from '../helpers/registry-table.js';

/** A fast holdout model: the monitor's reading and recording are tested here, its statistics in unit tests. */
const MODEL_FILE = {
  name: 'watched',
  task: 'binary',
  label: 'class',
  positiveClass: '>50K',
  exclude: ['fnlwgt'],
  missingValues: ['', '?'],
  hyperparameters: { hiddenUnits: [8], epochs: 5, seed: 1 },
  tuning: { candidates: 1, crossValidation: 'never' },
  gate: { minimums: { roc_auc: 0.6 } },
};
const CONFIG = parseModelConfig(MODEL_FILE, 'watched');
const WINDOW_END = new Date('2026-12-07T10:15:00Z');

let s3server: RunningS3;
let dynamo: RunningDynamo;
let deps: StepDeps;
let registry: Registry;
let monitors: MonitorStore;
let predictor: Predictor;

beforeAll(async () => {
  s3server = await startS3(mkdtempSync(join(tmpdir(), 'mlops-s3-')), 0, () => undefined);
  dynamo = await startDynamo(undefined, 0);
  const s3 = localS3Client(s3server.endpoint, 'us-east-1');
  await ensureBucket(s3, 'data');
  await ensureBucket(s3, 'artifacts');
  const db = localDynamoClient(dynamo.endpoint, 'us-east-1');
  registry = await createRegistry(db);
  monitors = new MonitorStore(DynamoDBDocumentClient.from(db), 'registry');
  const models = mkdtempSync(join(tmpdir(), 'mlops-models-'));
  writeFileSync(join(models, 'watched.json'), JSON.stringify(MODEL_FILE));
  deps = { s3, registry, artifactsBucket: 'artifacts', modelsDir: models };
  const uploads = new RunUploads(DynamoDBDocumentClient.from(db), 'registry');
  await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'incoming/watched/a.csv', Body: adultSample(1500, 7) }));
  const event = {
    'detail-type': 'Object Created',
    source: 'aws.s3',
    detail: { bucket: { name: 'data' }, object: { key: 'incoming/watched/a.csv' } },
  } as const;
  const run = await registerRun({ ...deps, uploads }, event, 'exec-1');
  const etl = await runEtl(deps, run);
  const trials = await Promise.all(etl.tuning.trainings.map((item) => runTraining(deps, run, etl, item, 900_000)));
  const validation = await runValidation({ ...deps, codeVersion: 'test' }, run, etl, trials, undefined);
  await promoteRun({ registry, checkArtifact: artifactCheck(s3) }, run, validation, 'test', 'direct');
  const version = await registry.versions.get('watched', validation.version);
  predictor = await Predictor.load(await fetchArtifact(s3, version?.artifact ?? trials[0]!.artifact));
}, 120_000);

afterAll(async () => {
  predictor.dispose();
  deps.s3.destroy();
  await s3server.close();
  await dynamo.close();
});

/** Rows of adult served by the promoted version in the window, 50 per request; their capture lines, gzipped. */
async function serve(rows: number, seed: number, prefix: string): Promise<{ ids: string[]; labels: string[] }> {
  const table = await readCsv(adultSample(rows, seed), { missingValues: ['', '?'], source: 'live.csv' });
  const label = table.columns.indexOf('class');
  const instances = table.rows.map((row) =>
    Object.fromEntries(table.columns.map((c, i) => [c, row[i] as InputValue]).filter(([c]) => c !== 'class')),
  );
  const lines: string[] = [];
  const ids: string[] = [];
  for (let first = 0; first < instances.length; first += 50) {
    const batch = instances.slice(first, first + 50);
    const requestId = `${prefix}-${first}`;
    lines.push(
      ...captureLines({
        model: 'watched',
        version: 1,
        variant: 'production',
        requestId,
        time: new Date(WINDOW_END.getTime() - 10 * 60_000 + first * 100),
        instances: batch,
        predictions: predictor.predictInstances(batch),
      }),
    );
    batch.forEach((_, i) => ids.push(`${requestId}.${i}`));
  }
  const key = `capture/model=watched/dt=2026-12-07-10/${prefix}.gz`;
  await deps.s3.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: gzipSync(lines.join('\n')) }));
  return { ids, labels: table.rows.map((row) => String(row[label])) };
}

async function feedback(ids: readonly string[], labels: readonly string[], key: string): Promise<void> {
  const lines = ids.map((predictionId, i) =>
    JSON.stringify({
      mlopsRecord: 'feedback',
      model: 'watched',
      predictionId,
      groundTruthData: { data: JSON.stringify(labels[i]), encoding: 'JSON', observedContentType: 'application/json' },
      receivedAt: '2026-12-07T10:20:00.000Z',
    }),
  );
  await deps.s3.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: gzipSync(lines.join('\n')) }));
}

describe('the monitor (lambdas/monitor)', () => {
  it('judges the served version on the window’s captured traffic and its feedback, records the window once', async () => {
    const served = await serve(400, 11, 'req');
    await feedback(
      served.ids.slice(0, 200),
      served.labels.slice(0, 200),
      'feedback/model=watched/dt=2026-12-07-10/f.gz',
    );
    const garbled = 'capture/model=watched/dt=2026-12-07-10/garbled.gz';
    await deps.s3.send(new PutObjectCommand({ Bucket: 'data', Key: garbled, Body: Buffer.from([0x1f, 0x8b, 1, 2]) }));
    const now = new Date('2026-12-07T10:36:00Z');
    const monitorDeps = { s3: deps.s3, registry, monitors, dataBucket: 'data', artifactsBucket: 'artifacts' };
    const first = await monitorModel(monitorDeps, { model: 'watched', trigger: 'schedule' }, CONFIG, now);
    expect(first.recorded).toBe(true);
    expect(first.window).toMatchObject({
      windowStart: '2026-12-07T10:15:00.000Z',
      windowEnd: '2026-12-07T10:30:00.000Z',
      unreadable: { count: 1, first: [{ where: `s3://data/${garbled}` }] },
    });
    // The traffic was served 10:05–10:06, before this window: the production variant is listed with nothing to judge.
    expect(first.window.variants).toEqual([
      expect.objectContaining({ variant: 'production', version: 1, rows: 0, status: 'insufficient_data' }),
    ]);

    const earlier = { model: 'watched', trigger: 'manual' as const, windowEnd: WINDOW_END.toISOString() };
    const monitored = await monitorModel(monitorDeps, earlier, CONFIG, now);
    const [production] = monitored.window.variants;
    expect(production).toMatchObject({ variant: 'production', version: 1, rows: 400, labelledRows: 200 });
    expect(production?.status).not.toBe('not_monitorable');
    expect(production?.judgedOn?.metric).toBe('accuracy');
    if (production?.realized.sufficient !== true) throw new Error('200 labels are enough');
    expect(production.realized.metrics.accuracy).toBeGreaterThan(0.6);
    // 200 labelled predictions (the default minimum): the served version re-scored them with each feature shuffled.
    if (production.influence.measured !== true) throw new Error(production.influence.reason);
    expect(production.influence).toMatchObject({ verdict: 'ok', score: 'roc_auc', labelledRows: 200, flagged: [] });
    expect(production.influence.features.map((f) => f.feature).sort()).toEqual(
      predictor.artifact.preprocessor.features.map((f) => f.name).sort(),
    );
    expect(production.influence.features.reduce((sum, f) => sum + f.live, 0)).toBeCloseTo(1, 9);

    // Its report, in the model card's look: the drift test of every feature with histograms, influence, the trend.
    expect(monitored.window.report).toEqual({
      bucket: 'artifacts',
      key: 'monitoring/watched/2026-12-07T10:00:00.000Z.html',
    });
    const page = await (
      await deps.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: monitored.window.report?.key }))
    ).Body?.transformToString();
    expect(page).toContain('<title>Monitoring — watched: 2026-12-07T10:00:00.000Z – 2026-12-07T10:15:00.000Z</title>');
    expect(page).toContain('<h2>production v1: ');
    for (const feature of predictor.artifact.preprocessor.features) expect(page).toContain(`<td>${feature.name}</td>`);
    expect(page?.match(/<svg/g)?.length).toBeGreaterThanOrEqual(5); // four histograms and the trend
    expect(page).toContain('Share of the influence (roc_auc, 200 labelled predictions)');

    // A repeated schedule (or a second monitor) of the same window records and changes nothing.
    const again = await monitorModel(monitorDeps, earlier, CONFIG, new Date('2026-12-07T11:00:00Z'));
    expect(again).toEqual({ recorded: false, window: monitored.window });
    expect((await monitors.list('watched')).map((w) => w.windowStart)).toEqual([
      '2026-12-07T10:15:00.000Z',
      '2026-12-07T10:00:00.000Z',
    ]);
  }, 60_000);

  it('records a monitor that failed or ran out of time with its reason, until a monitor of the window succeeds', async () => {
    const monitorDeps = { s3: deps.s3, registry, monitors, dataBucket: 'data', artifactsBucket: 'artifacts' };
    const request = { model: 'watched', trigger: 'schedule' as const, windowEnd: '2026-12-07T09:30:00.000Z' };
    const now = new Date('2026-12-07T09:40:00Z');
    const failed = await recordFailedWindow(monitorDeps, request, CONFIG, now, 'did not finish within the time');
    expect(failed).toMatchObject({
      recorded: true,
      window: {
        windowStart: '2026-12-07T09:15:00.000Z',
        variants: [],
        failure: { reason: 'did not finish within the time' },
      },
    });
    // The next delivery monitors the window again, and its result replaces the failure…
    const monitored = await monitorModel(monitorDeps, request, CONFIG, now);
    expect(monitored.recorded).toBe(true);
    expect(monitored.window.failure).toBeUndefined();
    expect(monitored.window.variants.map((v) => v.variant)).toEqual(['production']);
    // …which no later failure replaces.
    const late = await recordFailedWindow(monitorDeps, request, CONFIG, now, 'failed: late');
    expect(late).toEqual({ recorded: false, window: monitored.window });
    expect(await monitors.get('watched', '2026-12-07T09:15:00.000Z')).toEqual(monitored.window);
  }, 60_000);

  it('records a variant whose references cannot be read as not monitorable, with the reason, and goes on', async () => {
    const version = await registry.versions.get('watched', 1);
    const reference = version?.monitoring?.reference;
    if (reference === undefined) throw new Error('version 1 was validated with monitoring');
    await deps.s3.send(new PutObjectCommand({ Bucket: reference.bucket, Key: reference.key, Body: '{"task":' }));
    const monitorDeps = { s3: deps.s3, registry, monitors, dataBucket: 'data', artifactsBucket: 'artifacts' };
    const request = {
      model: 'watched',
      trigger: 'manual' as const,
      windowEnd: '2026-12-07T10:14:00.000Z',
      windowMinutes: 10,
    };
    const { window } = await monitorModel(monitorDeps, request, CONFIG, new Date('2026-12-07T10:40:00Z'));
    expect(window.variants).toEqual([
      expect.objectContaining({
        variant: 'production',
        status: 'not_monitorable',
        rows: 400,
        reason: expect.stringMatching(
          /^its references cannot be read: s3:\/\/artifacts\/.*monitoring-reference\.json is not the JSON of a monitoring reference/,
        ),
      }),
    ]);
  }, 60_000);
});

/**
 * A monitoring window of 100,000 captured predictions (issue 21: ≤ 30 s and ≤ 1 GB in the function). The adult model
 * is trained, validated and promoted by the pipeline's own steps against the local S3 and DynamoDB emulators; 100,000
 * adult rows (cycled) are predicted by it and written as capture objects the way Firehose writes them (GZIP JSON
 * Lines, 100 requests of 1,000 per object, one hour partition), with ground truth for one in ten. Then the monitor's use
 * case runs on the window, timed as a whole and phase by phase (reading the objects, parsing the records, judging the
 * variant — influence drift on the 10,000 labelled rows included — and rendering and storing the report), with the
 * process's peak RSS. Writes bench/results/monitor-window.json.
 */
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Predictor } from '../lambdas/core/artifact.js';
import { captureLines } from '../lambdas/core/capture-record.js';
import { readCsv } from '../lambdas/core/csv.js';
import { parseModelConfig } from '../lambdas/core/model-config.js';
import { capturedPredictions, groundTruths } from '../lambdas/core/monitoring/window-records.js';
import type { InputValue } from '../lambdas/core/preprocess.js';
import { runEtl } from '../lambdas/etl/etl.js';
import { monitorModel } from '../lambdas/monitor/monitor.js';
import { promoteRun } from '../lambdas/promote/promote.js';
import { registerRun } from '../lambdas/register-run/register-run.js';
import { artifactCheck, fetchArtifact } from '../lambdas/shared/adapters/artifacts.js';
import { readPartitions } from '../lambdas/shared/adapters/capture-partitions.js';
import { MonitorStore } from '../lambdas/shared/adapters/monitor-store.js';
import { RunUploads } from '../lambdas/shared/adapters/run-uploads.js';
import { runTraining } from '../lambdas/train/train.js';
import { runValidation } from '../lambdas/validate/validate.js';
import {
  ensureBucket,
  ensureTable,
  localDynamoClient,
  localS3Client,
  startDynamo,
  startS3,
} from '../local/storage/emulators.js';
import { ADULT_BINARY_MODEL } from './right-answers-lib.js';
import { round } from './stats.js';
import { Registry } from '../lambdas/shared/adapters/registry.js';

const ROOT = join(import.meta.dirname, '..');
const ROWS = Number(process.env.ROWS ?? 100_000);
const PER_REQUEST = 1000;
const PER_OBJECT = 100;
const MODEL = ADULT_BINARY_MODEL;
const adult = readFileSync(join(ROOT, 'examples', 'data', 'adult.csv'), 'utf8');

const s3server = await startS3(mkdtempSync(join(tmpdir(), 'mlops-bench-s3-')), 0, () => undefined);
const dynamo = await startDynamo(undefined, 0);
const s3 = localS3Client(s3server.endpoint, 'us-east-1');
await ensureBucket(s3, 'data');
await ensureBucket(s3, 'artifacts');
const db = localDynamoClient(dynamo.endpoint, 'us-east-1');
await ensureTable(db, {
  TableName: 'registry',
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
const documents = DynamoDBDocumentClient.from(db, { marshallOptions: { removeUndefinedValues: true } });
const registry = new Registry(documents, 'registry');
const models = mkdtempSync(join(tmpdir(), 'mlops-bench-models-'));
writeFileSync(join(models, 'adult.json'), JSON.stringify(MODEL));
const deps = { s3, registry, artifactsBucket: 'artifacts', modelsDir: models };

// The model, as the pipeline trains and promotes it, from the first 8,000 rows.
const lines = adult.trimEnd().split('\n');
await s3.send(
  new PutObjectCommand({ Bucket: 'data', Key: 'incoming/adult/a.csv', Body: lines.slice(0, 8001).join('\n') }),
);
const run = await registerRun(
  { ...deps, uploads: new RunUploads(documents, 'registry') },
  {
    'detail-type': 'Object Created',
    source: 'aws.s3',
    detail: { bucket: { name: 'data' }, object: { key: 'incoming/adult/a.csv' } },
  },
  'bench',
);
const etl = await runEtl(deps, run);
const trials = await Promise.all(etl.tuning.trainings.map((item) => runTraining(deps, run, etl, item, 900_000)));
const validation = await runValidation({ ...deps, codeVersion: 'bench' }, run, etl, trials, undefined);
await promoteRun({ registry, checkArtifact: artifactCheck(s3) }, run, validation, 'bench', 'direct');
const version = await registry.versions.get('adult', validation.version);
if (version === undefined) throw new Error('no version registered');
const predictor = await Predictor.load(await fetchArtifact(s3, version.artifact));

// 100,000 served rows: the other adult rows, cycled, predicted by the model, captured as Firehose writes them.
const table = await readCsv(lines.slice(8001).join('\n').replace(/^/, `${lines[0]}\n`), {
  missingValues: ['', '?'],
  source: 'live.csv',
});
const label = table.columns.indexOf('class');
/** A served instance as a client sends it: numbers as JSON numbers, categories as strings. */
const typed = (value: InputValue): InputValue =>
  typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
const instance = (r: number) =>
  Object.fromEntries(
    table.columns
      .map((c, i) => [c, typed(table.rows[r % table.rows.length]?.[i] as InputValue)])
      .filter(([c]) => c !== 'class'),
  );
const windowEnd = new Date('2026-12-07T10:15:00Z');
const objects: Buffer[] = [];
const truths: string[] = [];
let pending: string[] = [];
for (let first = 0; first < ROWS; first += PER_REQUEST) {
  const batch = Array.from({ length: Math.min(PER_REQUEST, ROWS - first) }, (_, i) => instance(first + i));
  const requestId = `req-${first}`;
  pending.push(
    ...captureLines({
      model: 'adult',
      version: version.version,
      variant: 'production',
      requestId,
      time: new Date(windowEnd.getTime() - 14 * 60_000 + (first / ROWS) * 13 * 60_000),
      instances: batch,
      predictions: predictor.predictInstances(batch),
    }),
  );
  batch.forEach((_, i) => {
    if ((first + i) % 10 === 0)
      truths.push(
        JSON.stringify({
          mlopsRecord: 'feedback',
          model: 'adult',
          predictionId: `${requestId}.${i}`,
          groundTruthData: { data: JSON.stringify(String(table.rows[(first + i) % table.rows.length]?.[label])) },
          receivedAt: '2026-12-07T10:20:00Z',
        }),
      );
  });
  if (pending.length >= PER_OBJECT || first + PER_REQUEST >= ROWS) {
    objects.push(gzipSync(pending.join('\n')));
    pending = [];
  }
}
predictor.dispose();
await Promise.all(
  objects.map((body, i) =>
    s3.send(
      new PutObjectCommand({ Bucket: 'data', Key: `capture/model=adult/dt=2026-12-07-10/part-${i}.gz`, Body: body }),
    ),
  ),
);
await s3.send(
  new PutObjectCommand({
    Bucket: 'data',
    Key: 'feedback/model=adult/dt=2026-12-07-10/f.gz',
    Body: gzipSync(truths.join('\n')),
  }),
);

// The monitor's use case on the window, and its phases on their own.
const config = parseModelConfig(MODEL, 'adult');
const monitorDeps = {
  s3,
  registry,
  monitors: new MonitorStore(documents, 'registry'),
  dataBucket: 'data',
  artifactsBucket: 'artifacts',
};
const now = new Date('2026-12-07T10:21:00Z');
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const result = await monitorModel(
  monitorDeps,
  { model: 'adult', trigger: 'manual', windowEnd: windowEnd.toISOString() },
  config,
  now,
);
const seconds = (performance.now() - started) / 1000;
const peakRss = process.resourceUsage().maxRSS * 1024;
const t0 = performance.now();
const capture = await readPartitions(s3, 'data', 'capture', 'adult', ['2026-12-07-10']);
const t1 = performance.now();
const parsed = capturedPredictions(capture.texts, 'adult', {
  start: new Date(windowEnd.getTime() - 15 * 60_000),
  end: windowEnd,
});
groundTruths([{ where: 'f', text: truths.join('\n') }], 'adult');
const t2 = performance.now();
const [production] = result.window.variants;
const reportBytes =
  result.window.report === null
    ? undefined
    : (await s3.send(new HeadObjectCommand({ Bucket: result.window.report.bucket, Key: result.window.report.key })))
        .ContentLength;
const output = {
  node: process.version,
  measured_at: new Date().toISOString(),
  predictions: ROWS,
  capture_objects: objects.length,
  capture_megabytes_gzipped: round(objects.reduce((n, b) => n + b.length, 0) / 1e6, 1),
  labelled: truths.length,
  seconds: round(seconds, 2),
  phases_seconds: {
    read_and_gunzip: round((t1 - t0) / 1000, 2),
    parse_records: round((t2 - t1) / 1000, 2),
    judge_and_record: round(seconds - (t2 - t0) / 1000, 2),
  },
  peak_rss_megabytes: round(peakRss / 1e6, 0),
  rss_before_megabytes: round(rssBefore / 1e6, 0),
  window: {
    rows: production?.rows,
    labelled: production?.labelledRows,
    status: production?.status,
    parsed: parsed.predictions.length,
    judged_on: production?.judgedOn,
    estimated: production?.estimated,
    realized: production?.realized,
    input_drift: production?.inputDrift,
    prediction_drift: production?.predictionDrift,
    influence: production?.influence,
  },
  report: result.window.report,
  report_kilobytes: reportBytes === undefined ? null : round(reportBytes / 1000, 0),
};
writeFileSync(join(ROOT, 'bench', 'results', 'monitor-window.json'), `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(output, null, 2));
s3.destroy();
db.destroy();
await s3server.close();
await dynamo.close();

import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLines } from '../../lambdas/core/capture-record.js';
import { parseModelConfig, type ModelConfig } from '../../lambdas/core/model-config.js';
import { retrainModel, type RetrainDeps, type RetrainRequest } from '../../lambdas/retrain/retrain.js';
import { readUploadColumns } from '../../lambdas/shared/adapters/data-objects.js';
import { headObject } from '../../lambdas/shared/adapters/objects.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import { RetrainStore } from '../../lambdas/shared/adapters/retrain-store.js';
import type { ObjectCreatedEvent } from '../../lambdas/shared/contracts/pipeline-state.js';
import { runIdFor } from '../../lambdas/shared/contracts/run-identity.js';
import {
  ensureBucket,
  localDynamoClient,
  localS3Client,
  startS3,
  type RunningS3,
} from '../../local/storage/emulators.js';
import { startTestRegistry } from '../helpers/registry-table.js';

/** The retrain function's decisions against the emulators; the training state machine is a recorder here. */
const base = { task: 'binary', label: 'class', positiveClass: '>50K', missingValues: ['', '?'] };
const SHA = 'model-file-sha';
const HEADER = 'age,workclass,class';
const T0 = Date.parse('2026-12-07T10:00:00Z');

let s3server: RunningS3;
let registry: Registry;
let store: RetrainStore;
let stop: () => Promise<void>;
let deps: RetrainDeps;
const started: { name: string; input: ObjectCreatedEvent }[] = [];

beforeAll(async () => {
  s3server = await startS3(mkdtempSync(join(tmpdir(), 'mlops-s3-')), 0, () => undefined);
  const s3 = localS3Client(s3server.endpoint, 'us-east-1');
  await ensureBucket(s3, 'data');
  const dynamo = await startTestRegistry();
  ({ registry, stop } = dynamo);
  store = new RetrainStore(DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint, 'us-east-1')), 'registry');
  deps = {
    s3,
    registry,
    retrains: store,
    dataBucket: 'data',
    startTraining: async (name, input) => {
      started.push({ name, input });
      return `arn:aws:states:us-east-1:000000000000:execution:training:${name}`;
    },
  };
});

afterAll(async () => {
  deps.s3.destroy();
  await s3server.close();
  await stop();
});

const put = (key: string, body: string | Buffer) =>
  deps.s3.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: body }));
const alarm = (model: string, hours: number, at = hours): RetrainRequest => ({
  model,
  trigger: 'alarm',
  key: `${model}-NeedsRetraining@${new Date(T0 + hours * 3_600_000).toISOString()}`,
  at: new Date(T0 + at * 3_600_000),
  detail: 'needs retraining',
  actor: 'cloudwatch',
});

describe('the retrain function (lambdas/retrain)', () => {
  it('starts one run on the newest upload per alarm episode, none in the cool-down, and says when there is nothing new', async () => {
    const config: ModelConfig = parseModelConfig({ name: 'drifty', ...base }, 'drifty.json');
    await put('incoming/drifty/a.csv', `${HEADER}\n39,State-gov,<=50K\n`);
    const first = await retrainModel(deps, config, SHA, alarm('drifty', 0));
    expect(first).toMatchObject({ started: true, data: ['incoming/drifty/a.csv'] });
    expect(started.at(-1)?.input).toMatchObject({
      detail: { bucket: { name: 'data' }, object: { key: 'incoming/drifty/a.csv' } },
      retraining: { trigger: 'alarm', detail: 'needs retraining', sources: [] },
    });
    // The same episode delivered again, and a new episode within the cool-down: nothing started.
    expect(await retrainModel(deps, config, SHA, alarm('drifty', 0, 0.01))).toMatchObject({
      started: false,
      reason: /already started/,
    });
    const cooling = await retrainModel(deps, config, SHA, alarm('drifty', 2));
    expect(cooling).toMatchObject({ started: false, reason: /cool-down/ });
    expect(cooling).not.toHaveProperty('nothingNew');
    expect(started).toHaveLength(1);
    // After the cool-down, with that upload and this model file already trained: nothing new to train on.
    const object = await headObject(deps.s3, { bucket: 'data', key: 'incoming/drifty/a.csv' });
    const runId = runIdFor('data', 'incoming/drifty/a.csv', object?.etag ?? '', SHA);
    const now = new Date(T0).toISOString();
    await registry.runs.create({
      model: 'drifty',
      runId,
      status: 'PROMOTED',
      trigger: object!,
      startedAt: now,
      updatedAt: now,
    });
    expect(await retrainModel(deps, config, SHA, alarm('drifty', 30))).toMatchObject({
      started: false,
      nothingNew: true,
      reason: expect.stringMatching(
        /^nothing new to train on: incoming\/drifty\/a\.csv was trained on with this model file/,
      ),
    });
    expect(started).toHaveLength(1);
  });

  it('with latest+feedback, writes the labelled captured rows as a CSV in the upload’s columns and trains on both', async () => {
    const config = parseModelConfig({ name: 'fed', ...base, retraining: { data: 'latest+feedback' } }, 'fed.json');
    await put('incoming/fed/a.csv', `${HEADER}\n39,State-gov,<=50K\n`);
    const hour = '2026-12-07-09';
    const lines = captureLines({
      model: 'fed',
      version: 1,
      variant: 'production',
      requestId: 'r1',
      time: new Date(T0 - 30 * 60_000),
      instances: [{ age: 50, workclass: 'Private, Inc' }, { age: 23 }],
      predictions: [
        { label: '>50K', probabilities: { '<=50K': 0.2, '>50K': 0.8 } },
        { label: '<=50K', probabilities: { '<=50K': 0.9, '>50K': 0.1 } },
      ],
    });
    await put(`capture/model=fed/dt=${hour}/c.gz`, gzipSync(lines.join('\n')));
    const truth = JSON.stringify({
      mlopsRecord: 'feedback',
      model: 'fed',
      predictionId: 'r1.0',
      groundTruthData: { data: '"<=50K"' },
      receivedAt: '2026-12-07T09:45:00Z',
    });
    await put(`feedback/model=fed/dt=${hour}/f.gz`, gzipSync(truth));
    const outcome = await retrainModel(deps, config, SHA, alarm('fed', 0));
    expect(outcome).toMatchObject({
      started: true,
      data: ['incoming/fed/a.csv', `retraining/fed/${new Date(T0).toISOString()}-feedback.csv`],
    });
    const written = await deps.s3.send(
      new GetObjectCommand({ Bucket: 'data', Key: outcome.started ? (outcome.data[1] as string) : '' }),
    );
    // Only the labelled prediction; the label from the feedback; a field with a comma quoted.
    expect(await written.Body?.transformToString()).toBe(`${HEADER}\n50,"Private, Inc",<=50K\n`);
    expect(started.at(-1)?.input.retraining?.sources).toEqual([
      { bucket: 'data', key: outcome.started ? outcome.data[1] : '' },
    ]);
  });

  it('takes the columns of the rows it writes from the upload’s first lines, gzip-compressed or not', async () => {
    await put('incoming/zipped/a.csv.gz', gzipSync(`"age","work, class",class\n39,State-gov,<=50K\n`));
    const object = await headObject(deps.s3, { bucket: 'data', key: 'incoming/zipped/a.csv.gz' });
    expect(await readUploadColumns(deps.s3, object as NonNullable<typeof object>)).toEqual([
      'age',
      'work, class',
      'class',
    ]);
  });

  it('refuses with the reason when the model has no upload to train on', async () => {
    const config = parseModelConfig({ name: 'empty', ...base }, 'empty.json');
    expect(await retrainModel(deps, config, SHA, alarm('empty', 0))).toEqual({
      started: false,
      reason: 'no upload under incoming/empty/ to train on',
    });
  });
});

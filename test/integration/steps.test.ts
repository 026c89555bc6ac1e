import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../lambdas/core/digest.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';
import { runEtl } from '../../lambdas/etl/etl.js';
import { finishRun } from '../../lambdas/finish-run/finish-run.js';
import { promoteRun } from '../../lambdas/promote/promote.js';
import { registerRun } from '../../lambdas/register-run/register-run.js';
import { runReport } from '../../lambdas/report/report.js';
import type { StepDeps } from '../../lambdas/shared/adapters/step-deps.js';
import { artifactCheck } from '../../lambdas/shared/adapters/artifacts.js';
import type {
  EtlResult,
  ObjectCreatedEvent,
  RefitResult,
  RunRef,
  TrainResult,
} from '../../lambdas/shared/contracts/pipeline-state.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import { RunUploads } from '../../lambdas/shared/adapters/run-uploads.js';
import { readDriftNull, readMonitoringReference } from '../../lambdas/shared/adapters/stored-documents.js';
import { runRefit } from '../../lambdas/train/refit.js';
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

/** A small, fast model: the step modules are tested here, not the quality of what they train. */
const MODEL_FILE = {
  name: 'steps',
  task: 'binary',
  label: 'class',
  positiveClass: '>50K',
  exclude: ['fnlwgt'],
  missingValues: ['', '?'],
  hyperparameters: { hiddenUnits: [8], epochs: 3, seed: 1 },
  tuning: { candidates: 1 },
  gate: { minimums: { roc_auc: 0.6 } },
};

let s3server: RunningS3;
let dynamo: RunningDynamo;
let deps: StepDeps;
let registerDeps: StepDeps & { uploads: RunUploads };
let registry: Registry;
let run: RunRef;
let etl: EtlResult;
let trials: TrainResult[];
let refit: RefitResult;

const objectCreated = (key: string): ObjectCreatedEvent => ({
  'detail-type': 'Object Created',
  source: 'aws.s3',
  detail: { bucket: { name: 'data' }, object: { key } },
});

async function upload(key: string, body: string): Promise<void> {
  await deps.s3.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: body }));
}

/** The pipeline's first three steps, called directly (no state machine): the state later steps are tested on. */
beforeAll(async () => {
  s3server = await startS3(mkdtempSync(join(tmpdir(), 'mlops-s3-')), 0, () => undefined);
  dynamo = await startDynamo(undefined, 0);
  const s3 = localS3Client(s3server.endpoint, 'us-east-1');
  await ensureBucket(s3, 'data');
  await ensureBucket(s3, 'artifacts');
  registry = await createRegistry(localDynamoClient(dynamo.endpoint, 'us-east-1'));
  const models = mkdtempSync(join(tmpdir(), 'mlops-models-'));
  writeFileSync(join(models, 'steps.json'), JSON.stringify(MODEL_FILE));
  deps = { s3, registry, artifactsBucket: 'artifacts', modelsDir: models };
  registerDeps = {
    ...deps,
    uploads: new RunUploads(DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint, 'us-east-1')), 'registry'),
  };

  await upload('incoming/steps/sample.csv', adultSample(1500, 5));
  run = await registerRun(registerDeps, objectCreated('incoming/steps/sample.csv'), 'exec-1');
  etl = await runEtl(deps, run);
  trials = await Promise.all(etl.tuning.trainings.map((item) => runTraining(deps, run, etl, item, 900_000)));
  refit = await runRefit(deps, run, etl, trials, 900_000);
}, 120_000);

afterAll(async () => {
  deps.s3.destroy();
  await s3server.close();
  await dynamo.close();
});

describe('RegisterRun (lambdas/register-run)', () => {
  it('records the run as RUNNING with the object identity read from S3, once per object and model file', async () => {
    expect(run).toMatchObject({
      model: 'steps',
      duplicate: false,
      trigger: { bucket: 'data', key: 'incoming/steps/sample.csv', size: expect.any(Number) },
    });
    expect(run.runId).toMatch(/^run-[0-9a-f]{20}$/);
    // A retry by the same execution is the same run; another execution for the same bytes is a duplicate, marked.
    expect((await registerRun(registerDeps, objectCreated('incoming/steps/sample.csv'), 'exec-1')).duplicate).toBe(
      false,
    );
    expect((await registerRun(registerDeps, objectCreated('incoming/steps/sample.csv'), 'exec-2')).duplicate).toBe(
      true,
    );
    expect(await registry.runs.get('steps', run.runId)).toMatchObject({
      uploads: 2,
      lastDuplicateAt: expect.any(String),
    });
    // The duplicate's own retry counts nothing; another duplicate does.
    expect((await registerRun(registerDeps, objectCreated('incoming/steps/sample.csv'), 'exec-2')).duplicate).toBe(
      true,
    );
    expect((await registry.runs.get('steps', run.runId))?.uploads).toBe(2);
    await registerRun(registerDeps, objectCreated('incoming/steps/sample.csv'), 'exec-2b');
    expect((await registry.runs.get('steps', run.runId))?.uploads).toBe(3);
  });

  it('records what started a run no upload started, and ETL reads the objects it names beside the trigger', async () => {
    const header = adultSample(1, 1).split('\n')[0] as string;
    await upload('incoming/steps/newest.csv', adultSample(400, 21));
    await upload('retraining/steps/feedback.csv', `${header}\n${adultSample(300, 22).split('\n').slice(1).join('\n')}`);
    const event = {
      ...objectCreated('incoming/steps/newest.csv'),
      retraining: {
        trigger: 'alarm' as const,
        detail: 'steps-NeedsRetraining went to ALARM: input drift in 2 of the last 3 monitored windows',
        sources: [{ bucket: 'data', key: 'retraining/steps/feedback.csv' }],
      },
    };
    const retrained = await registerRun(registerDeps, event, 'exec-retrain');
    expect(retrained.sources).toEqual([
      expect.objectContaining({ key: 'retraining/steps/feedback.csv', etag: expect.any(String) }),
    ]);
    expect(await registry.runs.get('steps', retrained.runId)).toMatchObject({
      startedBy: { trigger: 'alarm', detail: event.retraining.detail },
    });
    const prepared = await runEtl(deps, retrained);
    expect(prepared.data.map((d) => d.key)).toEqual(['incoming/steps/newest.csv', 'retraining/steps/feedback.csv']);
    expect(prepared.rows.read).toBe(700);
  });

  it('gives uploaders that raced with identical bytes one ticket each, the first being the upload that started the run', async () => {
    const tickets = await Promise.all(
      Array.from({ length: 5 }, () => registerDeps.uploads.takeTicket('steps', run.runId)),
    );
    expect([...tickets].sort()).toEqual([1, 2, 3, 4, 5]);
    await expect(registerDeps.uploads.takeTicket('steps', 'run-none')).rejects.toThrow(
      'run run-none of model steps does not exist',
    );
  });

  it('finds a key S3 sent URL-encoded, and fails naming the object when it is gone or the model file when there is none', async () => {
    await upload('incoming/steps/with space.csv', 'a,b\n1,2\n');
    expect(
      (await registerRun(registerDeps, objectCreated('incoming/steps/with+space.csv'), 'exec-3')).trigger.key,
    ).toBe('incoming/steps/with space.csv');
    await expect(registerRun(registerDeps, objectCreated('incoming/steps/gone.csv'), 'exec-4')).rejects.toThrow(
      's3://data/incoming/steps/gone.csv no longer exists; upload it again',
    );
    await upload('incoming/other/x.csv', 'a,b\n1,2\n');
    await expect(registerRun(registerDeps, objectCreated('incoming/other/x.csv'), 'exec-5')).rejects.toThrow(
      /no model file models\/other\.json is deployed/,
    );
  });
});

describe('ETL (lambdas/etl)', () => {
  it('passes on the model file it checked, with the data identity, row counts and the search plan', async () => {
    expect(etl.config).toEqual(parseModelConfig(MODEL_FILE, 'models/steps.json'));
    expect(etl.modelConfigSha256).toBe(sha256Hex(JSON.stringify(MODEL_FILE)));
    expect(etl.data).toEqual([
      expect.objectContaining({ key: 'incoming/steps/sample.csv', sha256: sha256Hex(adultSample(1500, 5)) }),
    ]);
    expect(etl.rows).toMatchObject({ read: 1500, kept: 1500 });
    expect(etl.rows.train + etl.rows.validation + etl.rows.test).toBe(1500);
    expect(etl.tuning.trials.map((t) => t.role)).toEqual(['candidate', 'baseline']);
    // 1,275 training and validation rows, fewer than 2,000: each trial is cross-validated on 5 folds.
    expect(etl.tuning.crossValidation).toEqual({ folds: 5, seed: 0 });
    expect(etl.tuning.trainings).toEqual(
      ['c1', 'baseline'].flatMap((trial) => [0, 1, 2, 3, 4].map((fold) => ({ trial, fold }))),
    );
    const stored = await registry.runs.get('steps', run.runId);
    expect(stored).toMatchObject({ preparation: { rowsRead: 1500, rowsKept: 1500 } });
    expect(etl.schemaVersion).toBe(1); // the first accepted data set of a model becomes its schema v1
  });
});

describe('Train (lambdas/train)', () => {
  it('scores each fold on the rows it held out: together every training and validation row once, for every trial', async () => {
    const positions = async (trial: string) => {
      const all: number[] = [];
      for (const fold of trials.filter((t) => t.id === trial)) {
        const stored = JSON.parse(
          (await (
            await deps.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: fold.outOfFold?.key }))
          ).Body?.transformToString()) ?? '{}',
        ) as { positions: number[] };
        all.push(...stored.positions);
      }
      return all.sort((a, b) => a - b);
    };
    const rows = etl.rows.train + etl.rows.validation;
    expect(await positions('c1')).toEqual(Array.from({ length: rows }, (_, i) => i));
    expect(await positions('baseline')).toEqual(await positions('c1'));
  });

  it('refits the cross-validated choice and the baseline on train + validation for the mean of their best epochs', async () => {
    const chosen = refit.trials.find((t) => t.chosen);
    expect(chosen?.id).toBe(refit.chosen.id);
    const folds = trials.filter((t) => t.id === refit.chosen.id);
    const mean = folds.reduce((total, f) => total + f.bestEpoch, 0) / folds.length;
    expect(refit.chosen.hyperparameters.epochs).toBe(Math.max(1, Math.round(mean)));
    expect(refit.chosen.epochsRun).toBe(refit.chosen.hyperparameters.epochs);
    expect(refit.chosen).toMatchObject({ fold: null, outOfFold: null, validationLoss: null });
    expect(refit.trials.map((t) => t.foldLosses.length)).toEqual([5, 5]);
    const artifact = JSON.parse(
      (await (
        await deps.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: refit.chosen.artifact.key }))
      ).Body?.transformToString()) ?? '{}',
    ) as { training: { rows?: unknown } };
    expect(artifact.training.rows).toEqual({ kind: 'refit' });
    expect('id' in refit.baseline && refit.baseline.role).toBe('baseline');
  });

  it('fails Refit when no competing trial has all its folds, naming each fold failure and why the rest cannot compete', async () => {
    // The model file fixes the network: the baseline is only the yardstick, so c1 is the one trial that competes.
    const failed = { trial: { id: 'c1', fold: 2 }, error: { Error: 'TrainingError', Cause: 'boom' } };
    const tuning = trials.map((t) => (t.id === 'c1' && t.fold === 2 ? failed : t));
    await expect(runRefit(deps, run, etl, tuning, 900_000)).rejects.toThrow(
      'no model could be trained: c1: fold 3: TrainingError: boom; baseline: does not compete',
    );
  });

  it('stores each trial artifact under the run with the sha256 of its bytes, and its loss history', async () => {
    for (const trial of trials) {
      const bytes = await (
        await deps.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: trial.artifact.key }))
      ).Body?.transformToByteArray();
      expect(sha256Hex(Buffer.from(bytes ?? []))).toBe(trial.artifact.sha256);
      expect(trial.artifact.key).toContain(`/${run.runId}/`);
      expect(trial.epochsRun).toBeLessThanOrEqual(3);
      expect(trial.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
      const history = JSON.parse(
        (await (
          await deps.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: trial.history.key }))
        ).Body?.transformToString()) ?? '[]',
      ) as { epoch: number; loss: number }[];
      expect(history.map((h) => h.epoch)).toEqual(Array.from({ length: trial.epochsRun }, (_, i) => i + 1));
      expect(history.every((h) => Number.isFinite(h.loss))).toBe(true);
    }
  });
});

describe('Validate, Promote, Report (lambdas/validate, promote, report)', () => {
  it('registers one version per run however often Validate runs, promotes it, and writes the card', async () => {
    const first = await runValidation({ ...deps, codeVersion: 'test' }, run, etl, trials, refit);
    expect(first).toMatchObject({ version: 1, gate: { passed: true }, comparedWith: null });
    // A retry after the version was registered answers with what was recorded, in the same shape.
    expect(await runValidation({ ...deps, codeVersion: 'test' }, run, etl, trials, refit)).toEqual(first);
    expect(await registry.versions.get('steps', 1)).toMatchObject({
      crossValidation: { folds: 5, seed: 0 },
      hyperparameters: refit.chosen.hyperparameters,
    });
    expect(await registry.versions.list('steps')).toHaveLength(1);

    // Monitoring's references: the drift null beside the profile, and — the choice having been refit on train +
    // validation — a calibration fitted on the chosen trial's out-of-fold predictions (every training and validation
    // row once) and a prediction profile of the test rows.
    const monitoring = (await registry.versions.get('steps', 1))?.monitoring;
    expect(monitoring?.driftNull).toEqual(etl.driftNull);
    const reference = await readMonitoringReference(deps.s3, monitoring?.reference ?? etl.profile);
    expect(reference).toMatchObject({ task: 'binary', classes: ['<=50K', '>50K'], predictionSource: 'test' });
    expect(reference.calibration.rows).toBe(etl.rows.train + etl.rows.validation);
    expect(reference.predictions.rows).toBe(etl.rows.test);
    const driftNull = await readDriftNull(deps.s3, etl.driftNull ?? etl.profile);
    expect(Object.keys(driftNull.numeric).sort()).toEqual([
      'age',
      'capital-gain',
      'capital-loss',
      'education-num',
      'hours-per-week',
    ]);

    // A canary model with no production yet: its first version goes straight to production.
    const promoted = await promoteRun(
      { registry, checkArtifact: artifactCheck(deps.s3) },
      run,
      first,
      'pipeline (test)',
      'canary',
    );
    expect(promoted).toEqual({ version: 1, previousVersion: null, promoted: true, release: false });
    expect((await registry.aliases.get('steps'))?.version).toBe(1);
    expect((await registry.runs.get('steps', run.runId))?.status).toBe('PROMOTED');

    const { report } = await runReport(deps, run, etl);
    expect(report.key).toBe(`${etl.prefix}report.html`);
    expect((await registry.runs.get('steps', run.runId))?.report).toEqual(report);
  }, 60_000);
});

describe('FinishRun (lambdas/finish-run)', () => {
  it('records a failure with its reason and type, keeping what a re-drive needs and leaving the error out', async () => {
    const failed = await registerRun(registerDeps, objectCreated('incoming/steps/with space.csv'), 'exec-6');
    const state = {
      run: failed,
      etl: { some: 'state' },
      error: { Error: 'DataValidationError', Cause: JSON.stringify({ errorMessage: 'column "class" is missing' }) },
    };
    const result = await finishRun(registry, { outcome: 'FAILED', state });
    expect(result).toMatchObject({
      status: 'FAILED',
      errorType: 'DataValidationError',
      reason: 'column "class" is missing',
    });
    const record = await registry.runs.get('steps', failed.runId);
    expect(record).toMatchObject({
      status: 'FAILED',
      reason: 'column "class" is missing',
      resumeState: { run: failed, etl: { some: 'state' } },
    });
    expect(record?.resumeState).not.toHaveProperty('error');
  });

  it('records a failure before the run was registered from the event itself', async () => {
    const event = {
      ...objectCreated('incoming/steps/vanished.csv'),
      detail: { bucket: { name: 'data' }, object: { key: 'incoming/steps/vanished.csv', etag: 'abc', size: 3 } },
    };
    const result = await finishRun(registry, {
      outcome: 'FAILED',
      state: { ...event, error: { Error: 'DataValidationError', Cause: 'gone' } },
    });
    expect(await registry.runs.get('steps', result.runId)).toMatchObject({
      status: 'FAILED',
      errorType: 'DataValidationError',
      trigger: { key: 'incoming/steps/vanished.csv' },
    });
  });
});

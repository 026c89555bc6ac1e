import { GetObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArtifact, Predictor } from '../../lambdas/core/artifact.js';
import { decodeFrameFile } from '../../lambdas/core/frame-codec.js';
import type { EvaluationReport } from '../../lambdas/core/report/types.js';
import { withHeavyTailedTarget } from '../../bench/right-answers-lib.js';
import { adultSample, withDerivedColumn } from '../helpers/adult.js';
import { MODELS, STRONG } from '../helpers/small-data-models.js';
import { startTestStack, type TestStack } from '../helpers/local-stack.js';
import { signedFetch } from '../helpers/sign.js';

const run = promisify(execFile);

let stack: TestStack;
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'bin/mlops.ts', '--state-dir', stack.stateDir, ...args]);

async function readJson<T>(bucket: string, key: string): Promise<T> {
  const body = await (
    await stack.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  ).Body?.transformToString();
  return JSON.parse(body ?? '{}') as T;
}

async function onlyRun(model: string) {
  const runs = await stack.registry.runs.list(model);
  expect(runs).toHaveLength(1);
  return runs[0] as NonNullable<(typeof runs)[number]>;
}

beforeAll(async () => {
  stack = await startTestStack({ models: MODELS });
});

afterAll(async () => {
  await stack?.stop();
});

describe('right answers on small real data, through the local runtime, with minimal model files', () => {
  it('regression: scores every test row (those below the training mean too), searches, beats or is the baseline, reproduces the chosen trial', async () => {
    const [execution] = await stack.upload('incoming/adult-age/sample.csv', adultSample(1500, 11));
    expect(execution?.status).toBe('SUCCEEDED');
    const entered = execution?.events.filter((e) => e.type === 'StateEntered').map((e) => e.state) ?? [];
    expect(entered.indexOf('Report')).toBeGreaterThan(entered.indexOf('Promote')); // the card comes after the decision
    const runRecord = await onlyRun('adult-age');
    expect(runRecord.status).toBe('PROMOTED');
    const version = await stack.registry.versions.get('adult-age', 1);
    if (version === undefined) throw new Error('no version 1');
    const report = await readJson<EvaluationReport>(version.evaluation.bucket, version.evaluation.key);
    expect(report.candidate.rows).toBe(version.rows.test);
    expect(report.candidate.rowsWithUnknownLabel).toBe(0);

    // R² recomputed here, over every row of the stored test split, with the registered artifact.
    const etlPrefix = version.evaluation.key.replace(/evaluation\.json$/, '');
    const testSplit = decodeFrameFile(
      (await (
        await stack.s3.send(
          new GetObjectCommand({ Bucket: version.evaluation.bucket, Key: `${etlPrefix}prepared/test.json.gz` }),
        )
      ).Body?.transformToByteArray()) ?? new Uint8Array(),
    );
    expect(testSplit.origins).toHaveLength(version.rows.test);
    const artifactBytes = await (
      await stack.s3.send(new GetObjectCommand({ Bucket: version.artifact.bucket, Key: version.artifact.key }))
    ).Body?.transformToByteArray();
    const predictor = await Predictor.load(
      parseArtifact(artifactBytes ?? new Uint8Array(), version.artifact.sha256, 'test'),
    );
    const truth = testSplit.labels.values as number[];
    const predicted = truth.map((_, r) => {
      const instance = Object.fromEntries(
        testSplit.features.map((c) => [c.name, Number.isNaN(c.values[r] as number) ? null : (c.values[r] ?? null)]),
      );
      return (predictor.predictInstances([instance])[0] as { value: number }).value;
    });
    predictor.dispose();
    const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
    const r2 =
      1 -
      truth.reduce((s, y, r) => s + (y - (predicted[r] as number)) ** 2, 0) /
        truth.reduce((s, y) => s + (y - mean) ** 2, 0);
    expect(version.metrics.r2).toBeCloseTo(r2, 5);
    expect(truth.filter((y) => y < mean).length).toBeGreaterThan(truth.length / 3);

    // The search: six candidates and the baseline, one chosen, its hyper-parameters registered; the baseline reported.
    expect(version.tuning?.map((t) => t.id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'baseline']);
    const chosen = version.tuning?.filter((t) => t.chosen) ?? [];
    expect(chosen).toHaveLength(1);
    expect(chosen[0]?.hyperparameters).toEqual(version.hyperparameters);
    expect(
      version.tuning?.every((t) => typeof t.validationLoss === 'number' && typeof t.validationMetrics?.r2 === 'number'),
    ).toBe(true);
    expect(version.baselineMetrics?.r2).toBeTypeOf('number');
    expect(version.metrics.r2 as number).toBeGreaterThanOrEqual((version.baselineMetrics?.r2 as number) - 0.05);

    const response = await signedFetch({
      url: `${stack.runtime.endpoints.apiUrl}/v1/models/adult-age/predict`,
      body: JSON.stringify({
        instances: [
          Object.fromEntries(
            testSplit.features.map((c) => [
              c.name,
              c.type === 'numeric' ? (Number.isNaN(c.values[0] as number) ? null : c.values[0]) : (c.values[0] ?? null),
            ]),
          ),
        ],
      }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { predictions: { value: number }[] }).predictions[0]?.value).toBeCloseTo(
      predicted[0] as number,
      4,
    );

    const reproduced = JSON.parse((await cli('--json', 'reproduce', 'adult-age', '1')).stdout) as {
      identical: boolean;
    };
    expect(reproduced.identical).toBe(true);
    const shown = (await cli('show', 'adult-age', '1')).stdout;
    expect(shown).toMatch(/minimum\s+r2\s+[\d.]+\s+>= 0\.1\s+pass/);
    expect(shown).toContain('linear baseline');

    // Fairness of a regressor: errors and residuals by sex in the report, both bounds checked by the gate, on the card.
    expect(report.fairness.map((f) => [f.task, f.attribute])).toEqual([['regression', 'sex']]);
    const fairnessChecks = (runRecord.gate?.checks ?? []).filter((c) => c.kind === 'fairness');
    expect(fairnessChecks.map((c) => c.metric)).toEqual(['sex.mean_residual_gap', 'sex.error_ratio']);
    expect(fairnessChecks.every((c) => typeof c.value === 'number' && c.passed)).toBe(true);
    const card = await (
      await stack.s3.send(new GetObjectCommand({ Bucket: runRecord.report?.bucket, Key: runRecord.report?.key }))
    ).Body?.transformToString();
    expect(card).toContain('mean residual gap');
    // Age is not skewed enough for log1p (sample skewness about 0.5): `auto` standardized it, and the card says so.
    expect(report.target).toEqual({ transform: 'standardize', requested: 'auto' });
    expect(card).toContain('target modelled standardized');
  }, 240_000);

  it('multiclass: metrics over the rows whose class the model knows, with the search recorded on the card', async () => {
    const [execution] = await stack.upload('incoming/adult-relationship/sample.csv', adultSample(1500, 13));
    expect(execution?.status).toBe('SUCCEEDED');
    const runRecord = await onlyRun('adult-relationship');
    expect(runRecord.status).toBe('PROMOTED');
    const version = await stack.registry.versions.get('adult-relationship', 1);
    const report = await readJson<EvaluationReport>(version?.evaluation.bucket ?? '', version?.evaluation.key ?? '');
    expect(report.candidate.rows + report.candidate.rowsWithUnknownLabel).toBe(version?.rows.test);
    expect(Object.keys(report.candidate.metrics).sort()).toEqual([
      'accuracy',
      'f1',
      'log_loss',
      'precision',
      'recall',
      'roc_auc',
    ]);
    expect(report.candidate.confusionMatrix?.classes.length).toBeGreaterThanOrEqual(5);
    const card = await (
      await stack.s3.send(new GetObjectCommand({ Bucket: runRecord.report?.bucket, Key: runRecord.report?.key }))
    ).Body?.transformToString();
    expect(card).toContain('id="search"');
    expect(card).toContain('validation roc_auc');
    expect(card).toContain('outcome: <b>promoted to production as v1</b>');

    // Fairness of a multiclass model: accuracy by sex, one-vs-rest rates per class, the bound at the worst class.
    expect(report.fairness.map((f) => [f.task, f.attribute])).toEqual([['multiclass', 'sex']]);
    const parity = (runRecord.gate?.checks ?? []).filter((c) => c.kind === 'fairness');
    expect(parity.map((c) => c.metric)).toEqual(['sex.demographic_parity_difference']);
    expect(parity[0]?.value).toBeTypeOf('number');
    expect(parity[0]?.description).toMatch(/class ".+", its worst/);
    expect(card).toContain('at the worst class, one-vs-rest');
  }, 240_000);

  it('a small regression set with a heavy-tailed target: modelled as log1p, chosen by 5-fold cross-validation, refit, promoted and reproduced bit for bit', async () => {
    const [execution] = await stack.upload(
      'incoming/adult-spend/sample.csv',
      withHeavyTailedTarget(adultSample(400, 17)),
    );
    expect(execution?.status).toBe('SUCCEEDED');
    const entered = execution?.events.filter((e) => e.type === 'StateEntered').map((e) => e.state) ?? [];
    expect(entered).toContain('Refit');
    expect(entered).not.toContain('SingleSplit');
    // Three candidates and the baseline, each on five folds: the Map ran 20 trainings.
    expect(execution?.events.filter((e) => e.type === 'MapIterationSucceeded')).toHaveLength(20);
    expect((await onlyRun('adult-spend')).status).toBe('PROMOTED');
    const version = await stack.registry.versions.get('adult-spend', 1);
    if (version === undefined) throw new Error('no version 1');
    expect(version.crossValidation).toEqual({ folds: 5, seed: 0 });
    const trials = version.tuning ?? [];
    expect(trials.map((t) => t.id)).toEqual(['c1', 'c2', 'c3', 'baseline']);
    expect(trials.every((t) => t.foldLosses?.length === 5 && typeof t.validationMetrics?.r2 === 'number')).toBe(true);
    const chosen = trials.filter((t) => t.chosen);
    expect(chosen).toHaveLength(1);
    // The chosen trial as refit: the epochs its folds chose, on the training and validation rows together.
    expect(chosen[0]?.hyperparameters).toEqual(version.hyperparameters);
    expect(chosen[0]?.epochsRun).toBe(version.hyperparameters.epochs);
    const report = await readJson<EvaluationReport>(version.evaluation.bucket, version.evaluation.key);
    expect(report.target).toEqual({ transform: 'log1p', requested: 'auto' });
    expect(report.crossValidation).toEqual({ folds: 5, seed: 0, rows: version.rows.train + version.rows.validation });
    expect(version.metrics.r2 as number).toBeGreaterThanOrEqual((version.baselineMetrics?.r2 as number) - 0.05);
    const artifact = parseArtifact(
      (await (
        await stack.s3.send(new GetObjectCommand({ Bucket: version.artifact.bucket, Key: version.artifact.key }))
      ).Body?.transformToByteArray()) ?? new Uint8Array(),
      version.artifact.sha256,
      'test',
    );
    expect(artifact.training.rows).toEqual({ kind: 'refit' });

    const reproduced = JSON.parse((await cli('--json', 'reproduce', 'adult-spend', '1')).stdout) as {
      identical: boolean;
    };
    expect(reproduced.identical).toBe(true);
    const shown = (await cli('show', 'adult-spend', '1')).stdout;
    expect(shown).toContain('5-fold cross-validation (seed 0), refit on train + validation');
    expect(shown).toMatch(/fold loss \(mean ± sd\)\s+out-of-fold loss/);
    const runRecord = await onlyRun('adult-spend');
    const card = await (
      await stack.s3.send(new GetObjectCommand({ Bucket: runRecord.report?.bucket, Key: runRecord.report?.key }))
    ).Body?.transformToString();
    expect(card).toContain('Chosen by 5-fold cross-validation');
    expect(card).toContain('fold losses');
    expect(card).toMatch(/\d+\.\d{4} ± \d+\.\d{4}/);
    expect(card).toContain('out-of-fold r2');
  }, 240_000);

  it('a data set whose one real feature carries most of the influence is promoted, with a dominance warning, not rejected as a leak', async () => {
    const [execution] = await stack.upload('incoming/strong-feature/data.csv', STRONG);
    expect(execution?.status).toBe('SUCCEEDED');
    const runRecord = await onlyRun('strong-feature');
    expect(runRecord.status).toBe('PROMOTED');
    const checks = runRecord.gate?.checks ?? [];
    const leak = checks.find((c) => c.kind === 'leak');
    expect(leak).toMatchObject({ passed: true, severity: 'blocking' });
    expect(leak?.value).toBeLessThan(0.95);
    const share = checks.find((c) => c.kind === 'feature_share');
    expect(share).toMatchObject({ metric: 'feature_share.relationship', passed: false, severity: 'warning' });
    expect(runRecord.gate?.summary).toMatch(
      /^passed with warnings: feature "relationship" carries \d+\.\d% of the model's influence/,
    );
  }, 240_000);

  it('the same data with a leaked copy of the label is rejected by the leak check; uploading it again starts nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-leak-'));
    const file = join(dir, 'leaky.csv');
    writeFileSync(
      file,
      withDerivedColumn(STRONG, 'leak', (row) => (row.class === '>50K' ? 'rich' : 'not-rich')),
    );
    const first = (await cli('upload', 'leaky-label', file)).stdout;
    const runId = /run (run-[0-9a-f]+) started/.exec(first)?.[1];
    expect(runId).toBeDefined();
    // The runs (an incident's response workflow, which waits on the runtime's clock, is not one).
    await Promise.all(
      stack.runtime
        .executions()
        .filter((e) => !e.stateMachineArn.endsWith('-incident'))
        .map((e) => e.done),
    );
    const runRecord = await onlyRun('leaky-label');
    expect(runRecord).toMatchObject({ runId, status: 'REJECTED' });
    expect(runRecord.gate?.checks.find((c) => c.kind === 'leak')).toMatchObject({
      metric: 'leak.leak',
      passed: false,
      value: 1,
    });
    expect(runRecord.reason).toContain('feature "leak" alone predicts the label (AUC 1.000): a leak?');
    expect(await stack.registry.aliases.get('leaky-label')).toBeUndefined();
    const card = await (
      await stack.s3.send(new GetObjectCommand({ Bucket: runRecord.report?.bucket, Key: runRecord.report?.key }))
    ).Body?.transformToString();
    expect(card).toContain(
      'outcome: <b>rejected; production unchanged (feature &quot;leak&quot; alone predicts the label',
    );
    expect(card).toContain('Rejected — feature &quot;leak&quot; alone predicts');
    expect(card).not.toContain('Rejected — rejected');

    const again = (await cli('upload', 'leaky-label', file)).stdout;
    expect(again).toContain(`duplicate: run ${runId} already exists`);
    expect(await stack.registry.runs.list('leaky-label')).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toContain(',leak\n');
  }, 240_000);
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLocal } from '../../cli/connection.js';
import { checkAnswer, runSmoke, SmokeFailure } from '../../cli/smoke.js';
import { formatModelCi, runModelCi } from '../../cli/model-ci.js';
import { startModelCiRuntime } from '../../local/model-ci-runtime.js';
import { startFakeCloudFormation } from '../helpers/fake-cloudformation.js';
import { withDerivedColumn, withoutColumn } from '../helpers/adult.js';
import { ADULT, adultRows } from '../helpers/e2e.js';
import { startTestStack, type TestStack } from '../helpers/local-stack.js';

/** The first rows of adult with a copy of the label as an extra column: a model that leans on it must be rejected. */
const leakyAdult = (rows: number): string =>
  withDerivedColumn(adultRows(rows), 'leak', (row) => (row.class === '>50K' ? 'rich' : 'not-rich'));

describe('model CI: the full pipeline on fresh local emulators, failing when the gate fails', () => {
  it('fails a data set whose model the gate rejects and passes the example data, with a card for each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-model-ci-test-'));
    const leaky = join(dir, 'leaky.csv');
    writeFileSync(leaky, leakyAdult(8000));
    const results = await runModelCi({
      datasets: [
        { model: 'adult', file: 'examples/data/adult.csv' },
        { model: 'adult', file: leaky },
      ],
      cardDir: join(dir, 'cards'),
      startRuntime: startModelCiRuntime,
    });
    const [promoted, rejected] = results;
    expect(promoted).toMatchObject({ status: 'PROMOTED', passed: true, version: 1 });
    expect(rejected).toMatchObject({ status: 'REJECTED', passed: false, version: 2 });
    expect(rejected?.gate?.checks.filter((c) => !c.passed && c.severity === 'blocking').map((c) => c.metric)).toEqual([
      'leak.leak',
    ]);
    expect(readFileSync(promoted?.card as string, 'utf8')).toContain('<svg');
    const summary = formatModelCi(results);
    expect(summary).toMatch(/✅ adult — PROMOTED \(v1\)/);
    expect(summary).toMatch(
      /❌ adult — REJECTED \(v2\)[\s\S]*\| leak\.leak \| 1\.0000 \| <= 0\.99 \| \*\*fail\*\*: feature "leak" alone predicts the label/,
    );
    expect(summary).toMatch(/\| feature_share\.leak \| [0-9.]+ \| <= 0\.5 \| warning: feature "leak" carries/);
  }, 300_000);
});

describe('smoke test (npm run smoke): upload, wait, SigV4 call, check the answer', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("fails with the run's reason when the pipeline fails (data without its label column)", async () => {
    const unlabelled = withoutColumn(adultRows(500), 'class');
    const connection = connectLocal(stack.stateDir);
    try {
      const smoke = runSmoke(connection, { model: 'adult', csv: unlabelled, pollMs: 100, timeoutMs: 120_000 });
      await expect(smoke).rejects.toThrow(SmokeFailure);
      await expect(smoke).rejects.toThrow(/FAILED at ETL: .*class/);
    } finally {
      connection.close();
    }
  }, 180_000);

  it('passes on a fresh stack: the run is promoted and the API serves it', async () => {
    const connection = connectLocal(stack.stateDir);
    const lines: string[] = [];
    try {
      const result = await runSmoke(connection, {
        model: 'adult',
        csv: ADULT,
        rows: 6000,
        pollMs: 100,
        timeoutMs: 180_000,
        log: (l) => lines.push(l),
      });
      expect(result.run.status).toBe('PROMOTED');
      expect(result.servedVersion).toBe(result.run.version);
      expect(result.predictions).toBe(5);
      expect(result.key).toMatch(/^incoming\/adult\/smoke-.*\.csv$/);
      expect(lines.join('\n')).toContain('the API served version');
    } finally {
      connection.close();
    }
  }, 180_000);

  it('runs the same through --stack: outputs from CloudFormation, the SDK default credential chain, SigV4 to the API', async () => {
    const { endpoints } = stack.runtime;
    const cloudFormation = await startFakeCloudFormation('ServerlessMlops-staging', {
      ...endpoints.outputs,
      ApiUrl: endpoints.apiUrl,
    } as Record<string, string>);
    try {
      const env = {
        PATH: process.env.PATH ?? '',
        AWS_REGION: endpoints.region,
        AWS_ACCESS_KEY_ID: endpoints.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: endpoints.credentials.secretAccessKey,
        AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url,
        AWS_ENDPOINT_URL_STS: cloudFormation.url,
        AWS_ENDPOINT_URL_S3: endpoints.s3Endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodbEndpoint,
        // The smoke test waits for the run's execution to end, as it would on a deployed stack.
        AWS_ENDPOINT_URL_SFN: endpoints.stepFunctionsEndpoint,
        // s3rver knows no flexible checksums: send them only where S3 requires one (as connectLocal does).
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      };
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'bin/smoke.ts', '--stack', 'ServerlessMlops-staging', '--rows', '6000', '--timeout', '180'],
        { env },
      );
      expect(stdout).toMatch(/uploaded s3:\/\/.*\/incoming\/adult\/smoke-/);
      expect(stdout).toMatch(/smoke test passed in [0-9.]+ s: run (PROMOTED|REJECTED), API served v\d+/);
    } finally {
      await cloudFormation.close();
    }
  }, 240_000);

  it('checks the answer: one prediction per instance, a label among its classes, probabilities that sum to 1', () => {
    const good = { version: 3, predictions: [{ label: 'a', probabilities: { a: 0.7, b: 0.3 } }, { value: 2.5 }] };
    expect(checkAnswer(good, 2)).toEqual([]);
    expect(checkAnswer({ ...good, version: undefined }, 2)).toEqual(['no version number']);
    expect(checkAnswer(good, 3)).toEqual(['2 predictions for 3 instances']);
    expect(checkAnswer({ version: 1, predictions: [{ label: 'c', probabilities: { a: 0.7, b: 0.7 } }] }, 1)).toEqual([
      'predictions[0].label is not one of its classes',
      'predictions[0] probabilities sum to 1.4000',
    ]);
    expect(checkAnswer({ version: 1, predictions: [{ value: Number.NaN }] }, 1)).toEqual([
      'predictions[0] has neither class probabilities nor a finite value',
    ]);
  });
});

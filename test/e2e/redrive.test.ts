import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adultRows, ADULT, mlops } from '../helpers/e2e.js';
import { startTestStack, type TestStack } from '../helpers/local-stack.js';

let stack: TestStack;

/** A version in production, whose artifact the next run's Validate step re-scores. */
beforeAll(async () => {
  stack = await startTestStack();
  const [first] = await stack.upload('incoming/adult/first.csv', adultRows(8000));
  expect(first?.status).toBe('SUCCEEDED');
  expect((await stack.registry.aliases.get('adult'))?.version).toBe(1);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

describe('re-driving a failed run', () => {
  it('re-drives a failed run from the failed step without redoing ETL and training (`mlops runs redrive`)', async () => {
    const cli = (...args: string[]) => mlops(stack, ...args);
    // An operator breaks production's artifact: the next run's Validate step (which re-scores production) fails.
    const production = await stack.registry.aliases.get('adult');
    const artifact = production?.artifact as { bucket: string; key: string };
    const original = await (
      await stack.s3.send(new GetObjectCommand({ Bucket: artifact.bucket, Key: artifact.key }))
    ).Body?.transformToByteArray();
    await stack.s3.send(new PutObjectCommand({ Bucket: artifact.bucket, Key: artifact.key, Body: 'damaged' }));
    const [failed] = await stack.upload(
      'incoming/adult/later-4k.csv',
      [ADULT.split('\n')[0], ...ADULT.trimEnd().split('\n').slice(10001, 14001)].join('\n'),
    );
    expect(failed?.status).toBe('FAILED');
    const failedRun = (await stack.registry.runs.list('adult')).find((r) => r.trigger.key.endsWith('later-4k.csv'));
    expect(failedRun).toMatchObject({ status: 'FAILED', step: 'Validate', errorType: 'IntegrityError' });

    // Re-driven while still broken, it fails again, and `--wait` says so with a failing exit code.
    const again = await cli('--json', 'runs', 'redrive', 'adult', failedRun?.runId as string, '--wait').then(
      () => undefined,
      (error: { code?: number; stdout?: string }) => error,
    );
    expect(again?.code).toBe(1);
    expect(JSON.parse(again?.stdout ?? '{}')).toMatchObject({
      step: 'Validate',
      status: 'FAILED',
      runStatus: 'FAILED',
    });

    // Restored, the run resumes at Validate: the new execution enters no ETL, Tune or Refit state.
    await stack.s3.send(new PutObjectCommand({ Bucket: artifact.bucket, Key: artifact.key, Body: original }));
    const { stdout } = await cli('--json', 'runs', 'redrive', 'adult', failedRun?.runId as string, '--wait');
    expect(JSON.parse(stdout)).toMatchObject({ step: 'Validate', status: 'SUCCEEDED' });
    // The training execution (not an incident's response workflow, which the failed runs' alarm may have started).
    const resumed = stack.runtime
      .executions()
      .filter((e) => !e.stateMachineArn.endsWith('-incident'))
      .at(-1);
    const entered = resumed?.events.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    // Through CrossValidated?, which goes straight on: the state already has the selection ($.refit).
    expect(entered?.slice(0, 3)).toEqual(['Resume?', 'CrossValidated?', 'Validate']);
    expect(entered).not.toContain('ETL');
    expect(entered).not.toContain('Tune');
    expect(entered).not.toContain('Refit');
    const after = await stack.registry.runs.get('adult', failedRun?.runId as string);
    expect(after).toMatchObject({ redrives: 2 });
    expect(['PROMOTED', 'REJECTED']).toContain(after?.status);
    // Validate registered one version for the run, however often it was re-driven.
    expect((await stack.registry.versions.list('adult')).filter((v) => v.runId === failedRun?.runId)).toHaveLength(1);
    await expect(cli('runs', 'redrive', 'adult', failedRun?.runId as string)).rejects.toMatchObject({
      stderr: expect.stringContaining('only FAILED runs can be re-driven'),
    });
  }, 120_000);
});

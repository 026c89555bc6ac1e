import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  DataValidationError,
  RETRYABLE_ERROR_NAMES,
  TransientError,
  type MlopsError,
} from '../../lambdas/core/errors.js';
import { metrics } from '../../lambdas/shared/runtime/metrics.js';
import { classify, stepHandler } from '../../lambdas/shared/runtime/step-handler.js';

const context = {
  functionName: 'Stack-Etl',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:fn',
  memoryLimitInMB: '1024',
  functionVersion: '$LATEST',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

/** Every JSON line the function writes (Powertools logs and embedded-format metrics go to stdout, errors to stderr). */
let lines: Record<string, unknown>[];
beforeEach(() => {
  lines = [];
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split('\n'))
      if (line.trim().startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => capture(args.join(' ')));
  vi.spyOn(console, 'info').mockImplementation((...args: unknown[]) => capture(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => capture(args.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

const input = z.object({ run: z.object({ model: z.string(), runId: z.string() }), rows: z.number() });

describe('the one handler shape of the pipeline functions', () => {
  it("logs with the Lambda context and the run, and publishes the step's metrics with the model dimension", async () => {
    const handler = stepHandler({
      input,
      correlate: ({ run }) => run,
      run: async ({ rows }) => ({ kept: rows - 1 }),
      done: (result) => ({
        message: 'data prepared',
        fields: { kept: result.kept },
        counts: { RowsKept: result.kept },
      }),
    });
    await expect(handler({ run: { model: 'adult', runId: 'run-1' }, rows: 10 }, context)).resolves.toEqual({ kept: 9 });
    const info = lines.find((l) => l.message === 'data prepared');
    expect(info).toMatchObject({
      level: 'INFO',
      model: 'adult',
      runId: 'run-1',
      kept: 9,
      function_name: 'Stack-Etl',
      function_request_id: 'req-1',
    });
    const emf = lines.find((l) => l._aws !== undefined && l.ColdStart === undefined) as
      | {
          _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
          model: string;
          RowsKept: number;
        }
      | undefined;
    expect(emf?.RowsKept).toBe(9);
    expect(emf?.model).toBe('adult');
    expect(emf?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toContain('model');
    expect(emf?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([{ Name: 'RowsKept', Unit: 'Count' }]);
  });

  it('flushes what a failed invocation counted before it failed (the cold start is counted in e2e/pipeline)', async () => {
    const handler = stepHandler({
      input,
      correlate: ({ run }) => run,
      run: async () => {
        metrics.addDimension('model', 'adult');
        metrics.addMetric('RowsRead', 'Count', 5);
        throw new DataValidationError('bad row');
      },
      done: () => ({ message: 'x' }),
    });
    await expect(handler({ run: { model: 'adult', runId: 'run-3' }, rows: 1 }, context)).rejects.toBeInstanceOf(
      DataValidationError,
    );
    await expect(handler({ run: { model: 'adult', runId: 'run-4' }, rows: 1 }, context)).rejects.toBeInstanceOf(
      DataValidationError,
    );
    const documents = lines.filter((l) => l._aws !== undefined);
    expect(documents.filter((d) => d.RowsRead === 5 && d.model === 'adult')).toHaveLength(2);
  });

  it('refuses an input it does not accept with StepInputError naming the field, logged once', async () => {
    const handler = stepHandler({
      input,
      correlate: ({ run }) => run,
      run: async () => 1,
      done: () => ({ message: 'x' }),
    });
    await expect(handler({ run: { model: 'adult' }, rows: 'ten' }, context)).rejects.toMatchObject({
      name: 'StepInputError',
      retryable: false,
      message: expect.stringContaining('run.runId: Invalid input'),
    });
    expect(lines.filter((l) => l.message === 'step failed')).toHaveLength(1);
  });

  it('passes its own errors as they are, and a passing dependency failure as a retryable TransientError with its cause', async () => {
    const data = new DataValidationError('bad row');
    expect(classify(data)).toBe(data);
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
      $retryable: { throttling: true },
    });
    const transient = classify(throttled) as TransientError;
    expect(transient).toBeInstanceOf(TransientError);
    expect(transient.retryable).toBe(true);
    expect(transient.cause).toBe(throttled);
    expect(RETRYABLE_ERROR_NAMES).toContain(transient.name);
    const bug = new TypeError('x is undefined');
    expect(classify(bug)).toBe(bug); // not retried: a bug stays a bug

    const handler = stepHandler({
      input,
      correlate: ({ run }) => run,
      run: async () => Promise.reject(throttled),
      done: () => ({ message: 'x' }),
    });
    await expect(handler({ run: { model: 'adult', runId: 'run-2' }, rows: 1 }, context)).rejects.toBeInstanceOf(
      TransientError,
    );
    expect(lines.find((l) => l.message === 'step failed')).toMatchObject({
      level: 'ERROR',
      model: 'adult',
      runId: 'run-2',
      retryable: true,
    });
  });

  it('every error of the project has a name, a retry verdict and keeps its cause', () => {
    const cause = new Error('root');
    const error: MlopsError = new DataValidationError('wrapped', { cause });
    expect(error).toMatchObject({ name: 'DataValidationError', retryable: false, cause });
    expect(error).toBeInstanceOf(Error);
  });
});

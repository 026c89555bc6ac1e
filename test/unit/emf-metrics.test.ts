import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractEmf } from '../../local/cloudwatch/emf.js';
import { MetricStore } from '../../local/cloudwatch/metric-store.js';

const T = 1_794_999_960_000; // a minute boundary
const emf = (aws: unknown, members: Record<string, unknown>) => JSON.stringify({ _aws: aws, ...members });

describe('embedded metric format → metrics (the EMF specification)', () => {
  it("extracts the specification's example: one metric per directive, metric and dimension set", () => {
    const line = emf(
      {
        Timestamp: T,
        CloudWatchMetrics: [
          {
            Namespace: 'lambda-function-metrics',
            Dimensions: [['functionVersion'], ['functionVersion', 'model']],
            Metrics: [{ Name: 'time', Unit: 'Milliseconds', StorageResolution: 60 }],
          },
        ],
      },
      { functionVersion: '$LATEST', model: 'adult', time: 100, requestId: '989ffbf8' },
    );
    expect(extractEmf(line)).toEqual([
      {
        namespace: 'lambda-function-metrics',
        name: 'time',
        dimensions: { functionVersion: '$LATEST' },
        unit: 'Milliseconds',
        timestamp: T,
        samples: [{ value: 100, count: 1 }],
      },
      {
        namespace: 'lambda-function-metrics',
        name: 'time',
        dimensions: { functionVersion: '$LATEST', model: 'adult' },
        unit: 'Milliseconds',
        timestamp: T,
        samples: [{ value: 100, count: 1 }],
      },
    ]);
  });

  it('takes an array of values as that many samples, and an empty dimension set as no dimensions', () => {
    const [point] = extractEmf(
      emf(
        { Timestamp: T, CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [], Metrics: [{ Name: 'latency' }] }] },
        { latency: [1, 2, 3] },
      ),
    );
    expect(point).toMatchObject({
      dimensions: {},
      samples: [
        { value: 1, count: 1 },
        { value: 2, count: 1 },
        { value: 3, count: 1 },
      ],
    });
  });

  it.each([
    ['not JSON', '{"_aws": nope'],
    [
      'no timestamp',
      emf({ CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [], Metrics: [{ Name: 'm' }] }] }, { m: 1 }),
    ],
    [
      'a dimension value that is not a string',
      emf(
        { Timestamp: T, CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [['d']], Metrics: [{ Name: 'm' }] }] },
        { d: 3, m: 1 },
      ),
    ],
    [
      'a value that is not a number',
      emf(
        { Timestamp: T, CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [], Metrics: [{ Name: 'm' }] }] },
        { m: 'one' },
      ),
    ],
    [
      'more than 100 values',
      emf(
        { Timestamp: T, CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [], Metrics: [{ Name: 'm' }] }] },
        { m: Array.from({ length: 101 }, () => 1) },
      ),
    ],
    ['a plain log line', '{"level":"INFO","message":"hello"}'],
  ])('yields nothing for %s (the line stays a log line)', (_what, line) => {
    expect(extractEmf(line)).toEqual([]);
  });
});

describe('the local metric store', () => {
  it('identifies a metric by its exact dimension set, in any order, and keeps data points across a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mlops-metrics-')), 'metrics.jsonl');
    const store = new MetricStore(file);
    const id = { namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'f', Resource: 'f' } };
    store.put(id, T, { value: 1, count: 1 }, 'Count');
    store.put({ ...id, dimensions: { Resource: 'f', FunctionName: 'f' } }, T + 1000, { value: 2, count: 1 }, 'Count');
    store.put({ ...id, dimensions: { FunctionName: 'f' } }, T, { value: 5, count: 1 }, 'Count');
    await store.close();
    const reopened = new MetricStore(file);
    expect(reopened.datapoints(id, T, T + 60_000).map((p) => p.sample)).toEqual([
      { value: 1, count: 1 },
      { value: 2, count: 1 },
    ]);
    expect(reopened.list({ namespace: 'AWS/Lambda', dimensions: [{ name: 'Resource' }] })).toHaveLength(1);
    expect(reopened.list({ dimensions: [{ name: 'FunctionName', value: 'f' }] })).toHaveLength(2);
  });

  it('computes a statistic per period, aligned to the epoch or to a start, with null for an empty period', () => {
    const store = new MetricStore();
    const id = { namespace: 'n', name: 'm', dimensions: {} };
    for (const [offset, value] of [
      [0, 1],
      [30_000, 3],
      [61_000, 10],
    ] as const)
      store.put(id, T + offset, { value, count: 1 });
    expect(store.series(id, 'Sum', 60_000, T, T + 180_000).map((p) => p.value)).toEqual([4, 10, null]);
    expect(store.windows(id, 'Maximum', 60_000, T + 20_000, 2).map((p) => p.value)).toEqual([10, null]);
    expect(store.windows(id, 'Minimum', 60_000, T - 30_000, 2).map((p) => p.value)).toEqual([1, 3]);
  });
});

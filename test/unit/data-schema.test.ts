import { describe, expect, it } from 'vitest';
import { readCsv } from '../../lambdas/core/csv.js';
import { assertNoBlockingAnomalies, summarizeAnomalies } from '../../lambdas/core/anomaly-report.js';
import { inferSchema, validateAgainstSchema } from '../../lambdas/core/data-schema.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';

const config = parseModelConfig({ name: 'toy', task: 'binary', label: 'y', exclude: ['id'] }, 'models/toy.json');
const rows = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i)).join('\n');
const read = (text: string) => readCsv(text, { missingValues: ['', '?'], source: 'new.csv' });

describe('data schema', () => {
  it('records types, categorical domains, numeric ranges and presence of the first data set', async () => {
    const table = await read(
      `id,age,color,y\n${rows(100, (i) => `${i},${20 + (i % 50)},${['red', 'blue'][i % 2]},${i % 3 ? 'a' : 'b'}`)}`,
    );
    const schema = inferSchema(table, config, 'run-1', 1);
    expect(schema.columns.map((c) => c.name)).toEqual(['age', 'color', 'y']);
    expect(schema.columns[0]).toEqual({
      name: 'age',
      type: 'numeric',
      presence: 1,
      domain: null,
      range: { min: 20, max: 69 },
    });
    expect(schema.columns[1]).toEqual({
      name: 'color',
      type: 'categorical',
      presence: 1,
      domain: ['blue', 'red'],
      range: null,
    });
  });

  it('finds each kind of anomaly with the column, the worst value and the counts', async () => {
    const first = await read(`age,color,y\n${rows(100, (i) => `${20 + (i % 50)},${['red', 'blue'][i % 2]},a`)}`);
    const schema = inferSchema(first, config, 'run-1', 1);
    const next = await read(
      `age,color,shape\n${rows(100, (i) => `${i < 10 ? 95 + i : 30},${i < 20 ? 'green' : i < 50 ? '?' : 'red'},${i % 2 ? 'round' : 'square'}`)}`,
    );
    const anomalies = validateAgainstSchema(schema, next, config);
    const byKind = Object.fromEntries(anomalies.map((a) => [`${a.kind}:${a.column}`, a]));
    expect(byKind['out_of_range:age']).toMatchObject({ severity: 'warning', count: 10, share: 0.1, worstValue: '104' });
    expect(byKind['unseen_categories:color']).toMatchObject({ severity: 'warning', count: 20, worstValue: 'green' });
    expect(byKind['missing_rate_jump:color']).toMatchObject({ count: 30 });
    expect(byKind['missing_column:y']).toMatchObject({
      severity: 'blocking',
      description: 'column "y" is missing (the schema v1 has it)',
    });
    expect(byKind['new_column:shape']).toMatchObject({ severity: 'warning' });
    expect(() => assertNoBlockingAnomalies(anomalies, 'new.csv', 1)).toThrow(
      'new.csv does not match the data schema v1: missing_column: column "y" is missing (the schema v1 has it)',
    );
  });

  it('reports a numeric column that now holds text as a type change, and severities follow the model file', async () => {
    const first = await read(`age,y\n${rows(50, (i) => `${i},a`)}`);
    const schema = inferSchema(first, config, 'run-1', 1);
    const next = await read(`age,y\n${rows(50, (i) => `${i % 2 ? 'old' : 'young'},a`)}`);
    expect(validateAgainstSchema(schema, next, config)).toEqual([
      expect.objectContaining({
        kind: 'type_change',
        column: 'age',
        severity: 'blocking',
        worstValue: 'young',
        count: 50,
      }),
    ]);
    const lenient = parseModelConfig(
      { name: 'toy', task: 'binary', label: 'y', dataValidation: { severity: { type_change: 'warning' } } },
      'models/toy.json',
    );
    expect(validateAgainstSchema(schema, next, lenient)[0]?.severity).toBe('warning');
  });

  it('finds nothing when the new data looks like the old', async () => {
    const first = await read(`age,color,y\n${rows(100, (i) => `${20 + (i % 50)},${['red', 'blue'][i % 2]},a`)}`);
    expect(validateAgainstSchema(inferSchema(first, config, 'run-1', 1), first, config)).toEqual([]);
  });
});

describe('many anomalies', () => {
  const missing = (i: number) => ({
    kind: 'missing_column' as const,
    column: `c${i}`,
    severity: 'blocking' as const,
    description: `column "c${i}" is missing`,
    worstValue: null,
    count: 5,
    share: 1,
  });
  const added = (i: number) => ({
    kind: 'new_column' as const,
    column: `n${i}`,
    severity: 'warning' as const,
    description: `column "n${i}" is new`,
    worstValue: null,
    count: 0,
    share: 0,
  });

  it('summarizes them: counts by kind and the first ten, blocking first', () => {
    const summary = summarizeAnomalies([
      ...Array.from({ length: 30 }, (_, i) => added(i)),
      ...Array.from({ length: 4 }, (_, i) => missing(i)),
    ]);
    expect(summary).toMatchObject({ total: 34, blocking: 4, byKind: { new_column: 30, missing_column: 4 } });
    expect(summary.first.map((a) => a.column)).toEqual(['c0', 'c1', 'c2', 'c3', 'n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
  });

  it('names the first ten blocking ones in the failure, and where all of them are', () => {
    const anomalies = Array.from({ length: 9985 }, (_, i) => missing(i));
    let message = '';
    try {
      assertNoBlockingAnomalies(anomalies, 'new.csv', 1, 's3://artifacts/runs/toy/r/anomalies.json');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /^new\.csv does not match the data schema v1: missing_column: column "c0" is missing; .*missing_column: column "c9" is missing; and 9975 more blocking anomalies \(all 9985 in s3:\/\/artifacts\/runs\/toy\/r\/anomalies\.json\)$/,
    );
    expect(message.length).toBeLessThan(1000);
  });
});

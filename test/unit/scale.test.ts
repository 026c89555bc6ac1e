import { describe, expect, it } from 'vitest';
import { concatTables } from '../../lambdas/core/csv.js';
import { inferSchema } from '../../lambdas/core/data-schema.js';
import { extent } from '../../lambdas/core/extent.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';
import type { RawTable } from '../../lambdas/core/table.js';

/**
 * Data-sized arrays never become call arguments (Math.min(...values), push(...rows)): past ~125,000 elements they
 * overflow Lambda's stack, and the first upload of a large data set failed ETL. ESLint forbids the pattern in
 * lambdas/ and local/; these run the code paths that had it on more rows than the stack holds.
 */
describe('the core on data larger than the stack', () => {
  const rows = 300_000;
  const table = (source: string): RawTable => ({
    columns: ['x', 'y'],
    rows: Array.from({ length: rows }, (_, i) => [String(i - 1000), i % 2 ? 'a' : 'b']),
    origins: Array.from({ length: rows }, (_, i) => `${source}:${i + 2}`),
  });

  it('infers the schema of 300,000 rows (numeric ranges without spreading the values)', () => {
    const config = parseModelConfig({ name: 'm', task: 'binary', label: 'y' }, 'models/m.json');
    const schema = inferSchema(table('a.csv'), config, 'run', 1);
    expect(schema.columns.find((c) => c.name === 'x')?.range).toEqual({ min: -1000, max: rows - 1001 });
  });

  it('concatenates two tables of 300,000 rows', () => {
    const both = concatTables([table('a.csv'), table('b.csv')]);
    expect(both.rows).toHaveLength(2 * rows);
    expect(both.origins.at(-1)).toBe(`b.csv:${rows + 1}`);
  });

  it('extent() skips NaN and answers null for nothing', () => {
    expect(extent([3, Number.NaN, -2, 7])).toEqual({ min: -2, max: 7 });
    expect(extent([Number.NaN])).toBeNull();
    expect(extent(Float64Array.from({ length: 1_000_000 }, (_, i) => i))).toEqual({ min: 0, max: 999_999 });
  });
});

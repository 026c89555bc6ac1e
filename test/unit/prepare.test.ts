import { describe, expect, it } from 'vitest';
import { readCsv } from '../../lambdas/core/csv.js';
import { parseModelConfig } from '../../lambdas/core/model-config.js';
import { prepareData } from '../../lambdas/core/prepare.js';
import { SPLITS, splitOfRow } from '../../lambdas/core/split.js';

const config = (extra: Record<string, unknown> = {}) =>
  parseModelConfig({ name: 'toy', task: 'binary', label: 'y', missingValues: ['', '?'], ...extra }, 'models/toy.json');

function csv(rows: number, line: (i: number) => string, header = 'x,color,y'): string {
  return [header, ...Array.from({ length: rows }, (_, i) => line(i))].join('\n');
}

describe('prepareData', () => {
  it('infers numeric and categorical columns and keeps every good row', async () => {
    const table = await readCsv(
      csv(200, (i) => `${i},${i % 2 ? 'red' : 'blue'},${i % 3 ? 'a' : 'b'}`),
      { missingValues: ['?'], source: 'toy.csv' },
    );
    const { report, splits } = prepareData(table, config());
    expect(report.columnTypes).toEqual({ x: 'numeric', color: 'categorical' });
    expect(report.rowsKept).toBe(200);
    expect(report.splitRows.train + report.splitRows.validation + report.splitRows.test).toBe(200);
    expect(splits.train.features[0]?.type).toBe('numeric');
  });

  it('drops and reports rows with a non-numeric value in a numeric column, with their lines', async () => {
    const table = await readCsv(
      csv(300, (i) => `${i === 7 ? 'abc' : i},red,${i % 2 ? 'a' : 'b'}`),
      { missingValues: ['?'], source: 'toy.csv' },
    );
    const { report } = prepareData(table, config());
    expect(report.rowsDropped).toBe(1);
    expect(report.badValues).toEqual([{ column: 'x', count: 1, examples: [{ at: 'toy.csv:9', value: 'abc' }] }]);
  });

  it('fails when bad rows exceed maxBadRowShare, with counts and example lines', async () => {
    const table = await readCsv(
      csv(100, (i) => `${i % 10 === 0 ? 'n/a' : i},red,${i % 2 ? 'a' : 'b'}`),
      { missingValues: ['?'], source: 'toy.csv' },
    );
    expect(() => prepareData(table, config({ maxBadRowShare: 0.05 }))).toThrow(
      /10 of 100 rows \(10\.00%\) have bad values, more than the 5\.00% allowed by maxBadRowShare in models\/toy\.json: "x": 10 bad \(e\.g\. toy\.csv:2 "n\/a"/,
    );
  });

  it('names the label column when it is missing', async () => {
    const table = await readCsv('x,color\n1,red\n', { missingValues: [], source: 'toy.csv' });
    expect(() => prepareData(table, config())).toThrow(
      'toy.csv has no column "y" (the label in models/toy.json); columns found: x, color',
    );
  });

  it('counts a missing label as a bad row', async () => {
    const table = await readCsv(
      csv(200, (i) => `${i},red,${i === 3 ? '?' : 'a'}`),
      { missingValues: ['?'], source: 'toy.csv' },
    );
    const { report } = prepareData(table, config({ maxBadRowShare: 0.1 }));
    expect(report.badValues).toEqual([{ column: 'y', count: 1, examples: [{ at: 'toy.csv:5', value: '(missing)' }] }]);
  });

  it('keeps sensitive attributes out of the features but in the frame', async () => {
    const table = await readCsv(
      csv(100, (i) => `${i},${i % 2 ? 'red' : 'blue'},a`),
      { missingValues: [], source: 'toy.csv' },
    );
    const { splits } = prepareData(table, config({ sensitive: ['color'] }));
    expect(splits.train.features.map((f) => f.name)).toEqual(['x']);
    expect(splits.train.sensitive.map((f) => f.name)).toEqual(['color']);
  });
});

describe('splitOfRow', () => {
  const ratios = { train: 0.7, validation: 0.15, test: 0.15, seed: 0 };

  it('is a function of the row alone: same row, same split, in any order', () => {
    const rows = Array.from({ length: 50 }, (_, i) => [String(i), 'x']);
    const forward = rows.map((r) => splitOfRow(r, ratios));
    const backward = [...rows]
      .reverse()
      .map((r) => splitOfRow(r, ratios))
      .reverse();
    expect(backward).toEqual(forward);
  });

  it('gives about 70/15/15 on 20,000 rows, and another split for another seed', () => {
    const counts = { train: 0, validation: 0, test: 0 };
    let moved = 0;
    for (let i = 0; i < 20000; i++) {
      const row = [String(i), `v${i % 7}`];
      const split = splitOfRow(row, ratios);
      counts[split] += 1;
      if (splitOfRow(row, { ...ratios, seed: 1 }) !== split) moved += 1;
    }
    expect(counts.train / 20000).toBeGreaterThan(0.68);
    expect(counts.train / 20000).toBeLessThan(0.72);
    expect(counts.test / 20000).toBeGreaterThan(0.135);
    expect(counts.test / 20000).toBeLessThan(0.165);
    expect(moved).toBeGreaterThan(5000);
  });
});

describe('numeric sensitive attributes and skewed splits', () => {
  const people = csv(400, (i) => `${i},${18 + (i % 60)},${i % 2 ? 'a' : 'b'}`, 'x,age,y');

  it("groups a numeric sensitive attribute by the model file's bins, as half-open intervals, in every split", async () => {
    const table = await readCsv(people, { missingValues: ['?'], source: 'p.csv' });
    const { splits, report } = prepareData(table, config({ sensitive: [{ column: 'age', bins: [25, 60] }] }));
    const groups = new Set(SPLITS.flatMap((s) => splits[s].sensitive[0]?.values ?? []));
    expect([...groups].sort()).toEqual(['< 25', '>= 60', '[25, 60)']);
    // 18 + (i % 60): ages 18..24 are "< 25", 60..77 ">= 60"
    const first = splits.train.sensitive[0]?.values[0];
    const age = 18 + ((Number(splits.train.origins[0]?.split(':')[1]) - 2) % 60);
    expect(first).toBe(age < 25 ? '< 25' : age >= 60 ? '>= 60' : '[25, 60)');
    expect(report.sensitiveGroups).toEqual([{ column: 'age', method: 'bins', edges: [25, 60] }]);
    expect(report.warnings).toEqual([]);
  });

  it('groups a numeric attribute without bins by its quartiles, and says so; a categorical or few-valued one keeps its values', async () => {
    const table = await readCsv(people, { missingValues: ['?'], source: 'p.csv' });
    const { report } = prepareData(table, config({ sensitive: ['age'] }));
    expect(report.sensitiveGroups).toEqual([{ column: 'age', method: 'quartiles', edges: [32, 46, 61] }]); // numpy.percentile(ages, [25, 50, 75])
    expect(report.warnings).toEqual([
      'sensitive attribute "age" is numeric and has no bins: grouped by its quartiles (edges 32, 46, 61); declare the groups that matter, e.g. "sensitive": [{"column": "age", "bins": [25, 60]}]',
    ]);
    const coded = await readCsv(
      csv(300, (i) => `${i},${i % 2},${i % 3 ? 'a' : 'b'}`, 'x,sex,y'),
      { missingValues: ['?'], source: 'c.csv' },
    );
    expect(prepareData(coded, config({ sensitive: ['sex'] })).report.sensitiveGroups).toEqual([
      { column: 'sex', method: 'values', edges: [] },
    ]);
  });

  it('warns when identical rows make a split far larger or smaller than its ratio (they always share a split)', async () => {
    // 12 distinct rows (x in 0..11 decides y), each repeated: every copy lands in the split of the first.
    const table = await readCsv(
      csv(300, (i) => `${i % 12},red,${i % 3 ? 'a' : 'b'}`),
      { missingValues: ['?'], source: 'd.csv' },
    );
    expect(prepareData(table, config()).report.warnings).toEqual([
      'the train split holds 41.7% of the 300 rows instead of 70%: 288 rows repeat another row exactly, and identical rows always share a split (so no duplicate leaks from training into test); add a column that tells rows apart, or expect noisier metrics',
    ]);
    const distinct = await readCsv(
      csv(300, (i) => `${i},red,${i % 3 ? 'a' : 'b'}`),
      { missingValues: ['?'], source: 'u.csv' },
    );
    expect(prepareData(distinct, config()).report.warnings).toEqual([]);
  });
});

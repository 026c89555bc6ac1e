import { readFileSync } from 'node:fs';
import { readCsv } from '../../lambdas/core/csv.js';
import type { Frame, TypedColumn } from '../../lambdas/core/dataset.js';
import { parseModelConfigText, type ModelConfig } from '../../lambdas/core/model-config.js';
import { prepareData, type PreparedData } from '../../lambdas/core/prepare.js';
import { sampleCsv } from '../../bench/right-answers-lib.js';

let cached: Promise<{ config: ModelConfig; prepared: PreparedData }> | undefined;

/** The adult example, read and prepared with the shipped model file (once per test file). */
export function adult(): Promise<{ config: ModelConfig; prepared: PreparedData }> {
  cached ??= (async () => {
    const config = parseModelConfigText(readFileSync('models/adult.json', 'utf8'), 'models/adult.json', 'adult');
    const table = await readCsv(readFileSync('examples/data/adult.csv'), {
      missingValues: config.missingValues,
      source: 'adult.csv',
    });
    return { config, prepared: prepareData(table, config) };
  })();
  return cached;
}

/** A copy of a frame with one feature column replaced. */
export function withColumn(frame: Frame, column: TypedColumn): Frame {
  return { ...frame, features: frame.features.map((c) => (c.name === column.name ? column : c)) };
}

export function column(frame: Frame, name: string): TypedColumn {
  const found = [...frame.features, ...frame.sensitive].find((c) => c.name === name);
  if (found === undefined) throw new Error(`no column ${name}`);
  return found;
}

/** A seeded random sample of adult.csv's rows (header kept): the small data sets users bring (as the benchmark draws them). */
export function adultSample(rows: number, seed: number): string {
  return `${sampleCsv(readFileSync('examples/data/adult.csv', 'utf8'), rows, seed)}\n`;
}

/** The CSV with only these columns (adult has no quoted fields, so a split on commas is exact). */
export function keepColumns(csv: string, columns: readonly string[]): string {
  const lines = csv.trimEnd().split('\n');
  const header = (lines[0] as string).split(',');
  const indexes = columns.map((c) => {
    const i = header.indexOf(c);
    if (i === -1) throw new Error(`no column ${c}`);
    return i;
  });
  return lines.map((line) => indexes.map((i) => line.split(',')[i]).join(',')).join('\n') + '\n';
}

/** The CSV with one column removed, as a user might upload by mistake (no quoted fields in adult: a split is exact). */
export function withoutColumn(csv: string, column: string): string {
  const lines = csv.trimEnd().split('\n');
  const index = (lines[0] as string).split(',').indexOf(column);
  if (index === -1) throw new Error(`no column ${column}`);
  return lines
    .map((line) =>
      line
        .split(',')
        .filter((_, i) => i !== index)
        .join(','),
    )
    .join('\n');
}

/** The CSV with one more column whose value is computed from each row (by column name). */
export function withDerivedColumn(csv: string, name: string, value: (row: Record<string, string>) => string): string {
  const lines = csv.trimEnd().split('\n');
  const header = (lines[0] as string).split(',');
  return (
    [
      `${lines[0]},${name}`,
      ...lines.slice(1).map((line) => {
        const cells = line.split(',');
        return `${line},${value(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])))}`;
      }),
    ].join('\n') + '\n'
  );
}

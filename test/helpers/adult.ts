import { readFileSync } from 'node:fs';
import { readCsv } from '../../lambdas/core/csv.js';
import type { Frame, TypedColumn } from '../../lambdas/core/dataset.js';
import { parseModelConfigText, type ModelConfig } from '../../lambdas/core/model-config.js';
import { prepareData, type PreparedData } from '../../lambdas/core/prepare.js';

let cached: Promise<{ config: ModelConfig; prepared: PreparedData }> | undefined;

/** The adult example, read and prepared with the shipped model file (once per test file). */
export function adult(): Promise<{ config: ModelConfig; prepared: PreparedData }> {
  cached ??= (async () => {
    const config = parseModelConfigText(readFileSync('models/adult.json', 'utf8'), 'models/adult.json', 'adult');
    const table = await readCsv(readFileSync('examples/data/adult.csv'), { missingValues: config.missingValues, source: 'adult.csv' });
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

import { DataValidationError } from './errors.js';
import { sensitiveAttributes, type ModelConfig } from './model-config.js';
import { inferColumnType, isFloat32Finite, parseNumber } from './prepare-values.js';
import { groupSensitive, quartileWarning, type SensitiveGrouping } from './sensitive-groups.js';
import type { CategoricalColumn, ColumnType, Frame, SplitFrames, TypedColumn } from './dataset.js';
import { SPLITS, splitOfRow, type SplitName } from './split.js';
import type { RawTable, RawValue } from './table.js';

const EXAMPLES_KEPT = 5;

export { inferColumnType, parseNumber } from './prepare-values.js';

export interface BadValueReport {
  readonly column: string;
  readonly count: number;
  readonly examples: { readonly at: string; readonly value: string }[];
}

export interface PreparationReport {
  readonly rowsRead: number;
  readonly rowsKept: number;
  readonly rowsDropped: number;
  readonly badValues: BadValueReport[];
  readonly columnTypes: Record<string, ColumnType>;
  readonly splitRows: Record<SplitName, number>;
  /** How each sensitive attribute was grouped (numeric ones are cut into bins). */
  readonly sensitiveGroups: SensitiveGrouping[];
  /** Things the model owner should know that did not stop the run. */
  readonly warnings: string[];
}

export interface PreparedData {
  readonly splits: SplitFrames;
  readonly report: PreparationReport;
}

/**
 * Types, cleans and splits raw rows according to the model file.
 * Rows with a non-numeric value in a numeric column or a missing/invalid label are dropped and reported; when they
 * are more than `maxBadRowShare` of the rows, the data is rejected.
 * @throws DataValidationError naming the missing column, or the bad counts with example lines.
 */
export function prepareData(table: RawTable, config: ModelConfig): PreparedData {
  const source = table.origins[0]?.replace(/:\d+$/, '') ?? 'the data';
  const indexOf = (name: string, role: string): number => {
    const index = table.columns.indexOf(name);
    if (index === -1) {
      throw new DataValidationError(
        `${source} has no column "${name}" (the ${role} in models/${config.name}.json); columns found: ${table.columns.join(', ')}`,
      );
    }
    return index;
  };
  const labelIndex = indexOf(config.label, 'label');
  const attributes = sensitiveAttributes(config);
  const sensitiveNames = attributes.map((a) => a.column);
  const sensitiveIndexes = sensitiveNames.map((name) => indexOf(name, 'sensitive attribute'));
  for (const name of config.exclude) indexOf(name, 'excluded column');
  const featureNames =
    config.features === 'all'
      ? table.columns.filter((name) => name !== config.label && !config.exclude.includes(name) && !sensitiveNames.includes(name))
      : config.features;
  const featureIndexes = featureNames.map((name) => indexOf(name, 'feature'));
  if (featureNames.length === 0) {
    throw new DataValidationError(`models/${config.name}.json leaves no feature columns in ${source}`);
  }

  const columnTypes: Record<string, ColumnType> = {};
  featureNames.forEach((name, i) => {
    columnTypes[name] = config.columnTypes[name] ?? inferColumnType(table.rows.map((row) => row[featureIndexes[i] as number] ?? null));
  });

  // First pass: find bad rows so the typed columns only hold kept rows.
  const bad = new Map<string, { count: number; examples: { at: string; value: string }[] }>();
  const noteBad = (column: string, at: string, value: string): void => {
    const entry = bad.get(column) ?? { count: 0, examples: [] };
    entry.count += 1;
    if (entry.examples.length < EXAMPLES_KEPT) entry.examples.push({ at, value });
    bad.set(column, entry);
  };
  const classLabels = config.task !== 'regression';
  const keep: boolean[] = table.rows.map((row, r) => {
    const at = table.origins[r] as string;
    let ok = true;
    featureIndexes.forEach((column, i) => {
      const value = row[column] ?? null;
      const name = featureNames[i] as string;
      if (value !== null && columnTypes[name] === 'numeric' && !isFloat32Finite(parseNumber(value))) {
        noteBad(name, at, value);
        ok = false;
      }
    });
    const label = row[labelIndex] ?? null;
    if (label === null) {
      noteBad(config.label, at, '(missing)');
      ok = false;
    } else if (!classLabels && !isFloat32Finite(parseNumber(label))) {
      noteBad(config.label, at, label);
      ok = false;
    }
    return ok;
  });
  const rowsRead = table.rows.length;
  const rowsKept = keep.filter(Boolean).length;
  const badValues = [...bad.entries()].map(([column, entry]) => ({ column, ...entry }));
  const dropped = rowsRead - rowsKept;
  if (dropped > config.maxBadRowShare * rowsRead || rowsKept === 0) {
    const details = badValues
      .map((b) => `"${b.column}": ${b.count} bad (e.g. ${b.examples.map((e) => `${e.at} "${e.value}"`).join(', ')})`)
      .join('; ');
    throw new DataValidationError(
      `${dropped} of ${rowsRead} rows (${((100 * dropped) / rowsRead).toFixed(2)}%) have bad values, more than the ` +
        `${(100 * config.maxBadRowShare).toFixed(2)}% allowed by maxBadRowShare in models/${config.name}.json: ${details}`,
    );
  }

  // Numeric sensitive attributes become groups (bins) over all kept rows, so every split uses the same edges.
  const groupings = attributes.map((attribute, i) => {
    const index = sensitiveIndexes[i] as number;
    return groupSensitive(attribute, table.rows.map((row, r) => (keep[r] ? (row[index] ?? null) : null)), config.columnTypes[attribute.column]);
  });
  const warnings = groupings.filter((g) => g.grouping.method === 'quartiles').map((g) => quartileWarning(g.grouping));

  // Second pass: route kept rows to their split and type them.
  const buckets: Record<SplitName, number[]> = { train: [], validation: [], test: [] };
  table.rows.forEach((row, r) => {
    if (keep[r]) buckets[splitOfRow(row, config.split)].push(r);
  });
  const frameOf = (rowIndexes: number[]): Frame => {
    const features: TypedColumn[] = featureNames.map((name, i) => {
      const column = featureIndexes[i] as number;
      const raw = rowIndexes.map((r) => (table.rows[r] as RawValue[])[column] ?? null);
      return columnTypes[name] === 'numeric'
        ? { name, type: 'numeric', values: raw.map((v) => (v === null ? Number.NaN : parseNumber(v))) }
        : { name, type: 'categorical', values: raw };
    });
    const sensitive: CategoricalColumn[] = sensitiveNames.map((name, i) => ({
      name,
      type: 'categorical',
      values: rowIndexes.map((r) => groupings[i]?.values[r] ?? null),
    }));
    const rawLabels = rowIndexes.map((r) => (table.rows[r] as RawValue[])[labelIndex] as string);
    return {
      features,
      sensitive,
      labels: classLabels
        ? { kind: 'classes', values: rawLabels }
        : { kind: 'numbers', values: rawLabels.map(parseNumber) },
      origins: rowIndexes.map((r) => table.origins[r] as string),
    };
  };
  const splits = Object.fromEntries(SPLITS.map((name) => [name, frameOf(buckets[name])])) as SplitFrames;
  const skew = splitSkewWarning(buckets, config.split, () => new Set(table.rows.filter((_, r) => keep[r]).map((row) => row.join('\u001f'))).size);
  if (skew !== undefined) warnings.push(skew);
  for (const name of SPLITS) {
    if (buckets[name].length === 0) {
      // Identical rows always share a split, so many duplicates can leave a split empty even with many rows.
      const distinct = new Set(table.rows.filter((_, r) => keep[r]).map((row) => row.join('\u001f'))).size;
      throw new DataValidationError(
        `the ${name} split of ${source} is empty: ${rowsKept} rows (${distinct} distinct; identical rows always share a split) are too few for the split ratios`,
      );
    }
  }
  return {
    splits,
    report: {
      rowsRead,
      rowsKept,
      rowsDropped: dropped,
      badValues,
      columnTypes,
      splitRows: { train: buckets.train.length, validation: buckets.validation.length, test: buckets.test.length },
      sensitiveGroups: groupings.map((g) => g.grouping),
      warnings,
    },
  };
}

/**
 * A warning when a split holds far more or fewer rows than its ratio: many identical rows, which always share a split
 * (so no duplicate leaks from training into test), move together. Beyond 5 points plus three binomial standard errors.
 */
export function splitSkewWarning(buckets: Record<SplitName, number[]>, ratios: ModelConfig['split'], distinctRows: () => number): string | undefined {
  const kept = SPLITS.reduce((n, name) => n + buckets[name].length, 0);
  for (const name of SPLITS) {
    const target = ratios[name];
    const share = buckets[name].length / kept;
    if (Math.abs(share - target) > 0.05 + 3 * Math.sqrt((target * (1 - target)) / kept)) {
      const repeats = kept - distinctRows();
      return (
        `the ${name} split holds ${(100 * share).toFixed(1)}% of the ${kept} rows instead of ${(100 * target).toFixed(0)}%: ${repeats} rows repeat another row exactly, ` +
        'and identical rows always share a split (so no duplicate leaks from training into test); add a column that tells rows apart, or expect noisier metrics'
      );
    }
  }
  return undefined;
}

import { DataValidationError } from './errors.js';
import { sensitiveAttributes, type ModelConfig } from './model-config.js';
import { inferColumnType, isFloat32Finite, parseNumber } from './column-typing.js';
import { groupSensitive, quartileWarning, type SensitiveGrouping } from './sensitive-groups.js';
import type { CategoricalColumn, ColumnType, Frame, SplitFrames, TypedColumn } from './dataset.js';
import { SPLITS, splitOfRow, type SplitName } from './split.js';
import type { RawTable, RawValue } from './table.js';

const EXAMPLES_KEPT = 5;

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
  const columns = resolveColumns(table, config, source);
  const columnTypes: Record<string, ColumnType> = {};
  columns.featureNames.forEach((name, i) => {
    columnTypes[name] =
      config.columnTypes[name] ??
      inferColumnType(table.rows.map((row) => row[columns.featureIndexes[i] as number] ?? null));
  });
  // First pass: find bad rows so the typed columns only hold kept rows.
  const { keep, badValues } = findBadRows(table, config, columns, columnTypes);
  const rowsRead = table.rows.length;
  const rowsKept = keep.filter(Boolean).length;
  assertFewBadRows(config, rowsRead, rowsKept, badValues);

  // Numeric sensitive attributes become groups (bins) over all kept rows, so every split uses the same edges.
  const groupings = columns.attributes.map((attribute, i) => {
    const index = columns.sensitiveIndexes[i] as number;
    return groupSensitive(
      attribute,
      table.rows.map((row, r) => (keep[r] ? (row[index] ?? null) : null)),
      config.columnTypes[attribute.column],
    );
  });
  const warnings = groupings.filter((g) => g.grouping.method === 'quartiles').map((g) => quartileWarning(g.grouping));

  // Second pass: route kept rows to their split and type them.
  const buckets: Record<SplitName, number[]> = { train: [], validation: [], test: [] };
  table.rows.forEach((row, r) => {
    if (keep[r]) buckets[splitOfRow(row, config.split)].push(r);
  });
  const typing = { table, columns, columnTypes, groupings, classLabels: config.task !== 'regression' };
  const splits = Object.fromEntries(SPLITS.map((name) => [name, frameOf(typing, buckets[name])])) as SplitFrames;
  const distinctKept = () => new Set(table.rows.filter((_, r) => keep[r]).map((row) => row.join('\u001f'))).size;
  const skew = splitSkewWarning(buckets, config.split, distinctKept);
  if (skew !== undefined) warnings.push(skew);
  for (const name of SPLITS) {
    if (buckets[name].length === 0) {
      // Identical rows always share a split, so many duplicates can leave a split empty even with many rows.
      throw new DataValidationError(
        `the ${name} split of ${source} is empty: ${rowsKept} rows (${distinctKept()} distinct; identical rows always share a split) are too few for the split ratios`,
      );
    }
  }
  const splitRows = { train: buckets.train.length, validation: buckets.validation.length, test: buckets.test.length };
  return {
    splits,
    report: {
      rowsRead,
      rowsKept,
      rowsDropped: rowsRead - rowsKept,
      badValues,
      columnTypes,
      splitRows,
      sensitiveGroups: groupings.map((g) => g.grouping),
      warnings,
    },
  };
}

interface Columns {
  readonly labelIndex: number;
  readonly attributes: ReturnType<typeof sensitiveAttributes>;
  readonly sensitiveNames: string[];
  readonly sensitiveIndexes: number[];
  readonly featureNames: string[];
  readonly featureIndexes: number[];
}

/** Where the label, sensitive attributes and features are in the table; a missing one is named with its role. */
function resolveColumns(table: RawTable, config: ModelConfig, source: string): Columns {
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
      ? table.columns.filter(
          (name) => name !== config.label && !config.exclude.includes(name) && !sensitiveNames.includes(name),
        )
      : config.features;
  const featureIndexes = featureNames.map((name) => indexOf(name, 'feature'));
  if (featureNames.length === 0)
    throw new DataValidationError(`models/${config.name}.json leaves no feature columns in ${source}`);
  return { labelIndex, attributes, sensitiveNames, sensitiveIndexes, featureNames, featureIndexes };
}

/** Which rows to keep: none with a non-numeric value in a numeric feature or a missing (or, for regression, bad) label. */
function findBadRows(
  table: RawTable,
  config: ModelConfig,
  columns: Columns,
  columnTypes: Record<string, ColumnType>,
): { keep: boolean[]; badValues: BadValueReport[] } {
  const bad = new Map<string, { count: number; examples: { at: string; value: string }[] }>();
  const noteBad = (column: string, at: string, value: string): void => {
    const entry = bad.get(column) ?? { count: 0, examples: [] };
    entry.count += 1;
    if (entry.examples.length < EXAMPLES_KEPT) entry.examples.push({ at, value });
    bad.set(column, entry);
  };
  const classLabels = config.task !== 'regression';
  const keep = table.rows.map((row, r) => {
    const at = table.origins[r] as string;
    let ok = true;
    columns.featureIndexes.forEach((column, i) => {
      const value = row[column] ?? null;
      const name = columns.featureNames[i] as string;
      if (value !== null && columnTypes[name] === 'numeric' && !isFloat32Finite(parseNumber(value))) {
        noteBad(name, at, value);
        ok = false;
      }
    });
    const label = row[columns.labelIndex] ?? null;
    if (label === null) {
      noteBad(config.label, at, '(missing)');
      ok = false;
    } else if (!classLabels && !isFloat32Finite(parseNumber(label))) {
      noteBad(config.label, at, label);
      ok = false;
    }
    return ok;
  });
  return { keep, badValues: [...bad.entries()].map(([column, entry]) => ({ column, ...entry })) };
}

/** More dropped rows than the model file allows (or none kept) fails the run, naming columns and example lines. */
function assertFewBadRows(config: ModelConfig, rowsRead: number, rowsKept: number, badValues: BadValueReport[]): void {
  const dropped = rowsRead - rowsKept;
  if (dropped <= config.maxBadRowShare * rowsRead && rowsKept > 0) return;
  const details = badValues
    .map((b) => `"${b.column}": ${b.count} bad (e.g. ${b.examples.map((e) => `${e.at} "${e.value}"`).join(', ')})`)
    .join('; ');
  throw new DataValidationError(
    `${dropped} of ${rowsRead} rows (${((100 * dropped) / rowsRead).toFixed(2)}%) have bad values, more than the ` +
      `${(100 * config.maxBadRowShare).toFixed(2)}% allowed by maxBadRowShare in models/${config.name}.json: ${details}`,
  );
}

interface Typing {
  readonly table: RawTable;
  readonly columns: Columns;
  readonly columnTypes: Record<string, ColumnType>;
  readonly groupings: readonly { readonly values: readonly (string | null)[] }[];
  readonly classLabels: boolean;
}

/** The typed frame of some rows: numeric features as numbers (NaN when missing), the rest as categories. */
function frameOf({ table, columns, columnTypes, groupings, classLabels }: Typing, rowIndexes: number[]): Frame {
  const features: TypedColumn[] = columns.featureNames.map((name, i) => {
    const column = columns.featureIndexes[i] as number;
    const raw = rowIndexes.map((r) => (table.rows[r] as RawValue[])[column] ?? null);
    return columnTypes[name] === 'numeric'
      ? { name, type: 'numeric', values: raw.map((v) => (v === null ? Number.NaN : parseNumber(v))) }
      : { name, type: 'categorical', values: raw };
  });
  const sensitive: CategoricalColumn[] = columns.sensitiveNames.map((name, i) => ({
    name,
    type: 'categorical',
    values: rowIndexes.map((r) => groupings[i]?.values[r] ?? null),
  }));
  const rawLabels = rowIndexes.map((r) => (table.rows[r] as RawValue[])[columns.labelIndex] as string);
  return {
    features,
    sensitive,
    labels: classLabels
      ? { kind: 'classes', values: rawLabels }
      : { kind: 'numbers', values: rawLabels.map(parseNumber) },
    origins: rowIndexes.map((r) => table.origins[r] as string),
  };
}

/**
 * A warning when a split holds far more or fewer rows than its ratio: many identical rows, which always share a split
 * (so no duplicate leaks from training into test), move together. Beyond 5 points plus three binomial standard errors.
 */
export function splitSkewWarning(
  buckets: Record<SplitName, number[]>,
  ratios: ModelConfig['split'],
  distinctRows: () => number,
): string | undefined {
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

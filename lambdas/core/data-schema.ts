import { extent } from './extent.js';
import type { ColumnType } from './dataset.js';
import type { ModelConfig } from './model-config.js';
import { inferColumnType, parseNumber } from './column-typing.js';
import type { RawTable } from './table.js';

/** Categories kept in a schema's domain; a column with more distinct values is not checked for unseen ones. */
const MAX_DOMAIN = 1000;

export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
  /** Share of rows with a value when the schema was made. */
  readonly presence: number;
  /** Categorical: the values seen (null when there were too many to list). */
  readonly domain: string[] | null;
  /** Numeric: the range seen. */
  readonly range: { readonly min: number; readonly max: number } | null;
}

/** What a model's data looks like, made from its first accepted data set and checked against every later one. */
export interface DataSchema {
  readonly model: string;
  readonly version: number;
  readonly createdFromRun: string;
  readonly columns: ColumnSchema[];
}

export const ANOMALY_KINDS = [
  'missing_column',
  'new_column',
  'type_change',
  'unseen_categories',
  'out_of_range',
  'missing_rate_jump',
  'invalid_encoding',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];
export type Severity = 'blocking' | 'warning';

export interface Anomaly {
  readonly kind: AnomalyKind;
  readonly column: string;
  readonly severity: Severity;
  readonly description: string;
  /** The most frequent offending value, when there is one. */
  readonly worstValue: string | null;
  readonly count: number;
  readonly share: number;
}

function columnValues(table: RawTable, index: number): (string | null)[] {
  return table.rows.map((row) => row[index] ?? null);
}

/** Infers the schema of a data set, with the column types the model file declares taking precedence. */
export function inferSchema(table: RawTable, config: ModelConfig, runId: string, version: number): DataSchema {
  const columns = table.columns
    .map((name, index) => ({ name, index }))
    .filter(({ name }) => !config.exclude.includes(name))
    .map(({ name, index }) => {
      const values = columnValues(table, index);
      const present = values.filter((v): v is string => v !== null);
      const type =
        name === config.label
          ? config.task === 'regression'
            ? 'numeric'
            : 'categorical'
          : (config.columnTypes[name] ?? inferColumnType(values));
      const numbers = type === 'numeric' ? present.map(parseNumber).filter(Number.isFinite) : [];
      const distinct = type === 'categorical' ? [...new Set(present)].sort() : [];
      return {
        name,
        type,
        presence: values.length === 0 ? 0 : present.length / values.length,
        domain: type === 'categorical' && distinct.length <= MAX_DOMAIN ? distinct : null,
        range: extent(numbers),
      } satisfies ColumnSchema;
    });
  return { model: config.name, version, createdFromRun: runId, columns };
}

/** Column types recorded in the schema, so later data is typed the same way even if a file looks different. */
export function schemaColumnTypes(schema: DataSchema): Record<string, ColumnType> {
  return Object.fromEntries(schema.columns.map((c) => [c.name, c.type]));
}

/** The model file with the schema's column types filled in (the file's own declarations still win). */
export function withSchemaTypes(config: ModelConfig, schema: DataSchema | undefined): ModelConfig {
  return schema === undefined
    ? config
    : { ...config, columnTypes: { ...schemaColumnTypes(schema), ...config.columnTypes } };
}

function mostFrequent(values: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount) [best, bestCount] = [v, c];
  return best;
}

/**
 * Checks a new data set against the model's schema. Each anomaly names the column, the worst value and the counts;
 * its severity comes from the model file (dataValidation.severity).
 */
export function validateAgainstSchema(schema: DataSchema, table: RawTable, config: ModelConfig): Anomaly[] {
  const rules = config.dataValidation;
  const anomalies: Anomaly[] = [];
  const rows = table.rows.length;
  const add = (kind: AnomalyKind, column: string, description: string, worstValue: string | null, count: number) =>
    anomalies.push({
      kind,
      column,
      severity: rules.severity[kind],
      description,
      worstValue,
      count,
      share: rows === 0 ? 0 : count / rows,
    });
  for (const column of schema.columns) {
    const index = table.columns.indexOf(column.name);
    if (index === -1) {
      add(
        'missing_column',
        column.name,
        `column "${column.name}" is missing (the schema v${schema.version} has it)`,
        null,
        rows,
      );
      continue;
    }
    const values = columnValues(table, index);
    const present = values.filter((v): v is string => v !== null);
    if (column.type === 'numeric') {
      if (checkNumbers(column, present, rows, rules, add)) continue;
    } else {
      checkCategories(column, present, rows, rules, add);
    }
    const presence = rows === 0 ? 0 : present.length / rows;
    if (column.presence - presence > rules.maxMissingRateIncrease) {
      add(
        'missing_rate_jump',
        column.name,
        `"${column.name}" is missing in ${(100 * (1 - presence)).toFixed(1)}% of rows, up from ${(100 * (1 - column.presence)).toFixed(1)}%`,
        null,
        rows - present.length,
      );
    }
  }
  const known = new Set(schema.columns.map((c) => c.name));
  for (const name of table.columns) {
    if (!known.has(name) && !config.exclude.includes(name))
      add('new_column', name, `column "${name}" is new (not in the schema v${schema.version})`, null, 0);
  }
  return anomalies;
}

type AddAnomaly = (
  kind: AnomalyKind,
  column: string,
  description: string,
  worstValue: string | null,
  count: number,
) => void;
type ValidationRules = ModelConfig['dataValidation'];

/** A numeric column's values: text where numbers were (a type change; true), or numbers outside the range seen. */
function checkNumbers(
  column: ColumnSchema,
  present: readonly string[],
  rows: number,
  rules: ValidationRules,
  add: AddAnomaly,
): boolean {
  const bad = present.filter((v) => !Number.isFinite(parseNumber(v)));
  if (present.length > 0 && bad.length / present.length > 0.5) {
    add(
      'type_change',
      column.name,
      `column "${column.name}" was numeric and now holds text in ${bad.length} of ${present.length} values`,
      mostFrequent(bad),
      bad.length,
    );
    return true;
  }
  if (column.range !== null) {
    const { min, max } = column.range;
    const outside = present.map(parseNumber).filter((v) => Number.isFinite(v) && (v < min || v > max));
    if (outside.length > rules.maxOutOfRangeShare * rows) {
      const worst = outside.reduce((w, v) => (Math.max(v - max, min - v) > Math.max(w - max, min - w) ? v : w));
      add(
        'out_of_range',
        column.name,
        `${outside.length} values of "${column.name}" are outside the range [${min}, ${max}] seen before (worst ${worst})`,
        String(worst),
        outside.length,
      );
    }
  }
  return false;
}

/** A categorical column's values: more never-seen categories than the model file allows. */
function checkCategories(
  column: ColumnSchema,
  present: readonly string[],
  rows: number,
  rules: ValidationRules,
  add: AddAnomaly,
): void {
  if (column.domain === null) return;
  const domain = new Set(column.domain);
  const unseen = present.filter((v) => !domain.has(v));
  if (unseen.length > rules.maxUnseenCategoryShare * rows) {
    const worst = mostFrequent(unseen);
    add(
      'unseen_categories',
      column.name,
      `${unseen.length} values of "${column.name}" were never seen before (most frequent: "${worst}")`,
      worst,
      unseen.length,
    );
  }
}

/**
 * Bytes that are not UTF-8 (checked on every upload, the first included): one anomaly naming the first place, the
 * column and the value as it decodes. Blocking by default: the values would be trained on as garbled text.
 */
export function encodingAnomalies(table: RawTable, config: ModelConfig): Anomaly[] {
  const report = table.encoding;
  const first = report?.issues[0];
  if (report === undefined || first === undefined) return [];
  const rows = table.rows.length;
  const places = report.issues.map((i) => `${i.at} in "${i.column}"`).join(', ');
  return [
    {
      kind: 'invalid_encoding',
      column: first.column,
      severity: config.dataValidation.severity.invalid_encoding,
      description:
        `${report.rows} row(s) hold bytes that are not UTF-8, first at ${first.at}: column "${first.column}" reads "${first.value}" (${places}); ` +
        'the file looks saved in another encoding (Latin-1 or Windows-1252?): save it as UTF-8 and upload it again',
      worstValue: first.value,
      count: report.rows,
      share: rows === 0 ? 0 : report.rows / rows,
    },
  ];
}

import { parse, CsvError } from 'csv-parse';
import type { Readable } from 'node:stream';
import { DataValidationError } from './errors.js';
import type { RawTable, RawValue } from './table.js';

export interface CsvReadOptions {
  /** Tokens that mean "no value" (compared after trimming). */
  readonly missingValues: readonly string[];
  /** Name of the source in error messages, e.g. the S3 key. */
  readonly source: string;
}

/**
 * Reads a CSV with a header row into a raw table, streaming so large uploads do not need two copies in memory.
 * Fields are trimmed (headers often carry stray spaces); missing-value tokens become null.
 * @throws DataValidationError naming the line for unbalanced quotes, a wrong column count, a duplicate or empty header.
 */
export async function readCsv(input: Readable | string | Uint8Array, options: CsvReadOptions): Promise<RawTable> {
  const missing = new Set(options.missingValues);
  const parser = parse({
    trim: true,
    skip_empty_lines: true,
    relax_column_count: false,
    info: true,
    bom: true,
  });
  if (typeof input === 'string' || input instanceof Uint8Array) {
    parser.end(input);
  } else {
    input.on('error', (error) => parser.destroy(error));
    input.pipe(parser);
  }

  let columns: string[] | undefined;
  const rows: RawValue[][] = [];
  const origins: string[] = [];
  try {
    for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (columns === undefined) {
        columns = checkHeader(record.record, options.source);
        continue;
      }
      rows.push(record.record.map((field) => (missing.has(field) ? null : field)));
      origins.push(`${options.source}:${record.info.lines}`);
    }
  } catch (error) {
    throw toDataError(error, options.source);
  }
  if (columns === undefined) {
    throw new DataValidationError(`${options.source} is empty: expected a header row and data rows`);
  }
  if (rows.length === 0) {
    throw new DataValidationError(`${options.source} has a header but no data rows`);
  }
  return { columns, rows, origins };
}

function checkHeader(header: string[], source: string): string[] {
  const seen = new Set<string>();
  header.forEach((name, index) => {
    if (name === '') {
      throw new DataValidationError(`${source}:1: column ${index + 1} of the header has no name`);
    }
    if (seen.has(name)) {
      throw new DataValidationError(`${source}:1: the header names column "${name}" twice`);
    }
    seen.add(name);
  });
  return header;
}

function toDataError(error: unknown, source: string): Error {
  if (error instanceof CsvError) {
    const line = typeof error.lines === 'number' ? error.lines : undefined;
    const where = line === undefined ? source : `${source}:${line}`;
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return new DataValidationError(`${where}: a quoted field opened here is never closed (unbalanced quote)`);
      case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
        return new DataValidationError(`${where}: wrong number of columns (${error.message})`);
      default:
        return new DataValidationError(`${where}: malformed CSV (${error.message})`);
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Concatenates tables read from several objects; they must have the same columns (order may differ). */
export function concatTables(tables: readonly RawTable[]): RawTable {
  const first = tables[0];
  if (first === undefined) throw new DataValidationError('no data objects to read');
  const rows: RawValue[][] = [...first.rows];
  const origins = [...first.origins];
  for (const table of tables.slice(1)) {
    const mapping = first.columns.map((name) => table.columns.indexOf(name));
    const missing = first.columns.filter((_, i) => mapping[i] === -1);
    const extra = table.columns.filter((name) => !first.columns.includes(name));
    if (missing.length > 0 || extra.length > 0) {
      const where = table.origins[0]?.split(':')[0] ?? 'a data object';
      throw new DataValidationError(
        `${where} has different columns from the others (missing: ${missing.join(', ') || 'none'}; extra: ${extra.join(', ') || 'none'})`,
      );
    }
    for (const row of table.rows) rows.push(mapping.map((index) => row[index] ?? null));
    for (const origin of table.origins) origins.push(origin);
  }
  return { columns: first.columns, rows, origins };
}

import { parse, CsvError } from 'csv-parse';
import type { Readable } from 'node:stream';
import { DataValidationError } from './errors.js';
import type { EncodingIssue, RawTable, RawValue } from './table.js';
import { Utf8Scanner } from './utf8-scan.js';

/** Delimiters other than the comma that files are often saved with, by how they are named in a hint. */
const OTHER_DELIMITERS: readonly [string, string][] = [
  [';', '";"'],
  ['\t', 'tabs'],
  ['|', '"|"'],
];
const REPLACEMENT = '\uFFFD';
const ENCODING_ISSUES_KEPT = 5;

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
  // The line the last complete record ended on, seen as the parser produces it (the loop below may lag behind).
  let lastCompleteLine = 0;
  const parser = parse({
    on_record: (record: string[], context: { lines: number }) => {
      lastCompleteLine = context.lines;
      return record;
    },
    trim: true,
    skip_empty_lines: true,
    relax_column_count: false,
    info: true,
    bom: true,
  });
  const scanner = new Utf8Scanner();
  if (typeof input === 'string' || input instanceof Uint8Array) {
    if (input instanceof Uint8Array) scanner.push(input);
    parser.end(input);
  } else {
    input.on('data', (chunk: Buffer) => scanner.push(chunk));
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
    // The record that never ended begins on the line after the last complete one.
    throw toDataError(error, options.source, lastCompleteLine + 1);
  }
  scanner.finish();
  if (columns === undefined) {
    throw new DataValidationError(`${options.source} is empty: expected a header row and data rows`);
  }
  if (rows.length === 0) {
    throw new DataValidationError(`${options.source} has a header but no data rows`);
  }
  const encoding = scanner.invalidSequences === 0 ? undefined : encodingReport(columns, rows, origins, scanner);
  return { columns, rows, origins, ...(encoding ? { encoding } : {}) };
}

/** Names the fields of the lines the scanner found invalid bytes on: where, which column, and the value as decoded. */
function encodingReport(
  columns: readonly string[],
  rows: readonly RawValue[][],
  origins: readonly string[],
  scanner: Utf8Scanner,
) {
  const issues: EncodingIssue[] = [];
  let affected = 0;
  rows.forEach((row, r) => {
    const index = row.findIndex((field) => field !== null && field.includes(REPLACEMENT));
    if (index === -1) return;
    affected += 1;
    if (issues.length < ENCODING_ISSUES_KEPT)
      issues.push({ at: origins[r] as string, column: columns[index] as string, value: row[index] as string });
  });
  // Invalid bytes only in the header still make the file suspect: report the header's column.
  if (affected === 0) {
    const name = columns.find((c) => c.includes(REPLACEMENT)) ?? columns[0] ?? '';
    return {
      rows: 1,
      issues: [
        { at: `${origins[0]?.replace(/:\d+$/, '') ?? 'the file'}:${scanner.lines[0] ?? 1}`, column: name, value: name },
      ],
    };
  }
  return { rows: affected, issues };
}

function checkHeader(header: string[], source: string): string[] {
  if (header.length === 1) {
    const [only] = header as [string];
    for (const [delimiter, name] of OTHER_DELIMITERS) {
      const parts = only.split(delimiter);
      if (parts.length > 1) {
        throw new DataValidationError(
          `${source}:1: the header is one column ("${only.slice(0, 80)}"), and looks delimited by ${name} (${parts.length} columns): save the file as comma-separated CSV and upload it again`,
        );
      }
    }
  }
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

function toDataError(error: unknown, source: string, recordStart: number): Error {
  if (error instanceof CsvError) {
    const line = typeof error.lines === 'number' ? error.lines : undefined;
    const where = line === undefined ? source : `${source}:${line}`;
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        // csv-parse reports the end of the file; the quote opened in the record that never ended.
        return new DataValidationError(
          `${source}:${recordStart}: a quoted field opened in the row starting here is never closed (unbalanced quote); everything after it up to line ${line ?? '?'} was read as part of that field`,
        );
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
  const rows: RawValue[][] = first.rows.slice();
  const origins = first.origins.slice();
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
  const reports = tables.flatMap((t) => (t.encoding ? [t.encoding] : []));
  const encoding =
    reports.length === 0
      ? undefined
      : {
          rows: reports.reduce((n, r) => n + r.rows, 0),
          issues: reports.flatMap((r) => r.issues).slice(0, ENCODING_ISSUES_KEPT),
        };
  return { columns: first.columns, rows, origins, ...(encoding ? { encoding } : {}) };
}

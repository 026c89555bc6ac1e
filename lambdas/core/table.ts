/** A raw value as read from CSV: the trimmed text, or null when it was one of the missing-value tokens. */
export type RawValue = string | null;

/** Rows as read from one or more CSV sources, before typing. */
export interface RawTable {
  readonly columns: readonly string[];
  readonly rows: RawValue[][];
  /** For each row, "source:line" so errors can point at the exact place in the uploaded file. */
  readonly origins: string[];
  /** Fields holding bytes that are not UTF-8 (decoded as U+FFFD): the first few, and how many rows in all. */
  readonly encoding?: EncodingReport;
}

export interface EncodingIssue {
  readonly at: string;
  readonly column: string;
  readonly value: string;
}

export interface EncodingReport {
  readonly rows: number;
  readonly issues: EncodingIssue[];
}

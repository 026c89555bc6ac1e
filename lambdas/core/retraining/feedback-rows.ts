import type { CapturedPrediction } from '../monitoring/window-records.js';

/**
 * The captured requests that have ground truth, as CSV rows in the columns of the model's uploads, for a retraining on
 * `latest+feedback`: each row is the instance as it was served with its truth in the label column. A column the
 * capture does not hold (a field redacted before capture) is left empty — a missing value, as ETL counts it.
 */

/** A CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled), as RFC 4180 writes it. */
function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The CSV of the labelled predictions (header first), or null when none of them has ground truth. `header` is the
 * newest upload's header line's columns; `label` names the label column.
 */
export function labelledRowsCsv(
  header: readonly string[],
  label: string,
  predictions: readonly CapturedPrediction[],
  truths: ReadonlyMap<string, unknown>,
): { csv: string; rows: number } | null {
  const lines: string[] = [];
  for (const prediction of predictions) {
    const truth = truths.get(prediction.predictionId);
    if (truth === undefined || truth === null) continue;
    lines.push(header.map((column) => field(column === label ? truth : prediction.instance[column])).join(','));
  }
  if (lines.length === 0) return null;
  return { csv: `${header.map(field).join(',')}\n${lines.join('\n')}\n`, rows: lines.length };
}

import type { Anomaly, AnomalyKind } from './data-schema.js';
import { DataValidationError } from './errors.js';

/** What a run says of its anomalies: the summary it records, and the failure that names the blocking ones. */

/** How many anomalies a run item and a failure's reason name; the full list is stored beside the run. */
export const ANOMALIES_NAMED = 10;

/** What a run records of its anomalies: the counts (all, blocking, by kind) and the first ones, blocking first. */
export interface AnomalySummary {
  readonly total: number;
  readonly blocking: number;
  readonly byKind: Partial<Record<AnomalyKind, number>>;
  readonly first: Anomaly[];
}

export function summarizeAnomalies(anomalies: readonly Anomaly[]): AnomalySummary {
  const byKind: Partial<Record<AnomalyKind, number>> = {};
  for (const a of anomalies) byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
  const ordered = [
    ...anomalies.filter((a) => a.severity === 'blocking'),
    ...anomalies.filter((a) => a.severity !== 'blocking'),
  ];
  return {
    total: anomalies.length,
    blocking: anomalies.filter((a) => a.severity === 'blocking').length,
    byKind,
    first: ordered.slice(0, ANOMALIES_NAMED),
  };
}

/**
 * Stops the run before training when any anomaly is blocking, naming the first ANOMALIES_NAMED of them and where the
 * full list is (a file with thousands of new columns must not make a reason too large to record).
 */
export function assertNoBlockingAnomalies(
  anomalies: readonly Anomaly[],
  source: string,
  schemaVersion: number | undefined,
  fullList?: string,
): void {
  const blocking = anomalies.filter((a) => a.severity === 'blocking');
  if (blocking.length > 0) {
    const against =
      blocking.some((a) => a.kind !== 'invalid_encoding') && schemaVersion !== undefined
        ? ` does not match the data schema v${schemaVersion}`
        : ' cannot be used';
    const named = blocking
      .slice(0, ANOMALIES_NAMED)
      .map((a) => `${a.kind}: ${a.description}`)
      .join('; ');
    const more =
      blocking.length > ANOMALIES_NAMED
        ? `; and ${blocking.length - ANOMALIES_NAMED} more blocking anomalies${fullList ? ` (all ${anomalies.length} in ${fullList})` : ''}`
        : '';
    throw new DataValidationError(`${source}${against}: ${named}${more}`);
  }
}

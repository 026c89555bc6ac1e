/**
 * How CloudWatch decides a metric alarm's state from its data points, as documented in "Evaluating an alarm" and
 * "Configuring how CloudWatch alarms treat missing data" (CloudWatch User Guide):
 *
 * - the alarm looks at an evaluation range of more periods than its EvaluationPeriods (N), in case the newest are
 *   missing; the documented example uses 5 for N = 3;
 * - when every point of the range is missing, TreatMissingData decides: `missing` → INSUFFICIENT_DATA, `ignore` →
 *   the current state, `breaching` → ALARM, `notBreaching` → OK;
 * - otherwise the N most recent points that exist are taken, and when fewer than N exist, `breaching` and
 *   `notBreaching` fill the gap; the alarm is in ALARM when at least DatapointsToAlarm (M) of them breach (M of N, not
 *   necessarily consecutive), else OK;
 * - to avoid a premature transition while data is only starting to arrive, with `missing` an alarm goes to ALARM when
 *   the range holds nothing older than M periods, the point M periods old breaches and every newer point breaches or
 *   is missing, even with fewer than M points (with `ignore` it keeps its state).
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';
export const COMPARISON_OPERATORS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export interface AlarmCondition {
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  /** N. */
  readonly evaluationPeriods: number;
  /** M. @default N */
  readonly datapointsToAlarm?: number;
  /** @default 'missing' */
  readonly treatMissingData?: TreatMissingData;
}

export interface Evaluation {
  readonly state: AlarmState;
  /** Why, in CloudWatch's words where it has them. */
  readonly reason: string;
}

/** The number of periods an alarm of N evaluation periods looks at (N = 3 → 5, as in the documented example). */
export function evaluationRange(evaluationPeriods: number): number {
  return evaluationPeriods + Math.max(Math.floor(evaluationPeriods / 3), 2);
}

export function breaches(value: number, condition: Pick<AlarmCondition, 'threshold' | 'comparisonOperator'>): boolean {
  const { threshold } = condition;
  switch (condition.comparisonOperator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

/**
 * The state the alarm should be in, given the values of its evaluation range (oldest first; null for a period with no
 * data point) and the state it is in.
 */
export function evaluateAlarm(
  condition: AlarmCondition,
  range: readonly (number | null)[],
  current: AlarmState,
): Evaluation {
  const n = condition.evaluationPeriods;
  const m = condition.datapointsToAlarm ?? n;
  const treat = condition.treatMissingData ?? 'missing';
  const present = range.filter((v): v is number => v !== null);
  if (present.length === 0) {
    const treated = `no datapoints were received for ${range.length} periods and ${range.length} missing datapoints were treated as [${treat}]`;
    switch (treat) {
      case 'missing':
        return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${treated}.` };
      case 'ignore':
        return { state: current, reason: `Unchanged: ${treated}.` };
      case 'breaching':
        return { state: 'ALARM', reason: `Threshold Crossed: ${treated}.` };
      case 'notBreaching':
        return { state: 'OK', reason: `Threshold Crossed: ${treated}.` };
    }
  }
  if ((treat === 'missing' || treat === 'ignore') && prematureAlarm(condition, range, m)) {
    return treat === 'missing'
      ? {
          state: 'ALARM',
          reason: `Threshold Crossed: the first datapoint, ${m} periods old, and every newer one breach or are missing (no older data yet).`,
        }
      : { state: current, reason: 'Unchanged: missing datapoints are ignored.' };
  }
  const newest = present.slice(-n).map((v) => breaches(v, condition));
  const filled = treat === 'breaching' || treat === 'notBreaching' ? n - newest.length : 0;
  const breaching = newest.filter(Boolean).length + (treat === 'breaching' ? filled : 0);
  const state: AlarmState = breaching >= m ? 'ALARM' : 'OK';
  const fill = filled > 0 ? ` (${filled} missing datapoint${filled === 1 ? '' : 's'} treated as [${treat}])` : '';
  const verdict = `${breaching} out of the last ${newest.length + filled} datapoints ${breaching === 1 ? 'was' : 'were'} ${comparisonWords(condition)}${fill}`;
  return { state, reason: `Threshold Crossed: ${verdict}.` };
}

/**
 * The documented guard against a premature OK while data is only starting to arrive: nothing in the range is older
 * than M periods, the point M periods old breaches, and every newer point breaches or is missing.
 */
function prematureAlarm(condition: AlarmCondition, range: readonly (number | null)[], m: number): boolean {
  if (m < 2 || range.length < m) return false;
  const start = range.length - m;
  if (range.slice(0, start).some((v) => v !== null)) return false;
  const oldest = range[start] ?? null;
  if (oldest === null || !breaches(oldest, condition)) return false;
  return range.slice(start + 1).every((v) => v === null || breaches(v, condition));
}

function comparisonWords(condition: AlarmCondition): string {
  const words: Record<ComparisonOperator, string> = {
    GreaterThanOrEqualToThreshold: 'greater than or equal to',
    GreaterThanThreshold: 'greater than',
    LessThanThreshold: 'less than',
    LessThanOrEqualToThreshold: 'less than or equal to',
  };
  return `${words[condition.comparisonOperator]} the threshold (${condition.threshold})`;
}

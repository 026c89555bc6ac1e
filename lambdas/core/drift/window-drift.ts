import { chiSquareTest } from '../stats/distances.js';
import { ksStatisticSorted } from '../stats/ks.js';
import { kolmogorovSf } from '../stats/special.js';
import { tieFactorAt, type DriftNull } from './drift-null.js';
import type { CategoricalProfile, DatasetProfile, NumericProfile } from './profile.js';

/**
 * Drift of one monitoring window of served inputs against the training profile, with a false-alarm rate that holds
 * at every window size: each feature gets a p-value from its statistic's null at the window's size (numeric: KS with
 * the bootstrapped tie factor, drift-null.ts; categorical: Pearson's chi-square with rare categories pooled, whose
 * null is chi-square at any size once every expected count is at least 5 — Cochran's rule), and the window is
 * flagged when any feature's p-value is below the window's false-alarm rate divided by the number of features
 * (Bonferroni: at most that share of windows without drift flagged, however many features). Below `minRows` there is
 * no verdict, only "insufficient data".
 */

export const DEFAULT_MIN_ROWS = 100;
export const DEFAULT_FALSE_ALARM_RATE = 0.01;
/** Cochran's rule: categories expected fewer times than this in the window are pooled. */
const MIN_EXPECTED = 5;
export const RARE_CATEGORIES = '(rare or new)';

export interface FeatureWindowDrift {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical';
  readonly test: 'ks' | 'chi_square';
  readonly statistic: number;
  readonly pValue: number;
  readonly drifted: boolean;
  /** Categorical: window rows whose category the reference never saw. */
  readonly newCategoryRows?: number;
}

export type WindowDrift =
  | { readonly verdict: 'insufficient_data'; readonly rows: number; readonly minRows: number; readonly reason: string }
  | {
      readonly verdict: 'ok' | 'drift';
      readonly rows: number;
      readonly falseAlarmRate: number;
      /** The p-value a feature must fall below: the false-alarm rate over the features tested. */
      readonly featureLevel: number;
      readonly features: FeatureWindowDrift[];
      readonly driftedFeatures: string[];
      readonly driftedShare: number;
    };

function numericTest(name: string, ref: NumericProfile, cur: NumericProfile, null_: DriftNull) {
  const x = Float64Array.from(ref.sample, ([, v]) => v).sort();
  const y = Float64Array.from(cur.sample, ([, v]) => v).sort();
  const statistic = ksStatisticSorted(x, y);
  const shape = null_.numeric[name];
  const factor = shape === undefined ? 1 : tieFactorAt(shape, y.length);
  const scaled = Math.sqrt((x.length * y.length) / (x.length + y.length)) * statistic;
  // A reference with one value has no spread to be tied in: any other value is drift.
  const pValue = factor > 0 ? kolmogorovSf(scaled / factor) : statistic > 0 ? 0 : 1;
  return { feature: name, kind: 'numeric' as const, test: 'ks' as const, statistic, pValue };
}

function categoricalTest(name: string, ref: CategoricalProfile, cur: CategoricalProfile) {
  const referenceTotal = Object.values(ref.counts).reduce((s, c) => s + c, 0);
  const windowTotal = Object.values(cur.counts).reduce((s, c) => s + c, 0);
  const kept = Object.keys(ref.counts).filter(
    (c) =>
      (ref.counts[c] as number) >= MIN_EXPECTED &&
      ((ref.counts[c] as number) / referenceTotal) * windowTotal >= MIN_EXPECTED,
  );
  const keptSet = new Set(kept);
  const pooled = (counts: Record<string, number>) =>
    Object.entries(counts).reduce((s, [c, n]) => (keptSet.has(c) ? s : s + n), 0);
  const referenceCounts = [...kept.map((c) => ref.counts[c] as number), pooled(ref.counts)];
  const windowCounts = [...kept.map((c) => cur.counts[c] ?? 0), pooled(cur.counts)];
  const { statistic, pValue } = chiSquareTest(referenceCounts, windowCounts);
  const newCategoryRows = Object.entries(cur.counts).reduce((s, [c, n]) => (c in ref.counts ? s : s + n), 0);
  return {
    feature: name,
    kind: 'categorical' as const,
    test: 'chi_square' as const,
    statistic,
    pValue,
    newCategoryRows,
  };
}

/** The drift of a window's profile against the reference profile and its bootstrapped null. */
export function windowDrift(
  reference: DatasetProfile,
  null_: DriftNull,
  window: DatasetProfile,
  options: { readonly minRows?: number; readonly falseAlarmRate?: number } = {},
): WindowDrift {
  const minRows = options.minRows ?? DEFAULT_MIN_ROWS;
  const falseAlarmRate = options.falseAlarmRate ?? DEFAULT_FALSE_ALARM_RATE;
  if (window.rows < minRows)
    return {
      verdict: 'insufficient_data',
      rows: window.rows,
      minRows,
      reason: `${window.rows} rows in the window; drift is judged from ${minRows}`,
    };
  const tested = [];
  for (const [name, ref] of Object.entries(reference.features)) {
    const cur = window.features[name];
    if (cur === undefined || ref.count === 0 || cur.count === 0) continue;
    if (ref.kind === 'numeric' && cur.kind === 'numeric') tested.push(numericTest(name, ref, cur, null_));
    else if (ref.kind === 'categorical' && cur.kind === 'categorical') tested.push(categoricalTest(name, ref, cur));
  }
  const featureLevel = tested.length === 0 ? falseAlarmRate : falseAlarmRate / tested.length;
  const features = tested.map((t) => ({ ...t, drifted: t.pValue < featureLevel }));
  const driftedFeatures = features.filter((f) => f.drifted).map((f) => f.feature);
  return {
    verdict: driftedFeatures.length > 0 ? 'drift' : 'ok',
    rows: window.rows,
    falseAlarmRate,
    featureLevel,
    features,
    driftedFeatures,
    driftedShare: features.length === 0 ? 0 : driftedFeatures.length / features.length,
  };
}

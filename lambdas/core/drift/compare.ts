import { quantile } from '../curves.js';
import { chiSquareTest, jensenShannon, lInfinity, psi, wasserstein1 } from '../stats/distances.js';
import { ksTwoSample } from '../stats/ks.js';
import { meanAndStd, type CategoricalProfile, type DatasetProfile, type NumericProfile } from './profile.js';

/** Thresholds of the drift tests; every one can be set per model and per feature. */
export interface DriftThresholds {
  readonly psiWarn: number;
  readonly psiAlarm: number;
  /** KS and chi-square: drift when p < this. */
  readonly pValue: number;
  /** Jensen–Shannon distance: drift when ≥ this. */
  readonly jensenShannon: number;
  /** Wasserstein distance divided by the reference standard deviation: drift when ≥ this. */
  readonly wasserstein: number;
  /** Reported for categorical features (the largest change of a category's share). */
  readonly lInfinity: number;
  /** Up to this many reference rows, statistical tests (KS, chi-square); above, distances (Wasserstein, JS). */
  readonly smallSampleRows: number;
  /** The data set drifts when at least this share of its features drift. */
  readonly driftShare: number;
}

export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = {
  psiWarn: 0.1,
  psiAlarm: 0.25,
  pValue: 0.05,
  jensenShannon: 0.1,
  wasserstein: 0.1,
  lInfinity: 0.01,
  smallSampleRows: 1000,
  driftShare: 0.5,
};

export type DriftTest = 'ks' | 'chi_square' | 'wasserstein_normed' | 'jensen_shannon';

export interface FeatureDrift {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical';
  /** The deciding test, chosen by data size and type. */
  readonly test: DriftTest;
  readonly statistic: number;
  readonly pValue: number | null;
  readonly threshold: number;
  readonly drifted: boolean;
  readonly psi: number;
  readonly psiLevel: 'ok' | 'warn' | 'alarm';
  readonly lInfinity: number | null;
  /** Categorical: the largest change of one category's share is above the L-infinity threshold (TFDV's check). */
  readonly lInfinityExceeded: boolean;
  /** Reference and current histograms on the same bins, for the report. */
  readonly histogram: { readonly bins: string[]; readonly reference: number[]; readonly current: number[] };
}

export interface DriftReport {
  readonly features: FeatureDrift[];
  readonly driftedFeatures: string[];
  readonly driftedShare: number;
  readonly datasetDrift: boolean;
  readonly thresholds: DriftThresholds;
}

const PSI_BINS = 10;

function numericDrift(
  name: string,
  ref: NumericProfile,
  cur: NumericProfile,
  t: DriftThresholds,
  referenceRows: number,
): FeatureDrift {
  const refValues = ref.sample.map(([, v]) => v);
  const curValues = cur.sample.map(([, v]) => v);
  const sorted = Float64Array.from(refValues).sort();
  const edges = [...new Set(Array.from({ length: PSI_BINS - 1 }, (_, i) => quantile(sorted, (i + 1) / PSI_BINS)))];
  const binOf = (v: number) => {
    let b = 0;
    while (b < edges.length && v > (edges[b] as number)) b++;
    return b;
  };
  const refCounts = new Array<number>(edges.length + 1).fill(0);
  const curCounts = new Array<number>(edges.length + 1).fill(0);
  refValues.forEach((v) => (refCounts[binOf(v)] = (refCounts[binOf(v)] as number) + 1));
  curValues.forEach((v) => (curCounts[binOf(v)] = (curCounts[binOf(v)] as number) + 1));
  const psiValue = psi(refCounts, curCounts);
  const bins = refCounts.map(
    (_, b) =>
      `${b === 0 ? '-∞' : (edges[b - 1] as number).toPrecision(4)} … ${b === edges.length ? '∞' : (edges[b] as number).toPrecision(4)}`,
  );
  const common = {
    feature: name,
    kind: 'numeric' as const,
    psi: psiValue,
    psiLevel: psiLevelOf(psiValue, t),
    lInfinity: null,
    lInfinityExceeded: false,
    histogram: { bins, reference: refCounts, current: curCounts },
  };
  if (referenceRows <= t.smallSampleRows) {
    const ks = ksTwoSample(refValues, curValues);
    return {
      ...common,
      test: 'ks',
      statistic: ks.statistic,
      pValue: ks.pValue,
      threshold: t.pValue,
      drifted: ks.pValue < t.pValue,
    };
  }
  const { std } = meanAndStd(ref);
  const distance = wasserstein1(refValues, curValues);
  const normed = std > 0 ? distance / std : distance;
  return {
    ...common,
    test: 'wasserstein_normed',
    statistic: normed,
    pValue: null,
    threshold: t.wasserstein,
    drifted: normed >= t.wasserstein,
  };
}

function categoricalDrift(
  name: string,
  ref: CategoricalProfile,
  cur: CategoricalProfile,
  t: DriftThresholds,
  referenceRows: number,
): FeatureDrift {
  const categories = [...new Set([...Object.keys(ref.counts), ...Object.keys(cur.counts)])].sort();
  const refCounts = categories.map((c) => ref.counts[c] ?? 0);
  const curCounts = categories.map((c) => cur.counts[c] ?? 0);
  const psiValue = psi(refCounts, curCounts);
  const lInf = lInfinity(refCounts, curCounts);
  const common = {
    feature: name,
    kind: 'categorical' as const,
    psi: psiValue,
    psiLevel: psiLevelOf(psiValue, t),
    lInfinity: lInf,
    lInfinityExceeded: lInf > t.lInfinity,
    histogram: { bins: categories, reference: refCounts, current: curCounts },
  };
  if (referenceRows <= t.smallSampleRows) {
    const chi = chiSquareTest(refCounts, curCounts);
    return {
      ...common,
      test: 'chi_square',
      statistic: chi.statistic,
      pValue: chi.pValue,
      threshold: t.pValue,
      drifted: chi.pValue < t.pValue,
    };
  }
  const js = jensenShannon(refCounts, curCounts);
  return {
    ...common,
    test: 'jensen_shannon',
    statistic: js,
    pValue: null,
    threshold: t.jensenShannon,
    drifted: js >= t.jensenShannon,
  };
}

function psiLevelOf(value: number, t: DriftThresholds): 'ok' | 'warn' | 'alarm' {
  return value >= t.psiAlarm ? 'alarm' : value >= t.psiWarn ? 'warn' : 'ok';
}

/**
 * Compares a current profile with a reference one, feature by feature, with the test suited to the data size and
 * type (as Evidently chooses): KS or chi-square up to `smallSampleRows` reference rows, normalized Wasserstein or
 * Jensen–Shannon above. PSI is reported for every feature. Features without values on either side are skipped.
 */
export function compareProfiles(
  reference: DatasetProfile,
  current: DatasetProfile,
  thresholds: Partial<DriftThresholds> = {},
  perFeature: Record<string, Partial<DriftThresholds>> = {},
): DriftReport {
  const base = { ...DEFAULT_DRIFT_THRESHOLDS, ...thresholds };
  const features: FeatureDrift[] = [];
  for (const [name, ref] of Object.entries(reference.features)) {
    const cur = current.features[name];
    if (cur === undefined || ref.count === 0 || cur.count === 0) continue;
    const t = { ...base, ...perFeature[name] };
    if (ref.kind === 'numeric' && cur.kind === 'numeric')
      features.push(numericDrift(name, ref, cur, t, reference.rows));
    else if (ref.kind === 'categorical' && cur.kind === 'categorical')
      features.push(categoricalDrift(name, ref, cur, t, reference.rows));
  }
  const driftedFeatures = features.filter((f) => f.drifted).map((f) => f.feature);
  const driftedShare = features.length === 0 ? 0 : driftedFeatures.length / features.length;
  return { features, driftedFeatures, driftedShare, datasetDrift: driftedShare >= base.driftShare, thresholds: base };
}

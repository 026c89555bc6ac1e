import { kolmogorovSf } from './special.js';

export interface KsResult {
  /** sup |F_a − F_b| of the two empirical distribution functions. */
  readonly statistic: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  /** `exact` for samples small enough to count lattice paths, else the limiting Kolmogorov distribution. */
  readonly method: 'exact' | 'asymptotic';
}

/** Above this many lattice cells (m·n) the exact p-value costs too much; the asymptotic one is accurate there. */
const EXACT_LIMIT = 25_000_000;

/**
 * Two-sample Kolmogorov–Smirnov test. The statistic is kept as the integer max |i·n − j·m| over the merged sample,
 * so the exact p-value compares lattice points with integers instead of rounded fractions.
 */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) throw new Error('the KS test needs two non-empty samples');
  const dNumerator = ksNumerator(Float64Array.from(a).sort(), Float64Array.from(b).sort());
  const statistic = dNumerator / (m * n);
  if (m * n <= EXACT_LIMIT) return { statistic, pValue: exactPValue(m, n, dNumerator), method: 'exact' };
  const en = (m * n) / (m + n);
  return { statistic, pValue: kolmogorovSf(Math.sqrt(en) * statistic), method: 'asymptotic' };
}

/** The KS statistic sup |F_x − F_y| of two samples already sorted ascending (no p-value: what a bootstrap repeats). */
export function ksStatisticSorted(x: Float64Array, y: Float64Array): number {
  return ksNumerator(x, y) / (x.length * y.length);
}

/** max |i·n − j·m| over the merged sorted samples: the statistic times m·n, kept an integer. */
function ksNumerator(x: Float64Array, y: Float64Array): number {
  const m = x.length;
  const n = y.length;
  let i = 0;
  let j = 0;
  let dNumerator = 0;
  while (i < m && j < n) {
    const value = Math.min(x[i] as number, y[j] as number);
    while (i < m && x[i] === value) i++;
    while (j < n && y[j] === value) j++;
    dNumerator = Math.max(dNumerator, Math.abs(i * n - j * m));
  }
  return dNumerator;
}

/**
 * P(D ≥ d) under the null: one minus the share of monotone lattice paths from (0,0) to (m,n) that stay strictly
 * inside |i·n − j·m| < dNumerator. The share is propagated directly (q(i,j) = q(i−1,j)·i/(i+j) + q(i,j−1)·j/(i+j)),
 * which never overflows, unlike counting paths.
 */
function exactPValue(m: number, n: number, dNumerator: number): number {
  if (dNumerator === 0) return 1;
  const q = new Float64Array(n + 1);
  q[0] = 1;
  for (let j = 1; j <= n; j++) q[j] = Math.abs(j * m) < dNumerator ? (q[j - 1] as number) : 0;
  for (let i = 1; i <= m; i++) {
    q[0] = Math.abs(i * n) < dNumerator ? (q[0] as number) : 0;
    for (let j = 1; j <= n; j++) {
      q[j] = Math.abs(i * n - j * m) < dNumerator ? ((q[j] as number) * i + (q[j - 1] as number) * j) / (i + j) : 0;
    }
  }
  return Math.min(1, Math.max(0, 1 - (q[n] as number)));
}

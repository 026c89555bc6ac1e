import { chiSquareSf } from './special.js';

/**
 * Distribution distances and tests used for skew and drift. Numeric features compare samples; categorical ones
 * compare counts per category.
 */

/** First Wasserstein (earth mover's) distance between two empirical distributions (as scipy.stats.wasserstein_distance). */
export function wasserstein1(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) throw new Error('the Wasserstein distance needs two non-empty samples');
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const all = Float64Array.from([...x, ...y]).sort();
  let i = 0;
  let j = 0;
  let total = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const value = all[k] as number;
    while (i < x.length && (x[i] as number) <= value) i++;
    while (j < y.length && (y[j] as number) <= value) j++;
    total += Math.abs(i / x.length - j / y.length) * ((all[k + 1] as number) - value);
  }
  return total;
}

function proportions(counts: readonly number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  if (total <= 0) throw new Error('counts must not all be zero');
  return counts.map((c) => c / total);
}

/** Share used instead of zero in PSI, so a bin empty on one side gives a large but finite contribution. */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index over aligned bins: Σ (q − p) · ln(q / p), with p the reference and q the current
 * shares, each floored at PSI_EPSILON.
 */
export function psi(referenceCounts: readonly number[], currentCounts: readonly number[]): number {
  const p = proportions(referenceCounts).map((v) => Math.max(v, PSI_EPSILON));
  const q = proportions(currentCounts).map((v) => Math.max(v, PSI_EPSILON));
  return p.reduce((sum, pi, i) => sum + ((q[i] as number) - pi) * Math.log((q[i] as number) / pi), 0);
}

/** Jensen–Shannon distance (square root of the divergence, base 2, in [0, 1]), as scipy.spatial.distance.jensenshannon(base=2). */
export function jensenShannon(referenceCounts: readonly number[], currentCounts: readonly number[]): number {
  const p = proportions(referenceCounts);
  const q = proportions(currentCounts);
  let divergence = 0;
  p.forEach((pi, i) => {
    const qi = q[i] as number;
    const mi = (pi + qi) / 2;
    if (pi > 0) divergence += 0.5 * pi * Math.log2(pi / mi);
    if (qi > 0) divergence += 0.5 * qi * Math.log2(qi / mi);
  });
  return Math.sqrt(Math.max(0, divergence));
}

/** L-infinity distance between the category shares (the largest change of any one category's share), as TFDV uses. */
export function lInfinity(referenceCounts: readonly number[], currentCounts: readonly number[]): number {
  const p = proportions(referenceCounts);
  const q = proportions(currentCounts);
  return p.reduce((max, pi, i) => Math.max(max, Math.abs(pi - (q[i] as number))), 0);
}

export interface ChiSquareResult {
  readonly statistic: number;
  readonly dof: number;
  readonly pValue: number;
}

/**
 * Pearson's chi-square test of homogeneity on the 2×K table of reference and current counts (no continuity
 * correction; categories absent from both are dropped), as scipy.stats.chi2_contingency(correction=False).
 */
export function chiSquareTest(referenceCounts: readonly number[], currentCounts: readonly number[]): ChiSquareResult {
  const columns = referenceCounts.map((r, i) => [r, currentCounts[i] ?? 0] as const).filter(([r, c]) => r + c > 0);
  const rowTotals = [columns.reduce((s, [r]) => s + r, 0), columns.reduce((s, [, c]) => s + c, 0)];
  const total = (rowTotals[0] as number) + (rowTotals[1] as number);
  if (columns.length < 2 || rowTotals.some((t) => t === 0)) return { statistic: 0, dof: 0, pValue: 1 };
  let statistic = 0;
  for (const [r, c] of columns) {
    const columnTotal = r + c;
    [r, c].forEach((observed, row) => {
      const expected = ((rowTotals[row] as number) * columnTotal) / total;
      statistic += (observed - expected) ** 2 / expected;
    });
  }
  const dof = columns.length - 1;
  return { statistic, dof, pValue: chiSquareSf(statistic, dof) };
}

import { quantile } from '../curves.js';
import { seededRandom } from '../random.js';
import { multinomial } from '../stats/sampling.js';
import { kolmogorovIsf } from '../stats/special.js';
import type { DatasetProfile } from './profile.js';

/**
 * What a numeric feature's KS statistic looks like when nothing has drifted, bootstrapped from the reference profile
 * at training time and stored with it. Kolmogorov's limiting distribution is exact only for continuous values on
 * large samples; real features have ties (ages in whole years, a capital gain that is zero for nine rows in ten), and
 * ties make the statistic smaller, so a test that ignores them misses drift it could see. The bootstrap draws, at
 * several window sizes, a window and a reference from the reference's own values — two samples of one distribution
 * — and measures how much smaller their scaled statistic √(nm/(n+m))·D runs than Kolmogorov's at its 99th
 * percentile: the tie factor. A window's p-value is then Kolmogorov's tail at the statistic divided by that factor,
 * so the threshold follows the window's size and the feature's own discreteness.
 */

/** Window sizes the factor is measured at (a window's numeric profile keeps at most SAMPLE_SIZE values). */
export const NULL_WINDOW_SIZES = [100, 300, 1000, 2000] as const;
export const NULL_DRAWS = 1000;
/**
 * The percentile the factor is measured at: as far into the tail as 1,000 draws resolve (ten beyond it). At the 90th,
 * the heavily tied features (a capital loss that is zero in 95 rows of 100) false-alarmed at 3.5 times the nominal
 * rate on windows of 100 rows (bench/drift-windows.ts): their tail is thinner than their body.
 */
export const NULL_QUANTILE = 0.99;

export interface NumericNull {
  /** Values in the reference sample (m). */
  readonly referenceValues: number;
  readonly sizes: number[];
  /** Bootstrapped 99th percentile of √(nm/(n+m))·D over Kolmogorov's, per size: 1 for continuous values, below with ties. */
  readonly tieFactors: number[];
}

export interface DriftNull {
  readonly draws: number;
  readonly seed: number;
  readonly quantile: number;
  readonly numeric: Record<string, NumericNull>;
}

/** Beyond this many distinct values in the reference sample a feature is treated as continuous (factor 1). */
export const MAX_TIED_VALUES = 200;

/** The distinct values of a sorted sample and the share of the sample at each. */
function distinctShares(sorted: Float64Array): Float64Array {
  const shares: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) shares[shares.length - 1] = (shares[shares.length - 1] as number) + 1;
    else shares.push(1);
  }
  return Float64Array.from(shares, (count) => count / sorted.length);
}

/** sup |F_a − F_b| of two draws counted over the same distinct values. */
function ksOfCounts(a: Uint32Array, aSize: number, b: Uint32Array, bSize: number): number {
  let ca = 0;
  let cb = 0;
  let d = 0;
  for (let k = 0; k < a.length; k++) {
    ca += a[k] as number;
    cb += b[k] as number;
    d = Math.max(d, Math.abs(ca / aSize - cb / bSize));
  }
  return d;
}

/**
 * The tie factor at one window size: a window of `size` and a reference of m values drawn (multinomially, over the
 * distinct values) from the reference sample, `draws` times.
 */
function tieFactor(shares: Float64Array, m: number, size: number, draws: number, random: () => number): number {
  const scale = Math.sqrt((size * m) / (size + m));
  const window = new Uint32Array(shares.length);
  const reference = new Uint32Array(shares.length);
  const scaled = new Float64Array(draws);
  for (let d = 0; d < draws; d++) {
    multinomial(window, size, shares, random);
    multinomial(reference, m, shares, random);
    scaled[d] = scale * ksOfCounts(window, size, reference, m);
  }
  const observed = quantile(scaled.sort(), NULL_QUANTILE);
  return Math.min(1, observed / kolmogorovIsf(1 - NULL_QUANTILE));
}

/**
 * A feature's factors: 0 for a constant (any other value is drift), 1 for one with more than MAX_TIED_VALUES distinct
 * values (its ties barely move the statistic; Kolmogorov's distribution is then slightly conservative), else
 * bootstrapped — O(distinct values) per draw, so a wide upload of tied columns stays cheap.
 */
function factorsOf(sorted: Float64Array, sizes: readonly number[], draws: number, random: () => number): number[] {
  const shares = distinctShares(sorted);
  if (shares.length === 1) return sizes.map(() => 0);
  if (shares.length > MAX_TIED_VALUES) return sizes.map(() => 1);
  return sizes.map((size) => tieFactor(shares, sorted.length, size, draws, random));
}

/** Bootstraps the null of every numeric feature of a reference profile (seeded: the same profile, the same null). */
export function bootstrapDriftNull(reference: DatasetProfile, seed = 0, draws = NULL_DRAWS): DriftNull {
  const random = seededRandom(seed);
  const numeric: Record<string, NumericNull> = {};
  for (const [name, profile] of Object.entries(reference.features)) {
    if (profile.kind !== 'numeric' || profile.sample.length < 2) continue;
    const sorted = Float64Array.from(profile.sample, ([, v]) => v).sort();
    const sizes = [...NULL_WINDOW_SIZES];
    numeric[name] = {
      referenceValues: sorted.length,
      sizes,
      tieFactors: factorsOf(sorted, sizes, draws, random),
    };
  }
  return { draws, seed, quantile: NULL_QUANTILE, numeric };
}

/** The tie factor at a window size, interpolated in log size between the measured ones (clamped at the ends). */
export function tieFactorAt(null_: NumericNull, size: number): number {
  const { sizes, tieFactors } = null_;
  if (size <= (sizes[0] as number)) return tieFactors[0] as number;
  for (let k = 1; k < sizes.length; k++) {
    if (size <= (sizes[k] as number)) {
      const t = Math.log(size / (sizes[k - 1] as number)) / Math.log((sizes[k] as number) / (sizes[k - 1] as number));
      return (tieFactors[k - 1] as number) + t * ((tieFactors[k] as number) - (tieFactors[k - 1] as number));
    }
  }
  return tieFactors[tieFactors.length - 1] as number;
}

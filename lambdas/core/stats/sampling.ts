/**
 * Random variates for bootstraps, from a seeded uniform source: a multinomial draw as conditional binomials, so a
 * draw of n values over k distinct ones costs O(k), not O(n).
 */

/** A standard normal variate (Box–Muller). */
export function standardNormal(random: () => number): number {
  const u = Math.max(Number.MIN_VALUE, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Above this variance a binomial is drawn from its normal approximation (rounded, clamped); below, exactly. */
const NORMAL_FROM_VARIANCE = 25;

/** A Binomial(trials, p) variate: exact inversion for small means, the normal approximation for large variances. */
export function binomial(trials: number, p: number, random: () => number): number {
  if (trials <= 0 || p <= 0) return 0;
  if (p >= 1) return trials;
  if (p > 0.5) return trials - binomial(trials, 1 - p, random);
  const variance = trials * p * (1 - p);
  if (variance > NORMAL_FROM_VARIANCE) {
    const draw = Math.round(trials * p + Math.sqrt(variance) * standardNormal(random));
    return Math.min(trials, Math.max(0, draw));
  }
  // Inversion: walk the probability mass function up from 0 until it covers the uniform draw.
  const u = random();
  let k = 0;
  let mass = (1 - p) ** trials;
  let cumulative = mass;
  while (cumulative < u && k < trials) {
    mass *= ((trials - k) / (k + 1)) * (p / (1 - p));
    k += 1;
    cumulative += mass;
  }
  return k;
}

/** Fills `into` with a Multinomial(trials, probabilities) draw (probabilities summing to one). */
export function multinomial(
  into: Uint32Array,
  trials: number,
  probabilities: ArrayLike<number>,
  random: () => number,
): void {
  let remaining = trials;
  let mass = 1;
  for (let k = 0; k < into.length; k++) {
    const p = probabilities[k] as number;
    const count = k === into.length - 1 ? remaining : binomial(remaining, mass > 0 ? Math.min(1, p / mass) : 0, random);
    into[k] = count;
    remaining -= count;
    mass -= p;
  }
}

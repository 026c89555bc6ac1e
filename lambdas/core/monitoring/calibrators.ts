/**
 * Probability calibration (scikit-learn's `CalibratedClassifierCV`): a map from a model's score for one class to the
 * probability that the class is the true one, fitted on rows the model did not learn from. Monitoring needs it to
 * estimate performance without labels (cbpe.ts): the estimate is only as honest as the probabilities it sums.
 *
 * - Platt scaling: a logistic curve on the score's log-odds, p = 1 / (1 + exp(−(a·logit(s) + b))), fitted by Newton's
 *   method on the cross-entropy against Platt's smoothed targets ((N₊ + 1)/(N₊ + 2) for a positive row, 1/(N₋ + 2)
 *   for a negative one), which keep a separable validation split from pushing the curve to 0 and 1. Two parameters:
 *   stable on a few hundred rows.
 * - Isotonic: the non-decreasing step function closest to the outcomes in least squares (pool-adjacent-violators),
 *   interpolated linearly between the distinct scores and clipped outside them, as scikit-learn's
 *   `IsotonicRegression(out_of_bounds="clip")`. Any monotone shape, but it needs about a thousand rows not to overfit.
 */

export interface PlattCalibrator {
  readonly kind: 'platt';
  readonly a: number;
  readonly b: number;
}

export interface IsotonicCalibrator {
  readonly kind: 'isotonic';
  /** Distinct scores, ascending, and the calibrated probability at each. */
  readonly scores: number[];
  readonly probabilities: number[];
}

export type Calibrator = PlattCalibrator | IsotonicCalibrator;

/** Scores are probabilities; their log-odds are taken after clamping away from 0 and 1. */
const EDGE = 1e-7;
export function logit(score: number): number {
  const s = Math.min(1 - EDGE, Math.max(EDGE, score));
  return Math.log(s / (1 - s));
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Platt's regularized cross-entropy at (a, b), with its gradient and Hessian. */
function plattObjective(z: Float64Array, target: Float64Array, a: number, b: number) {
  let loss = 0;
  let ga = 0;
  let gb = 0;
  let haa = 0;
  let hab = 0;
  let hbb = 0;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i] as number;
    const t = target[i] as number;
    const u = a * zi + b;
    // −[t·log σ(u) + (1 − t)·log(1 − σ(u))] = log(1 + e^u) − t·u, computed without overflow.
    loss += (u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u))) - t * u;
    const p = sigmoid(u);
    const r = p - t;
    const w = p * (1 - p);
    ga += r * zi;
    gb += r;
    haa += w * zi * zi;
    hab += w * zi;
    hbb += w;
  }
  return { loss, ga, gb, haa, hab, hbb };
}

/** Fits Platt scaling to scores (probabilities of the class) and whether each row is of the class. */
export function fitPlatt(scores: ArrayLike<number>, outcomes: ArrayLike<boolean>): PlattCalibrator {
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (outcomes[i]) positives += 1;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (n - positives + 2);
  const z = Float64Array.from({ length: n }, (_, i) => logit(scores[i] as number));
  const target = Float64Array.from({ length: n }, (_, i) => (outcomes[i] ? hi : lo));
  let a = 1;
  let b = 0;
  let current = plattObjective(z, target, a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    // A small ridge keeps the Newton step defined when every score is the same.
    const haa = current.haa + 1e-12;
    const hbb = current.hbb + 1e-12;
    const det = haa * hbb - current.hab * current.hab;
    const da = -(hbb * current.ga - current.hab * current.gb) / det;
    const db = -(haa * current.gb - current.hab * current.ga) / det;
    let step = 1;
    let next = plattObjective(z, target, a + step * da, b + step * db);
    while (next.loss > current.loss + 1e-4 * step * (current.ga * da + current.gb * db) && step > 1e-10) {
      step /= 2;
      next = plattObjective(z, target, a + step * da, b + step * db);
    }
    a += step * da;
    b += step * db;
    const change = current.loss - next.loss;
    current = next;
    if (Math.abs(step * da) < 1e-12 && Math.abs(step * db) < 1e-12) break;
    if (change >= 0 && change < 1e-13 * Math.max(1, current.loss)) break;
  }
  return { kind: 'platt', a, b };
}

/** Fits an isotonic calibration: outcomes averaged over equal scores, then pool-adjacent-violators, weighted. */
export function fitIsotonic(scores: ArrayLike<number>, outcomes: ArrayLike<boolean>): IsotonicCalibrator {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (i, j) => (scores[i] as number) - (scores[j] as number),
  );
  const xs: number[] = [];
  const sums: number[] = [];
  const weights: number[] = [];
  for (const i of order) {
    const x = scores[i] as number;
    const y = outcomes[i] ? 1 : 0;
    if (xs.length > 0 && xs[xs.length - 1] === x) {
      sums[sums.length - 1] = (sums[sums.length - 1] as number) + y;
      weights[weights.length - 1] = (weights[weights.length - 1] as number) + 1;
    } else {
      xs.push(x);
      sums.push(y);
      weights.push(1);
    }
  }
  // Blocks of adjacent distinct scores with their summed outcome and weight; merged while they decrease.
  const blocks: { sum: number; weight: number; size: number }[] = [];
  xs.forEach((_, k) => {
    blocks.push({ sum: sums[k] as number, weight: weights[k] as number, size: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1] as (typeof blocks)[number];
      const before = blocks[blocks.length - 2] as (typeof blocks)[number];
      if (before.sum / before.weight <= last.sum / last.weight) break;
      blocks.splice(blocks.length - 2, 2, {
        sum: before.sum + last.sum,
        weight: before.weight + last.weight,
        size: before.size + last.size,
      });
    }
  });
  const probabilities = blocks.flatMap((block) => new Array<number>(block.size).fill(block.sum / block.weight));
  return { kind: 'isotonic', scores: xs, probabilities };
}

/** The calibrated probability of one score. */
export function calibrate(calibrator: Calibrator, score: number): number {
  if (calibrator.kind === 'platt') return sigmoid(calibrator.a * logit(score) + calibrator.b);
  const { scores: xs, probabilities: ys } = calibrator;
  if (xs.length === 0) return Number.NaN;
  if (score <= (xs[0] as number)) return ys[0] as number;
  if (score >= (xs[xs.length - 1] as number)) return ys[ys.length - 1] as number;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) <= score) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo] as number;
  const x1 = xs[hi] as number;
  const y0 = ys[lo] as number;
  const y1 = ys[hi] as number;
  return y0 + ((score - x0) / (x1 - x0)) * (y1 - y0);
}

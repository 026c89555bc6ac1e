/**
 * CloudWatch statistics over the samples of one period. A sample is a value reported `count` times (EMF arrays and
 * PutMetricData `Values`/`Counts`) or a statistic set (PutMetricData `StatisticValues`), which has no percentiles.
 */
export type Sample =
  | { readonly value: number; readonly count: number }
  | {
      readonly set: {
        readonly sampleCount: number;
        readonly sum: number;
        readonly minimum: number;
        readonly maximum: number;
      };
    };

const PERCENTILE = /^p(\d{1,2}(?:\.\d+)?|100)$/;

/** Whether CloudWatch knows this statistic (Sum, Average, Minimum, Maximum, SampleCount or a percentile pNN). */
export function isStatistic(name: string): boolean {
  return ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'].includes(name) || PERCENTILE.test(name);
}

/**
 * The statistic of a period's samples, or null when the period has none (a missing data point) or the statistic
 * cannot be computed from them (a percentile of statistic sets only).
 */
export function statistic(name: string, samples: readonly Sample[]): number | null {
  if (samples.length === 0) return null;
  let sampleCount = 0;
  let sum = 0;
  let minimum = Infinity;
  let maximum = -Infinity;
  for (const s of samples) {
    if ('set' in s) {
      sampleCount += s.set.sampleCount;
      sum += s.set.sum;
      minimum = Math.min(minimum, s.set.minimum);
      maximum = Math.max(maximum, s.set.maximum);
    } else {
      sampleCount += s.count;
      sum += s.value * s.count;
      minimum = Math.min(minimum, s.value);
      maximum = Math.max(maximum, s.value);
    }
  }
  switch (name) {
    case 'Sum':
      return sum;
    case 'SampleCount':
      return sampleCount;
    case 'Average':
      return sampleCount === 0 ? null : sum / sampleCount;
    case 'Minimum':
      return minimum;
    case 'Maximum':
      return maximum;
    default:
      return percentile(name, samples);
  }
}

/**
 * pNN by the nearest-rank method over the values as reported (each repeated by its count): the smallest value with at
 * least NN% of the samples at or below it. CloudWatch computes percentiles from its own value distribution; on the
 * small sample counts of a local run, nearest rank is exact where CloudWatch's is approximate.
 */
function percentile(name: string, samples: readonly Sample[]): number | null {
  const match = PERCENTILE.exec(name);
  if (match === null) throw new Error(`"${name}" is not a CloudWatch statistic`);
  if (samples.some((s) => 'set' in s)) return null;
  const values = (samples as { value: number; count: number }[]).slice().sort((a, b) => a.value - b.value);
  const total = values.reduce((n, v) => n + v.count, 0);
  const rank = Math.max(1, Math.ceil((Number(match[1]) / 100) * total));
  let seen = 0;
  for (const v of values) {
    seen += v.count;
    if (seen >= rank) return v.value;
  }
  return values.at(-1)?.value ?? null;
}

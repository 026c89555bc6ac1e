import { extent } from '../extent.js';
import type { Frame, TypedColumn } from '../dataset.js';
import { hash32 } from '../random.js';

/**
 * Compact, mergeable profiles of a data set. Counts add up; numeric values are kept as a bottom-k sample by row hash
 * (the k rows with the smallest hashes), which stays a uniform sample when profiles of parts are merged.
 */

export const SAMPLE_SIZE = 2000;
/** Categories kept by name; the rest are summed into OTHER_CATEGORY. */
export const MAX_PROFILE_CATEGORIES = 500;
export const OTHER_CATEGORY = '(other)';

export interface NumericProfile {
  readonly kind: 'numeric';
  readonly count: number;
  readonly missing: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly sum: number;
  readonly sumSquares: number;
  /** [row hash, value] pairs, ascending by hash, at most SAMPLE_SIZE. */
  readonly sample: [number, number][];
}

export interface CategoricalProfile {
  readonly kind: 'categorical';
  readonly count: number;
  readonly missing: number;
  readonly counts: Record<string, number>;
}

export type FeatureProfile = NumericProfile | CategoricalProfile;

export interface DatasetProfile {
  readonly rows: number;
  readonly features: Record<string, FeatureProfile>;
}

function numericProfile(values: readonly number[], rowHashes: readonly number[]): NumericProfile {
  let count = 0;
  let missing = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let sumSquares = 0;
  const sample: [number, number][] = [];
  values.forEach((v, r) => {
    if (!Number.isFinite(v)) {
      missing += 1;
      return;
    }
    count += 1;
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    sumSquares += v * v;
    sample.push([rowHashes[r] as number, v]);
  });
  return {
    kind: 'numeric',
    count,
    missing,
    min: count > 0 ? min : null,
    max: count > 0 ? max : null,
    sum,
    sumSquares,
    sample: bottomK(sample),
  };
}

function bottomK(sample: [number, number][]): [number, number][] {
  return sample.sort((x, y) => x[0] - y[0] || x[1] - y[1]).slice(0, SAMPLE_SIZE);
}

function capCategories(counts: Map<string, number>): Record<string, number> {
  const sorted = [...counts.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  const kept = Object.fromEntries(sorted.slice(0, MAX_PROFILE_CATEGORIES));
  const other = sorted.slice(MAX_PROFILE_CATEGORIES).reduce((s, [, c]) => s + c, 0);
  if (other > 0) kept[OTHER_CATEGORY] = (kept[OTHER_CATEGORY] ?? 0) + other;
  return kept;
}

function categoricalProfile(values: readonly (string | null)[]): CategoricalProfile {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === null) missing += 1;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return { kind: 'categorical', count: values.length - missing, missing, counts: capCategories(counts) };
}

export function profileColumn(column: TypedColumn, rowHashes: readonly number[]): FeatureProfile {
  return column.type === 'numeric' ? numericProfile(column.values, rowHashes) : categoricalProfile(column.values);
}

/** Profiles the model's input features (and sensitive attributes) of a frame. Row hashes come from the row origins. */
export function profileFrame(frame: Frame): DatasetProfile {
  const rowHashes = frame.origins.map((origin) => hash32(origin, 0x5eed));
  const features: Record<string, FeatureProfile> = {};
  for (const column of [...frame.features, ...frame.sensitive])
    features[column.name] = profileColumn(column, rowHashes);
  return { rows: frame.origins.length, features };
}

/** Merges profiles of disjoint parts of a data set (e.g. several uploaded files) into the profile of the whole. */
export function mergeProfiles(a: DatasetProfile, b: DatasetProfile): DatasetProfile {
  const features: Record<string, FeatureProfile> = { ...a.features };
  for (const [name, pb] of Object.entries(b.features)) {
    const pa = features[name];
    if (pa === undefined) {
      features[name] = pb;
    } else if (pa.kind === 'numeric' && pb.kind === 'numeric') {
      const mins = [pa.min, pb.min].filter((v): v is number => v !== null);
      const maxs = [pa.max, pb.max].filter((v): v is number => v !== null);
      features[name] = {
        kind: 'numeric',
        count: pa.count + pb.count,
        missing: pa.missing + pb.missing,
        min: extent(mins)?.min ?? null,
        max: extent(maxs)?.max ?? null,
        sum: pa.sum + pb.sum,
        sumSquares: pa.sumSquares + pb.sumSquares,
        sample: bottomK([...pa.sample, ...pb.sample]),
      };
    } else if (pa.kind === 'categorical' && pb.kind === 'categorical') {
      const counts = new Map(Object.entries(pa.counts));
      for (const [k, c] of Object.entries(pb.counts)) counts.set(k, (counts.get(k) ?? 0) + c);
      features[name] = {
        kind: 'categorical',
        count: pa.count + pb.count,
        missing: pa.missing + pb.missing,
        counts: capCategories(counts),
      };
    } else {
      throw new Error(`cannot merge profiles of "${name}": numeric in one part, categorical in the other`);
    }
  }
  return { rows: a.rows + b.rows, features };
}

export function meanAndStd(profile: NumericProfile): { mean: number; std: number } {
  if (profile.count === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = profile.sum / profile.count;
  return { mean, std: Math.sqrt(Math.max(0, profile.sumSquares / profile.count - mean * mean)) };
}

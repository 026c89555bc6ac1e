import * as z from 'zod';
import { JsonLinesFile } from './jsonl-file.js';
import { statistic, type Sample } from './statistics.js';

/** A metric's identity in CloudWatch: namespace, name and the exact set of dimensions. */
export interface MetricId {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface StoredDatapoint {
  readonly timestamp: number;
  readonly sample: Sample;
  readonly unit?: string;
}

const sampleSchema = z.union([
  z.object({ value: z.number(), count: z.number().positive() }),
  z.object({
    set: z.object({ sampleCount: z.number().positive(), sum: z.number(), minimum: z.number(), maximum: z.number() }),
  }),
]);
const lineSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  dimensions: z.record(z.string(), z.string()),
  timestamp: z.number(),
  sample: sampleSchema,
  unit: z.string().optional(),
});

/** One string per metric identity (dimensions in name order: CloudWatch does not order them). */
export function metricKey(id: MetricId): string {
  const dimensions = Object.entries(id.dimensions).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([id.namespace, id.name, dimensions]);
}

/**
 * The local CloudWatch metric repository: data points by metric, kept in memory and appended to a JSON-lines file so
 * they survive a restart of the runtime with the rest of its state.
 */
export class MetricStore {
  private readonly metrics = new Map<string, { id: MetricId; points: StoredDatapoint[] }>();

  private readonly file: JsonLinesFile<z.infer<typeof lineSchema>> | undefined;

  constructor(file?: string) {
    if (file === undefined) return;
    this.file = new JsonLinesFile(file, lineSchema);
    for (const point of this.file.read()) this.add(point, point.timestamp, point.sample, point.unit);
  }

  put(id: MetricId, timestamp: number, sample: Sample, unit?: string): void {
    this.add(id, timestamp, sample, unit);
    this.file?.append({
      namespace: id.namespace,
      name: id.name,
      dimensions: { ...id.dimensions },
      timestamp,
      sample,
      ...(unit ? { unit } : {}),
    });
  }

  /** Waits until every data point is on disk. */
  close(): Promise<void> {
    return this.file?.close() ?? Promise.resolve();
  }

  /** Every metric that matches the filter (a dimension filter without a value matches any value). */
  list(
    filter: { namespace?: string; name?: string; dimensions?: readonly { name: string; value?: string }[] } = {},
  ): MetricId[] {
    return [...this.metrics.values()]
      .map((m) => m.id)
      .filter(
        (id) =>
          (filter.namespace === undefined || id.namespace === filter.namespace) &&
          (filter.name === undefined || id.name === filter.name),
      )
      .filter((id) =>
        (filter.dimensions ?? []).every(
          (d) => d.name in id.dimensions && (d.value === undefined || id.dimensions[d.name] === d.value),
        ),
      );
  }

  /** Data points in [start, end). */
  datapoints(id: MetricId, start: number, end: number): StoredDatapoint[] {
    return (this.metrics.get(metricKey(id))?.points ?? []).filter((p) => p.timestamp >= start && p.timestamp < end);
  }

  /**
   * The statistic per period over [start, end), periods aligned to multiples of the period since the epoch (as
   * GetMetricData aligns them); null for a period without data points. Oldest first.
   */
  series(
    id: MetricId,
    stat: string,
    periodMs: number,
    start: number,
    end: number,
  ): { readonly time: number; readonly value: number | null }[] {
    const first = Math.floor(start / periodMs) * periodMs;
    return this.windows(id, stat, periodMs, first, Math.ceil((end - first) / periodMs));
  }

  /** The statistic of `count` consecutive periods from `start` (each [start + k·period, start + (k+1)·period)). */
  windows(
    id: MetricId,
    stat: string,
    periodMs: number,
    start: number,
    count: number,
  ): { readonly time: number; readonly value: number | null }[] {
    const end = start + count * periodMs;
    const buckets = new Map<number, Sample[]>();
    for (const point of this.datapoints(id, start, end)) {
      const index = Math.floor((point.timestamp - start) / periodMs);
      const bucket = buckets.get(index);
      if (bucket === undefined) buckets.set(index, [point.sample]);
      else bucket.push(point.sample);
    }
    return Array.from({ length: count }, (_, k) => ({
      time: start + k * periodMs,
      value: statistic(stat, buckets.get(k) ?? []),
    }));
  }

  private add(id: MetricId, timestamp: number, sample: Sample, unit: string | undefined): void {
    const key = metricKey(id);
    const entry = this.metrics.get(key) ?? {
      id: { namespace: id.namespace, name: id.name, dimensions: { ...id.dimensions } },
      points: [],
    };
    entry.points.push({ timestamp, sample, ...(unit ? { unit } : {}) });
    this.metrics.set(key, entry);
  }
}

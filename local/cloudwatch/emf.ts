import * as z from 'zod';
import type { Sample } from './statistics.js';

/**
 * The embedded metric format (EMF): a JSON log line whose `_aws.CloudWatchMetrics` directives name metrics whose
 * values are members of the same object, and dimension sets whose values are too. CloudWatch Logs extracts one metric
 * per directive, metric and dimension set; a line that breaks the specification stays a log line and yields nothing.
 */
export interface ExtractedDatapoint {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly unit?: string;
  /** Epoch milliseconds, from `_aws.Timestamp`. */
  readonly timestamp: number;
  readonly samples: readonly Sample[];
}

const MAX_DIMENSIONS = 30;
const MAX_VALUES = 100;

const directiveSchema = z.object({
  Namespace: z.string().min(1).max(1024),
  Dimensions: z.array(z.array(z.string().min(1)).max(MAX_DIMENSIONS)),
  Metrics: z
    .array(
      z.object({
        Name: z.string().min(1).max(1024),
        Unit: z.string().optional(),
        StorageResolution: z.union([z.literal(1), z.literal(60)]).optional(),
      }),
    )
    .max(100),
});

const metadataSchema = z.object({
  Timestamp: z.number().int().nonnegative(),
  CloudWatchMetrics: z.array(directiveSchema),
});

/** The metric data points of one log line (none when it is not a valid EMF document). */
export function extractEmf(line: string): ExtractedDatapoint[] {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return [];
  let document: unknown;
  try {
    document = JSON.parse(line);
  } catch {
    return [];
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return [];
  const root = document as Record<string, unknown>;
  const metadata = metadataSchema.safeParse(root._aws);
  if (!metadata.success) return [];
  const points: ExtractedDatapoint[] = [];
  for (const directive of metadata.data.CloudWatchMetrics) {
    const dimensionSets = directive.Dimensions.map((keys) => dimensionsOf(root, keys));
    if (dimensionSets.some((set) => set === undefined)) continue; // a dimension whose value is not a string: invalid
    for (const metric of directive.Metrics) {
      const samples = samplesOf(root[metric.Name]);
      if (samples === undefined) continue;
      // A directive with no dimension set yields the metric without dimensions.
      for (const dimensions of dimensionSets.length === 0 ? [{}] : (dimensionSets as Record<string, string>[])) {
        points.push({
          namespace: directive.Namespace,
          name: metric.Name,
          dimensions,
          ...(metric.Unit ? { unit: metric.Unit } : {}),
          timestamp: metadata.data.Timestamp,
          samples,
        });
      }
    }
  }
  return points;
}

function dimensionsOf(root: Record<string, unknown>, keys: readonly string[]): Record<string, string> | undefined {
  const dimensions: Record<string, string> = {};
  for (const key of keys) {
    const value = root[key];
    if (typeof value !== 'string' || value === '') return undefined;
    dimensions[key] = value;
  }
  return dimensions;
}

/** A number, or an array of up to 100 numbers (each one sample). */
function samplesOf(value: unknown): Sample[] | undefined {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || values.length > MAX_VALUES) return undefined;
  if (!values.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) return undefined;
  return values.map((v) => ({ value: v, count: 1 }));
}

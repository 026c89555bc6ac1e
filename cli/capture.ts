import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import * as z from 'zod';

const captureSchema = z.object({
  model: z.string(),
  version: z.number(),
  variant: z.string(),
  predictionIds: z.array(z.string()),
  captureData: z.object({ endpointOutput: z.object({ data: z.string() }) }),
  eventMetadata: z.object({ inferenceId: z.string(), inferenceTime: z.string() }),
});
const feedbackSchema = z.object({
  predictionId: z.string(),
  groundTruthData: z.object({ data: z.string() }),
  receivedAt: z.string(),
});

export interface CapturedPrediction {
  readonly at: string;
  readonly predictionId: string;
  readonly version: number;
  readonly variant: string;
  readonly prediction: unknown;
  /** The ground truth sent for it, if any. */
  readonly truth?: unknown;
}

/** The hour partitions (`dt=yyyy-MM-dd-HH`) from `since` to now, oldest first. */
export function hoursSince(since: number, now: number): string[] {
  const hours: string[] = [];
  for (let t = Math.floor(since / 3_600_000) * 3_600_000; t <= now; t += 3_600_000)
    hours.push(new Date(t).toISOString().slice(0, 13).replace('T', '-'));
  return hours;
}

/** JSON text of the expected shape, or undefined (a record written by another tool or version is skipped, not fatal). */
function jsonText<T>(text: string, schema: z.ZodType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function jsonLines(s3: S3Client, bucket: string, prefix: string): Promise<unknown[]> {
  const lines: unknown[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const { Key } of page.Contents ?? []) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const bytes = Buffer.from(
        await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
      const text =
        (Key ?? '').endsWith('.gz') || bytes[0] === 0x1f ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
      for (const line of text.split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as unknown);
    }
    token = page.NextContinuationToken;
  } while (token);
  return lines;
}

/**
 * A model's captured predictions since a time, each with its ground truth when feedback arrived: the join Athena
 * makes on the prediction id, done here on the objects Firehose wrote (capture/ and feedback/ of the data bucket).
 */
export async function readCapture(
  s3: S3Client,
  bucket: string,
  model: string,
  since: number,
  now = Date.now(),
): Promise<CapturedPrediction[]> {
  // Firehose stamps a partition with the record's arrival time: the hour after now too, for a record in flight.
  const hours = hoursSince(since, now + 3_600_000);
  const read = async (kind: string) =>
    (await Promise.all(hours.map((dt) => jsonLines(s3, bucket, `${kind}/model=${model}/dt=${dt}/`)))).flat();
  const [captures, feedback] = await Promise.all([read('capture'), read('feedback')]);
  const truths = new Map(
    feedback.flatMap((line) => {
      const parsed = feedbackSchema.safeParse(line);
      const truth = parsed.success
        ? jsonText(parsed.data.groundTruthData.data, z.union([z.string(), z.number()]))
        : undefined;
      return parsed.success && truth !== undefined ? [[parsed.data.predictionId, truth] as const] : [];
    }),
  );
  return captures.flatMap((line) => {
    const parsed = captureSchema.safeParse(line);
    if (!parsed.success || Date.parse(parsed.data.eventMetadata.inferenceTime) < since) return [];
    const record = parsed.data;
    // The answer as sent, or the part's predictions: either way a `predictions` array in JSON text.
    const predictions =
      jsonText(record.captureData.endpointOutput.data, z.object({ predictions: z.array(z.unknown()) }))?.predictions ??
      [];
    return record.predictionIds.map((id, i) => ({
      at: record.eventMetadata.inferenceTime,
      predictionId: id,
      version: record.version,
      variant: record.variant,
      prediction: predictions[i],
      ...(truths.has(id) ? { truth: truths.get(id) } : {}),
    }));
  });
}

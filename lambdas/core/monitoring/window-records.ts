import * as z from 'zod';
import type { Prediction } from '../artifact.js';

/**
 * The records a monitoring window is made of, as the request capture and the feedback endpoint write them (JSON
 * Lines through Firehose): each captured prediction with its instance, and each ground truth by prediction id. Every
 * line is checked on the way in; a line that cannot be read is reported with where it was and why, and the rest of
 * the window is still monitored.
 */

const payloadSchema = z.object({ data: z.string() });

const captureLineSchema = z.object({
  mlopsRecord: z.literal('capture'),
  model: z.string(),
  version: z.number().int(),
  variant: z.string(),
  predictionIds: z.array(z.string()),
  captureData: z.object({ endpointInput: payloadSchema, endpointOutput: payloadSchema }),
  eventMetadata: z.object({ inferenceTime: z.string() }),
});

const feedbackLineSchema = z.object({
  mlopsRecord: z.literal('feedback'),
  model: z.string(),
  predictionId: z.string(),
  groundTruthData: z.object({ data: z.string() }),
  receivedAt: z.string(),
});

const instancesSchema = z.object({ instances: z.array(z.record(z.string(), z.unknown())) });
const predictionSchema = z.union([
  z.object({ label: z.string(), probabilities: z.record(z.string(), z.number()) }),
  z.object({ value: z.number() }),
]);
const predictionsSchema = z.object({ predictions: z.array(predictionSchema) });

/** One served prediction with the instance it answered. */
export interface CapturedPrediction {
  readonly predictionId: string;
  readonly version: number;
  readonly variant: string;
  readonly time: Date;
  readonly instance: Readonly<Record<string, unknown>>;
  readonly prediction: Prediction;
}

/**
 * A captured input value as training typed it: a number (or numeric text, as a form posts it) for a numeric feature,
 * NaN when missing; a category as text for a categorical one, null when missing.
 */
export function numericValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

export const categoryValue = (value: unknown): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);

export interface UnreadableRecord {
  readonly where: string;
  readonly reason: string;
}

const reasonOf = (error: unknown): string =>
  error instanceof z.ZodError
    ? error.issues
        .slice(0, 2)
        .map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`)
        .join('; ')
    : error instanceof Error
      ? error.message
      : String(error);

/** The model and predictions of one capture line, instance by instance. */
function predictionsOf(line: string): { model: string; predictions: CapturedPrediction[] } {
  const record = captureLineSchema.parse(JSON.parse(line));
  const { instances } = instancesSchema.parse(JSON.parse(record.captureData.endpointInput.data));
  const { predictions } = predictionsSchema.parse(JSON.parse(record.captureData.endpointOutput.data));
  if (instances.length !== predictions.length || predictions.length !== record.predictionIds.length)
    throw new Error(
      `${record.predictionIds.length} prediction ids, ${instances.length} instances and ${predictions.length} predictions do not pair up`,
    );
  const time = new Date(record.eventMetadata.inferenceTime);
  if (Number.isNaN(time.getTime()))
    throw new Error(`inference time "${record.eventMetadata.inferenceTime}" is not a time`);
  return {
    model: record.model,
    predictions: predictions.map((prediction, i) => ({
      predictionId: record.predictionIds[i] as string,
      version: record.version,
      variant: record.variant,
      time,
      instance: instances[i] as Record<string, unknown>,
      prediction,
    })),
  };
}

/**
 * The captured predictions of a model made in [start, end), from JSON Lines texts (one per object, `where` naming
 * it). Records of other models or outside the window are skipped; a prediction id seen twice (a record delivered
 * twice) counts once.
 */
export function capturedPredictions(
  texts: Iterable<{ readonly where: string; readonly text: string }>,
  model: string,
  window: { readonly start: Date; readonly end: Date },
): { predictions: CapturedPrediction[]; unreadable: UnreadableRecord[] } {
  const seen = new Set<string>();
  const predictions: CapturedPrediction[] = [];
  const unreadable: UnreadableRecord[] = [];
  for (const { where, text } of texts) {
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        const record = predictionsOf(line);
        if (record.model !== model) return;
        for (const p of record.predictions) {
          if (p.time < window.start || p.time >= window.end || seen.has(p.predictionId)) continue;
          seen.add(p.predictionId);
          predictions.push(p);
        }
      } catch (error) {
        unreadable.push({ where: `${where}:${index + 1}`, reason: reasonOf(error) });
      }
    });
  }
  return { predictions, unreadable };
}

/** Ground truths of a model by prediction id (the first received wins, as the feedback store keeps it). */
export function groundTruths(
  texts: Iterable<{ readonly where: string; readonly text: string }>,
  model: string,
): { truths: Map<string, unknown>; unreadable: UnreadableRecord[] } {
  const found: { id: string; receivedAt: string; label: unknown }[] = [];
  const unreadable: UnreadableRecord[] = [];
  for (const { where, text } of texts) {
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        const record = feedbackLineSchema.parse(JSON.parse(line));
        if (record.model === model)
          found.push({
            id: record.predictionId,
            receivedAt: record.receivedAt,
            label: JSON.parse(record.groundTruthData.data),
          });
      } catch (error) {
        unreadable.push({ where: `${where}:${index + 1}`, reason: reasonOf(error) });
      }
    });
  }
  found.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
  const truths = new Map<string, unknown>();
  for (const f of found) if (!truths.has(f.id)) truths.set(f.id, f.label);
  return { truths, unreadable };
}

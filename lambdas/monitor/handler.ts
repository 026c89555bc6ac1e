import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import * as z from 'zod';
import { MONITOR_METRICS } from '../shared/contracts/metric-names.js';
import { loadModelConfig } from '../shared/contracts/model-files.js';
import { MonitorStore, type MonitorWindow } from '../shared/adapters/monitor-store.js';
import { Registry } from '../shared/adapters/registry.js';
import { createDocumentClient, createS3Client } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { variantMetrics } from '../shared/runtime/metrics.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { logger } from '../shared/runtime/logger.js';
import { tracer } from '../shared/runtime/tracer.js';
import { extent } from '../core/extent.js';
import { judgedValue as judged, performanceDrop } from '../core/monitoring/window-summary.js';
import { beforeDeadline } from '../shared/runtime/deadline.js';
import type { MonitoredModel } from './influence.js';
import { monitorModel, recordFailedWindow, type MonitorRequest } from './monitor.js';
import { productionSilence } from './silence.js';

const env = readEnv(['REGISTRY_TABLE', 'DATA_BUCKET', 'ARTIFACTS_BUCKET']);
const documents = createDocumentClient();
const deps = {
  s3: createS3Client(),
  registry: new Registry(documents, env.REGISTRY_TABLE),
  monitors: new MonitorStore(documents, env.REGISTRY_TABLE),
  dataBucket: env.DATA_BUCKET,
  artifactsBucket: env.ARTIFACTS_BUCKET,
};
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient({}));

/** The schedule's input (the model), or `mlops monitor`'s (a window's end and length, `trigger: manual`). */
const monitorInputSchema = z.object({
  model: z.string().min(1),
  trigger: z.enum(['schedule', 'manual']).default('schedule'),
  windowEnd: z.iso.datetime().optional(),
  windowMinutes: z.number().int().min(1).max(10_080).optional(),
  /** The schedule's own time (Scheduler's context attribute): the window is picked from it. */
  scheduledTime: z.iso.datetime().optional(),
});

/** Each variant's figures as metrics with the model and variant as dimensions, published once per window. */
function publish(window: MonitorWindow): void {
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  for (const variant of window.variants) {
    if (variant.status === 'not_monitorable') continue;
    const drift = variant.inputDrift;
    const predictions = variant.predictionDrift;
    const figures: [string, number | null, 'Count' | 'None'][] = [
      [MONITOR_METRICS.predictions, variant.rows, 'Count'],
      [MONITOR_METRICS.labelled, variant.labelledRows, 'Count'],
      [
        MONITOR_METRICS.driftedShare,
        drift === null || drift.verdict === 'insufficient_data'
          ? null
          : drift.drifted.length / Math.max(1, drift.tested),
        'None',
      ],
      [
        MONITOR_METRICS.predictionDrift,
        predictions?.verdict === 'drift' ? 1 : predictions?.verdict === 'ok' ? 0 : null,
        'None',
      ],
      [MONITOR_METRICS.estimated, judged(variant, 'estimated'), 'None'],
      [MONITOR_METRICS.realized, judged(variant, 'realized'), 'None'],
      [MONITOR_METRICS.estimatedDrop, performanceDrop(variant, 'estimated'), 'None'],
      [MONITOR_METRICS.realizedDrop, performanceDrop(variant, 'realized'), 'None'],
      [
        MONITOR_METRICS.influenceGrowth,
        variant.influence.measured ? (extent(variant.influence.features.map((f) => f.growth))?.max ?? null) : null,
        'None',
      ],
      [MONITOR_METRICS.newCategories, total(variant.newCategories), 'Count'],
      [MONITOR_METRICS.outOfRange, total(variant.outOfRange), 'Count'],
    ];
    // One document per variant: its dimension set (model, variant) applies to every metric in it.
    variantMetrics.addDimensions({ model: window.model, variant: variant.variant });
    for (const [name, value, unit] of figures)
      if (value !== null && Number.isFinite(value)) variantMetrics.addMetric(name, unit, value);
    variantMetrics.publishStoredMetrics();
  }
}

/**
 * Production's silence, counted from its promotion (silence.ts), published for the no-traffic alarm on every run: a
 * model without a production version, or whose model file asks for no such alarm, publishes none.
 */
async function publishSilence(model: string, noTrafficHours: number | null, now: Date): Promise<number | null> {
  if (noTrafficHours === null) return null;
  const production = await deps.registry.aliases.get(model);
  if (production === undefined) return null;
  const hours = await productionSilence(cloudwatch, model, new Date(production.updatedAt), noTrafficHours, now);
  variantMetrics.addDimensions({ model });
  variantMetrics.addMetric(MONITOR_METRICS.silentHours, 'None', hours);
  variantMetrics.publishStoredMetrics();
  return hours;
}

/** How long before the function's own timeout a monitor that has not finished gives up and records why. */
const GIVE_UP_BEFORE_TIMEOUT_MS = 15_000;

/**
 * Monitors the window, or records why it could not: an error (recorded, then thrown, so the schedule retries) or no
 * result before the function's time runs out (recorded as the answer). A recorded failure publishes nothing.
 */
async function monitorWithinTime(input: MonitorRequest, config: MonitoredModel, now: Date, remainingMs: number) {
  const budget = remainingMs - GIVE_UP_BEFORE_TIMEOUT_MS;
  try {
    const outcome = await beforeDeadline(monitorModel(deps, input, config, now), budget);
    if (outcome.done) return outcome.value;
    const reason = `did not finish within the function's time (${Math.round(remainingMs / 1000)} s): a window this large needs a longer timeout or a shorter schedule interval`;
    return await recordFailedWindow(deps, input, config, now, reason);
  } catch (error) {
    const reason = `failed: ${error instanceof Error ? error.message : String(error)}`;
    // The monitor's own error is what the invocation reports (and the schedule retries); a failure to record it too
    // (the registry down as well) is logged, not lost.
    await recordFailedWindow(deps, input, config, now, reason).catch((recordError: unknown) =>
      logger.warn('the failed window could not be recorded', { error: recordError as Error }),
    );
    throw error;
  }
}

/** The monitor: a model's window of live traffic, on its schedule or on demand (`mlops monitor`). */
export const handler = stepHandler({
  input: monitorInputSchema,
  correlate: ({ model }) => ({ model }),
  run: async (input, context) => {
    const { config } = loadModelConfig(input.model);
    // Date.now(), not new Date(): locally, the runtime's clock (which tests move) drives Date.now() only.
    const now = new Date(Date.now());
    const result = await monitorWithinTime(input, config, now, context.getRemainingTimeInMillis());
    if (result.recorded && result.window.failure === undefined) publish(result.window);
    return { ...result, silentHours: await publishSilence(input.model, config.monitoring.noTrafficHours, now) };
  },
  done: ({ recorded, window, silentHours }) => ({
    message: recorded ? 'window monitored' : 'window already monitored (a repeated schedule or request)',
    fields: {
      windowStart: window.windowStart,
      windowEnd: window.windowEnd,
      variants: window.variants.map((v) => ({
        variant: v.variant,
        version: v.version,
        status: v.status,
        rows: v.rows,
      })),
      unreadable: window.unreadable.count,
      silentHours,
    },
    counts: { MonitorWindowsRecorded: recorded ? 1 : 0 },
  }),
});

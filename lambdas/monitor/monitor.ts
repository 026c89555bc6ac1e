import type { S3Client } from '@aws-sdk/client-s3';
import { IntegrityError, NotFoundError } from '../core/errors.js';
import { scheduleMinutes, type MonitoringConfig } from '../core/monitoring-config.js';
import { monitorVariant, type WindowOptions } from '../core/monitoring/variant-window.js';
import {
  capturedPredictions,
  groundTruths,
  type CapturedPrediction,
  type UnreadableRecord,
} from '../core/monitoring/window-records.js';
import { notMonitorable, summarizeVariant } from '../core/monitoring/window-summary.js';
import type { ReportedVariant } from '../core/report/monitoring-report.js';
import type { MonitorStore, MonitorWindow } from '../shared/adapters/monitor-store.js';
import type { Registry } from '../shared/adapters/registry.js';
import { readDriftNull, readMonitoringReference, readProfile } from '../shared/adapters/stored-documents.js';
import type { VersionRecord } from '../shared/contracts/registry-records.js';
import { windowInfluence, type MonitoredModel } from './influence.js';
import { writeMonitoringReport } from './report.js';
import { FEEDBACK_LOOKBACK_DAYS, HOUR, hoursBetween, readPartitions } from '../shared/adapters/capture-partitions.js';

export interface MonitorDeps {
  readonly s3: S3Client;
  readonly registry: Registry;
  readonly monitors: MonitorStore;
  readonly dataBucket: string;
  /** Where the window's monitoring report goes (`monitoring/<model>/`). */
  readonly artifactsBucket: string;
}

export interface MonitorRequest {
  readonly model: string;
  readonly trigger: 'schedule' | 'manual';
  /** The window's end (ISO); by default the last end of the schedule's interval before now. */
  readonly windowEnd?: string | undefined;
  /** The window's length; by default the schedule's interval. */
  readonly windowMinutes?: number | undefined;
  /**
   * When the schedule meant to run (Scheduler's `<aws.scheduler.scheduled-time>`): a scheduled window is picked from
   * it, so a run that starts late (a retry, a busy account) still monitors its own window, not a later one.
   */
  readonly scheduledTime?: string | undefined;
}

/**
 * How long after a prediction its capture record may still be on its way: the log subscription's delivery and
 * Firehose's buffer (60 s, lib/request-capture.ts), with a wide margin.
 */
export const CAPTURE_SETTLE_MINUTES = 5;

/** On demand (`mlops monitor`) a window ends now, to the minute; on schedule, on the grid, once its capture settled. */
function defaultEnd(request: MonitorRequest, now: Date, step: number): Date {
  if (request.trigger === 'manual') return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const meant = request.scheduledTime !== undefined ? Date.parse(request.scheduledTime) : now.getTime();
  const settled = meant - CAPTURE_SETTLE_MINUTES * 60_000;
  return new Date(Math.floor(settled / step) * step);
}

/**
 * The window a request asks for: [end − minutes, end); by default the last interval of the schedule's grid that
 * ended at least CAPTURE_SETTLE_MINUTES ago, so its records have all arrived (on demand: up to now).
 */
export function windowOf(request: MonitorRequest, monitoring: MonitoringConfig, now: Date) {
  const interval = scheduleMinutes(monitoring.schedule) ?? 15;
  const minutes = request.windowMinutes ?? interval;
  const step = interval * 60_000;
  const end = request.windowEnd !== undefined ? new Date(request.windowEnd) : defaultEnd(request, now, step);
  return { start: new Date(end.getTime() - minutes * 60_000), end };
}

/** The metric each window is judged on, and its floor: the version's test figure less the allowed drop. */
function floorsOf(version: VersionRecord, monitoring: MonitoringConfig): WindowOptions['floors'] {
  const metric = version.classes === undefined || version.classes.length === 0 ? 'r2' : 'accuracy';
  const tested = version.metrics[metric];
  if (tested === null || tested === undefined) return undefined;
  const floor = tested - monitoring.maxPerformanceDrop;
  return { metric, estimated: floor, realized: floor };
}

/** One variant's window against its version's references, or why it cannot be monitored. */
async function variantSummary(
  deps: MonitorDeps,
  model: string,
  group: { variant: string; version: number; rows: CapturedPrediction[] },
  truths: ReadonlyMap<string, unknown>,
  config: MonitoredModel,
): Promise<ReportedVariant> {
  const { monitoring } = config;
  const version = await deps.registry.versions.get(model, group.version);
  if (version?.monitoring === undefined)
    return {
      summary: notMonitorable(
        group.variant,
        group.version,
        group.rows.length,
        `version ${group.version} was trained before monitoring existed (no calibration or drift null stored); retrain to monitor it`,
      ),
    };
  const { monitoring: stored } = version;
  let documents;
  try {
    documents = await Promise.all([
      readProfile(deps.s3, version.profile),
      readDriftNull(deps.s3, stored.driftNull),
      readMonitoringReference(deps.s3, stored.reference),
    ]);
  } catch (error) {
    // A reference gone or damaged is a finding about the version, recorded with the window; S3's own failures retry.
    if (!(error instanceof NotFoundError || error instanceof IntegrityError)) throw error;
    return {
      summary: notMonitorable(
        group.variant,
        group.version,
        group.rows.length,
        `its references cannot be read: ${error.message}`,
      ),
    };
  }
  const [profile, driftNull, reference] = documents;
  const floors = floorsOf(version, monitoring);
  const options: WindowOptions = {
    minRows: monitoring.minRows,
    minLabels: monitoring.minLabels,
    falseAlarmRate: monitoring.driftFalseAlarmRate,
    floors,
  };
  const influence = await windowInfluence(deps.s3, version, reference, { rows: group.rows, truths }, config);
  const references = { profile, driftNull, monitoring: reference };
  const window = monitorVariant(references, group.rows, truths, options, influence);
  const judgedOn =
    floors === undefined ? null : { metric: floors.metric, test: version.metrics[floors.metric] as number };
  const full = { ...window, variant: group.variant, version: group.version };
  return { summary: summarizeVariant(full, judgedOn), detail: { window: full, reference: profile } };
}

/** The window's predictions by variant and version; production's served version is listed even with no traffic. */
function groups(predictions: readonly CapturedPrediction[], production: number | undefined) {
  const byKey = new Map<string, { variant: string; version: number; rows: CapturedPrediction[] }>();
  if (production !== undefined)
    byKey.set(`production\u001f${production}`, { variant: 'production', version: production, rows: [] });
  for (const p of predictions) {
    const key = `${p.variant}\u001f${p.version}`;
    const group = byKey.get(key) ?? { variant: p.variant, version: p.version, rows: [] };
    group.rows.push(p);
    byKey.set(key, group);
  }
  return [...byKey.values()];
}

/**
 * Monitors a model's window of live traffic: reads the captured predictions and the ground truth received for them,
 * judges each variant against its version's references, and records the window once (a window already recorded is
 * answered from the registry, so a repeated schedule or a second monitor changes and publishes nothing).
 */
export async function monitorModel(
  deps: MonitorDeps,
  request: MonitorRequest,
  config: MonitoredModel,
  now: Date,
): Promise<{ recorded: boolean; window: MonitorWindow }> {
  const { model } = request;
  const { start, end } = windowOf(request, config.monitoring, now);
  const existing = await deps.monitors.get(model, start.toISOString());
  // A window monitored before is answered as it stands; one whose monitor failed is monitored again.
  if (existing !== undefined && existing.failure === undefined) return { recorded: false, window: existing };
  const captureHours = hoursBetween(start, new Date(Math.min(end.getTime() + HOUR, now.getTime())));
  const feedbackFrom = new Date(Math.max(start.getTime(), now.getTime() - FEEDBACK_LOOKBACK_DAYS * 24 * HOUR));
  const [capture, feedback, production] = await Promise.all([
    readPartitions(deps.s3, deps.dataBucket, 'capture', model, captureHours),
    readPartitions(deps.s3, deps.dataBucket, 'feedback', model, hoursBetween(feedbackFrom, now)),
    deps.registry.aliases.get(model),
  ]);
  const captured = capturedPredictions(capture.texts, model, { start, end });
  const truths = groundTruths(feedback.texts, model);
  const variants: ReportedVariant[] = [];
  for (const group of groups(captured.predictions, production?.version))
    variants.push(await variantSummary(deps, model, group, truths.truths, config));
  const unreadable: UnreadableRecord[] = [
    ...capture.unreadable,
    ...captured.unreadable,
    ...feedback.unreadable,
    ...truths.unreadable,
  ];
  const window = {
    model,
    windowStart: start.toISOString(),
    windowEnd: end.toISOString(),
    monitoredAt: now.toISOString(),
    trigger: request.trigger,
    variants: variants.map((v) => v.summary),
    unreadable: { count: unreadable.length, first: unreadable.slice(0, 5) },
  };
  // The report first, so the recorded window names it; a second monitor of the window writes the same page.
  const report = await writeMonitoringReport(deps, window, variants);
  return deps.monitors.record({ ...window, report });
}

/**
 * Records that the window's monitor failed or ran out of time, with the reason: no figures and no metrics (so no
 * alarm, and no retraining, follows from it). It stands until a monitor of the window succeeds.
 */
export async function recordFailedWindow(
  deps: Pick<MonitorDeps, 'monitors'>,
  request: MonitorRequest,
  config: MonitoredModel,
  now: Date,
  reason: string,
): Promise<{ recorded: boolean; window: MonitorWindow }> {
  const { start, end } = windowOf(request, config.monitoring, now);
  return deps.monitors.record({
    model: request.model,
    windowStart: start.toISOString(),
    windowEnd: end.toISOString(),
    monitoredAt: now.toISOString(),
    trigger: request.trigger,
    variants: [],
    unreadable: { count: 0, first: [] },
    report: null,
    failure: { reason },
  });
}

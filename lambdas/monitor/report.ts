import { renderMonitoringReport, type ReportedVariant } from '../core/report/monitoring-report.js';
import type { MonitorStore, MonitorWindow } from '../shared/adapters/monitor-store.js';
import { putObject } from '../shared/adapters/objects.js';
import { monitoringReportKey } from '../shared/contracts/layout.js';
import type { S3Client } from '@aws-sdk/client-s3';

/** The windows the report's trend draws: the last day at the default schedule. */
const TREND_WINDOWS = 96;

/**
 * Renders the window's monitoring report with the trend of the windows recorded before it and stores it in the
 * artifacts bucket under `monitoring/<model>/`; answers where it is.
 */
export async function writeMonitoringReport(
  deps: { readonly s3: S3Client; readonly monitors: MonitorStore; readonly artifactsBucket: string },
  window: Omit<MonitorWindow, 'report'>,
  variants: readonly ReportedVariant[],
): Promise<NonNullable<MonitorWindow['report']>> {
  const history = await deps.monitors.list(window.model, TREND_WINDOWS);
  const html = await renderMonitoringReport({ ...window, variants, history });
  const location = { bucket: deps.artifactsBucket, key: monitoringReportKey(window.model, window.windowStart) };
  await putObject(deps.s3, location, html, 'text/html; charset=utf-8');
  return location;
}

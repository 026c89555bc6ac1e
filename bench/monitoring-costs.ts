/**
 * What monitoring one model costs a month at its schedule, on paper: the monitor's invocations (at the duration
 * `bench:monitor-window` measured for a window of 100,000 predictions — an upper bound for most windows), the
 * schedule, the metrics it publishes, the alarms on them, the request counts it reads, the reports and window items it
 * writes. List prices, us-east-1, as published on the AWS pricing pages (not fetched here: this machine has no
 * internet; check them before quoting). Writes bench/results/monitoring-costs.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scheduleMinutes } from '../lambdas/core/monitoring-config.js';
import { MONITOR_METRICS } from '../lambdas/shared/contracts/metric-names.js';
import { PRICES as SERVING_PRICES } from './serving-costs.js';
import { round } from './stats.js';

const ROOT = join(import.meta.dirname, '..');
const PRICES = {
  ...SERVING_PRICES,
  customMetricPerMonth: 0.3,
  standardAlarmPerMonth: 0.1,
  compositeAlarmPerMonth: 0.5,
  schedulerPerMillionInvocations: 1.0,
  getMetricDataPerThousandMetrics: 0.01,
  s3PutPerThousand: 0.005,
  s3StandardPerGbMonth: 0.023,
  dynamoOnDemandPerMillionWrites: 0.625,
} as const;

const HOURS_PER_MONTH = 730;
const measured = JSON.parse(readFileSync(join(ROOT, 'bench', 'results', 'monitor-window.json'), 'utf8')) as {
  seconds: number;
  report_kilobytes: number | null;
};
const schedule = process.env.SCHEDULE ?? 'rate(15 minutes)';
const minutes = scheduleMinutes(schedule);
if (minutes === null) throw new Error(`${schedule} is not a rate schedule`);
const runs = (HOURS_PER_MONTH * 60) / minutes;
const memoryGb = 1; // the monitor's 1,024 MB (lib/model-monitoring.ts)
// Per window, for production: every monitor metric but the silence (per model); plus the silence, the windows
// recorded and the retrainings started. A release adds the candidate's set while it runs (not counted).
const metrics = Object.keys(MONITOR_METRICS).length - 1 + 3;
const alarms = { standard: 4, composite: 1 }; // lib/retraining-alarms.ts
const reportGb = ((measured.report_kilobytes ?? 100) * 1000) / 1e9;

const lines = {
  monitor_lambda:
    runs * measured.seconds * memoryGb * PRICES.lambdaArmPerGbSecond + (runs / 1e6) * PRICES.lambdaPerMillionRequests,
  schedule: (runs / 1e6) * PRICES.schedulerPerMillionInvocations,
  metrics: metrics * PRICES.customMetricPerMonth,
  alarms: alarms.standard * PRICES.standardAlarmPerMonth + alarms.composite * PRICES.compositeAlarmPerMonth,
  request_counts_read: (runs / 1000) * PRICES.getMetricDataPerThousandMetrics,
  reports_written: (runs / 1000) * PRICES.s3PutPerThousand,
  reports_stored_first_month: runs * reportGb * PRICES.s3StandardPerGbMonth,
  window_items: (runs / 1e6) * PRICES.dynamoOnDemandPerMillionWrites,
};
const total = Object.values(lines).reduce((a, b) => a + b, 0);
const output = {
  schedule,
  runs_per_month: Math.round(runs),
  monitor_seconds_per_run: measured.seconds,
  metrics,
  alarms,
  report_kilobytes: measured.report_kilobytes,
  prices: PRICES,
  dollars_per_model_month: Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, round(v, 3)])),
  total: round(total, 2),
};
writeFileSync(join(ROOT, 'bench', 'results', 'monitoring-costs.json'), `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(output, null, 2));

import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { silentHours } from '../core/monitoring/silence.js';
import { METRIC_NAMESPACE, PREDICT_METRICS, serviceOf } from '../shared/contracts/metric-names.js';

/** The request counts are read in 5-minute periods: the silence is known to within 5 minutes. */
const PERIOD_SECONDS = 300;

/**
 * Production's silence (silence.ts) from predict's own request count for the model, looked at over the alarm's span
 * and a period more: a request within it bounds the silence, none leaves the version's time served.
 */
export async function productionSilence(
  cloudwatch: CloudWatchClient,
  model: string,
  servedSince: Date,
  noTrafficHours: number,
  now: Date,
): Promise<number> {
  const start = new Date(now.getTime() - (noTrafficHours * 3600 + PERIOD_SECONDS) * 1000);
  const { MetricDataResults = [] } = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: start,
      EndTime: now,
      MetricDataQueries: [
        {
          Id: 'requests',
          MetricStat: {
            Metric: {
              Namespace: METRIC_NAMESPACE,
              MetricName: PREDICT_METRICS.requests,
              Dimensions: [
                { Name: 'service', Value: serviceOf('predict') },
                { Name: 'model', Value: model },
              ],
            },
            Period: PERIOD_SECONDS,
            Stat: 'SampleCount',
          },
        },
      ],
    }),
  );
  const [result] = MetricDataResults;
  const ends = (result?.Timestamps ?? [])
    .filter((_, i) => (result?.Values?.[i] ?? 0) > 0)
    .map((t) => t.getTime() + PERIOD_SECONDS * 1000);
  return silentHours({ servedSince, requestPeriodEnds: ends, now });
}

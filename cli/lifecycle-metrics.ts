import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { LIFECYCLE_METRICS, METRIC_NAMESPACE, serviceOf } from '../lambdas/shared/contracts/metric-names.js';
import type { Connection } from './connection.js';

/**
 * Counts a change an operator made (a promotion or a rollback) as a metric of the model, beside the pipeline's own
 * (`service` = mlops-cli). The change is made and audited already: a metric that cannot be written (no
 * cloudwatch:PutMetricData permission, say) is a warning, not a failure.
 */
export async function countChange(c: Connection, model: string, change: keyof typeof LIFECYCLE_METRICS): Promise<void> {
  try {
    await c.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: METRIC_NAMESPACE,
        MetricData: [
          {
            MetricName: LIFECYCLE_METRICS[change],
            Dimensions: [
              { Name: 'service', Value: serviceOf('cli') },
              { Name: 'model', Value: model },
            ],
            Value: 1,
            Unit: 'Count',
          },
        ],
      }),
    );
  } catch (error) {
    console.error(
      `warning: the ${change} is done and audited, but its metric was not written: ${(error as Error).message}`,
    );
  }
}

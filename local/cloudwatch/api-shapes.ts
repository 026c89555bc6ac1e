import * as z from 'zod';

/**
 * The request shapes of the CloudWatch operations the local API serves, as the AWS JSON 1.0 protocol carries them
 * (timestamps as epoch seconds). Unknown members are ignored, as AWS ignores members it does not model.
 */
const dimension = z.object({ Name: z.string().min(1).max(255), Value: z.string().min(1).max(1024) });
const dimensionFilter = z.object({ Name: z.string().min(1), Value: z.string().optional() });
const epochSeconds = z.number();

export const putMetricDataInput = z.object({
  Namespace: z.string().min(1).max(255),
  MetricData: z
    .array(
      z.object({
        MetricName: z.string().min(1).max(255),
        Dimensions: z.array(dimension).max(30).optional(),
        Timestamp: epochSeconds.optional(),
        Value: z.number().optional(),
        Values: z.array(z.number()).max(150).optional(),
        Counts: z.array(z.number().positive()).max(150).optional(),
        StatisticValues: z
          .object({ SampleCount: z.number().positive(), Sum: z.number(), Minimum: z.number(), Maximum: z.number() })
          .optional(),
        Unit: z.string().optional(),
      }),
    )
    .min(1)
    .max(1000),
});

const metric = z.object({ Namespace: z.string(), MetricName: z.string(), Dimensions: z.array(dimension).optional() });

export const getMetricDataInput = z.object({
  MetricDataQueries: z
    .array(
      z.object({
        Id: z
          .string()
          .regex(
            /^[a-z][a-zA-Z0-9_]*$/,
            'Id must start with a lower-case letter and hold letters, digits and underscores',
          ),
        MetricStat: z
          .object({
            Metric: metric,
            Period: z.number().int().positive(),
            Stat: z.string(),
            Unit: z.string().optional(),
          })
          .optional(),
        Expression: z.string().optional(),
        Label: z.string().optional(),
        ReturnData: z.boolean().optional(),
      }),
    )
    .min(1)
    .max(500),
  StartTime: epochSeconds,
  EndTime: epochSeconds,
  ScanBy: z.enum(['TimestampDescending', 'TimestampAscending']).optional(),
});

export const getMetricStatisticsInput = metric.extend({
  StartTime: epochSeconds,
  EndTime: epochSeconds,
  Period: z.number().int().positive(),
  Statistics: z.array(z.enum(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'])).optional(),
  ExtendedStatistics: z.array(z.string()).optional(),
  Unit: z.string().optional(),
});

export const listMetricsInput = z.object({
  Namespace: z.string().optional(),
  MetricName: z.string().optional(),
  Dimensions: z.array(dimensionFilter).optional(),
});

export const describeAlarmsInput = z.object({
  AlarmNames: z.array(z.string()).optional(),
  AlarmNamePrefix: z.string().optional(),
  StateValue: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']).optional(),
  AlarmTypes: z.array(z.enum(['MetricAlarm', 'CompositeAlarm'])).optional(),
});

export const setAlarmStateInput = z.object({
  AlarmName: z.string().min(1),
  StateValue: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  StateReason: z.string().max(1023),
  StateReasonData: z.string().optional(),
});

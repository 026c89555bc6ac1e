import type * as z from 'zod';
import { AwsJsonError, type AwsJsonService } from '../aws-json-server.js';
import {
  describeAlarmsInput,
  getMetricDataInput,
  getMetricStatisticsInput,
  listMetricsInput,
  putMetricDataInput,
  setAlarmStateInput,
} from './api-shapes.js';
import type { LocalCloudWatch } from './local-cloudwatch.js';
import { logsService } from './logs-api.js';
import type { MetricId } from './metric-store.js';
import { isStatistic, type Sample } from './statistics.js';

/** CloudWatch's error shapes (the SDK's exception names) by their query-protocol codes. */
const ERROR_SHAPES: Record<string, string> = {
  InvalidParameterValue: 'InvalidParameterValueException',
  MissingParameter: 'MissingRequiredParameterException',
  ResourceNotFound: 'ResourceNotFound',
  InternalServiceError: 'InternalServiceFault',
};

/** A CloudWatch error by its query-protocol code (`InvalidParameterValue`, …): shaped as the SDK expects below. */
class ApiError extends AwsJsonError {}

type Dimensions = { Name: string; Value: string }[] | undefined;
const metricId = (m: { Namespace: string; MetricName: string; Dimensions?: Dimensions }): MetricId => ({
  namespace: m.Namespace,
  name: m.MetricName,
  dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value])),
});
const seconds = (ms: number) => ms / 1000;

/**
 * The CloudWatch API of the local runtime, in the protocol `@aws-sdk/client-cloudwatch` speaks (AWS JSON 1.0,
 * `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, query-compatible errors): PutMetricData, GetMetricData,
 * GetMetricStatistics, ListMetrics, DescribeAlarms and SetAlarmState over the local metrics and alarms — and CloudWatch
 * Logs on the same endpoint — so the CLI and the functions call them unchanged.
 */
export function cloudWatchServices(provider: () => LocalCloudWatch | undefined, now: () => number): AwsJsonService[] {
  const api = new LocalCloudWatchOperations(provider, now);
  return [
    {
      targetPrefix: 'GraniteServiceVersion20100801.',
      contentType: 'application/x-amz-json-1.0',
      name: 'CloudWatch',
      operations: {
        PutMetricData: (input) => api.putMetricData(parse(putMetricDataInput, input)),
        GetMetricData: (input) => api.getMetricData(parse(getMetricDataInput, input)),
        GetMetricStatistics: (input) => api.getMetricStatistics(parse(getMetricStatisticsInput, input)),
        ListMetrics: (input) => api.listMetrics(parse(listMetricsInput, input)),
        DescribeAlarms: (input) => api.describeAlarms(parse(describeAlarmsInput, input)),
        SetAlarmState: (input) => api.setAlarmState(parse(setAlarmStateInput, input)),
      },
      // awsQueryCompatible: the shape in `__type`, and the query-protocol error code in a header too.
      errorShape: (e) => ({
        body: { __type: `com.amazonaws.cloudwatch#${ERROR_SHAPES[e.type] ?? e.type}`, message: e.message },
        headers: { 'x-amzn-query-error': `${e.type};${e.status < 500 ? 'Sender' : 'Receiver'}` },
      }),
      internalErrorType: 'InternalServiceError',
    },
    // CloudWatch Logs shares the endpoint: its clients speak AWS JSON 1.1 with their own target prefix.
    logsService(() => api.cloudwatch),
  ];
}

/** The operations, over the local CloudWatch once it runs (the API listens before: functions need its endpoint). */
class LocalCloudWatchOperations {
  constructor(
    private readonly provider: () => LocalCloudWatch | undefined,
    private readonly now: () => number,
  ) {}

  get cloudwatch(): LocalCloudWatch {
    const current = this.provider();
    if (current === undefined) throw new ApiError('ServiceUnavailable', 'the local CloudWatch is starting', 503);
    return current;
  }

  putMetricData(input: z.infer<typeof putMetricDataInput>): Record<string, never> {
    if (input.Namespace.startsWith('AWS/'))
      throw new ApiError(
        'InvalidParameterValue',
        'The value AWS/ for parameter Namespace is invalid: AWS/ is reserved for AWS services.',
      );
    for (const datum of input.MetricData) {
      const time = datum.Timestamp !== undefined ? datum.Timestamp * 1000 : this.now();
      const samples: Sample[] = [];
      if (datum.Value !== undefined) samples.push({ value: datum.Value, count: 1 });
      (datum.Values ?? []).forEach((value, i) => samples.push({ value, count: datum.Counts?.[i] ?? 1 }));
      if (datum.StatisticValues) {
        const s = datum.StatisticValues;
        samples.push({ set: { sampleCount: s.SampleCount, sum: s.Sum, minimum: s.Minimum, maximum: s.Maximum } });
      }
      if (samples.length === 0)
        throw new ApiError('MissingParameter', `MetricData ${datum.MetricName}: give Value, Values or StatisticValues`);
      for (const sample of samples)
        this.cloudwatch.metrics.put(metricId({ ...datum, Namespace: input.Namespace }), time, sample, datum.Unit);
    }
    return {};
  }

  getMetricData(input: z.infer<typeof getMetricDataInput>): unknown {
    const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
    const results = input.MetricDataQueries.filter((q) => q.ReturnData !== false).map((query) => {
      const stat = query.MetricStat;
      if (stat === undefined)
        throw new ApiError(
          'InvalidParameterValue',
          `query ${query.Id}: metric math expressions are not evaluated by the local runtime; use MetricStat`,
        );
      if (!isStatistic(stat.Stat))
        throw new ApiError('InvalidParameterValue', `query ${query.Id}: "${stat.Stat}" is not a statistic`);
      const series = this.cloudwatch.metrics
        .series(metricId(stat.Metric), stat.Stat, stat.Period * 1000, input.StartTime * 1000, input.EndTime * 1000)
        .filter((p): p is { time: number; value: number } => p.value !== null);
      if (descending) series.reverse();
      return {
        Id: query.Id,
        Label: query.Label ?? stat.Metric.MetricName,
        Timestamps: series.map((p) => seconds(p.time)),
        Values: series.map((p) => p.value),
        StatusCode: 'Complete',
      };
    });
    return { MetricDataResults: results, Messages: [] };
  }

  getMetricStatistics(input: z.infer<typeof getMetricStatisticsInput>): unknown {
    const id = metricId(input);
    const statistics = input.Statistics ?? [];
    const extended = input.ExtendedStatistics ?? [];
    if (statistics.length + extended.length === 0)
      throw new ApiError('MissingParameter', 'give Statistics or ExtendedStatistics');
    for (const name of extended)
      if (!isStatistic(name)) throw new ApiError('InvalidParameterValue', `"${name}" is not an extended statistic`);
    // Each statistic's series computed once, then read period by period.
    const seriesOf = (stat: string) =>
      this.cloudwatch.metrics
        .series(id, stat, input.Period * 1000, input.StartTime * 1000, input.EndTime * 1000)
        .map((p) => p.value);
    const counts = this.cloudwatch.metrics.series(
      id,
      'SampleCount',
      input.Period * 1000,
      input.StartTime * 1000,
      input.EndTime * 1000,
    );
    const columns = new Map([...statistics, ...extended].map((stat) => [stat, seriesOf(stat)]));
    const at = (stat: string, i: number) => columns.get(stat)?.[i] ?? null;
    const datapoints = counts.flatMap((bucket, i) => {
      if (bucket.value === null) return [];
      return [
        {
          Timestamp: seconds(bucket.time),
          ...Object.fromEntries(statistics.map((s) => [s, at(s, i)])),
          ...(extended.length > 0
            ? { ExtendedStatistics: Object.fromEntries(extended.map((s) => [s, at(s, i)])) }
            : {}),
          ...(input.Unit ? { Unit: input.Unit } : {}),
        },
      ];
    });
    return { Label: input.MetricName, Datapoints: datapoints };
  }

  listMetrics(input: z.infer<typeof listMetricsInput>): unknown {
    const filter = {
      ...(input.Namespace ? { namespace: input.Namespace } : {}),
      ...(input.MetricName ? { name: input.MetricName } : {}),
      dimensions: (input.Dimensions ?? []).map((d) => ({
        name: d.Name,
        ...(d.Value !== undefined ? { value: d.Value } : {}),
      })),
    };
    const metrics = this.cloudwatch.metrics.list(filter).map((m) => ({
      Namespace: m.namespace,
      MetricName: m.name,
      Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
    }));
    return { Metrics: metrics };
  }

  describeAlarms(input: z.infer<typeof describeAlarmsInput>): unknown {
    const selected = <T extends { spec: { name: string }; status: { state: string } }>(alarms: T[]) =>
      alarms
        .filter(
          ({ spec }) =>
            (input.AlarmNames === undefined || input.AlarmNames.includes(spec.name)) &&
            spec.name.startsWith(input.AlarmNamePrefix ?? ''),
        )
        .filter(({ status }) => input.StateValue === undefined || status.state === input.StateValue);
    const metricAlarms = selected(this.cloudwatch.alarms.describe()).map(({ spec, status }) => ({
      ...alarmFields(spec, status),
      MetricName: spec.metric.name,
      Namespace: spec.metric.namespace,
      ...(/^p\d/.test(spec.statistic) ? { ExtendedStatistic: spec.statistic } : { Statistic: spec.statistic }),
      Dimensions: Object.entries(spec.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
      Period: spec.periodSeconds,
      EvaluationPeriods: spec.condition.evaluationPeriods,
      DatapointsToAlarm: spec.condition.datapointsToAlarm ?? spec.condition.evaluationPeriods,
      Threshold: spec.condition.threshold,
      ComparisonOperator: spec.condition.comparisonOperator,
      TreatMissingData: spec.condition.treatMissingData ?? 'missing',
    }));
    const composites = selected(this.cloudwatch.composites.describe()).map(({ spec, status }) => ({
      ...alarmFields(spec, status),
      AlarmRule: spec.ruleText,
      ...(spec.suppressor
        ? {
            ActionsSuppressor: spec.suppressor,
            ActionsSuppressorWaitPeriod: spec.suppressorWaitMs / 1000,
            ActionsSuppressorExtensionPeriod: spec.suppressorExtensionMs / 1000,
          }
        : {}),
      ...(status.actionsSuppressedBy ? { ActionsSuppressedBy: status.actionsSuppressedBy } : {}),
    }));
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    return {
      MetricAlarms: types.includes('MetricAlarm') ? metricAlarms : [],
      CompositeAlarms: types.includes('CompositeAlarm') ? composites : [],
    };
  }

  async setAlarmState(input: z.infer<typeof setAlarmStateInput>): Promise<Record<string, never>> {
    if (!this.cloudwatch.alarms.describe().some(({ spec }) => spec.name === input.AlarmName)) {
      throw new ApiError('ResourceNotFound', `Alarm ${input.AlarmName} does not exist`, 404);
    }
    await this.cloudwatch.alarms.setState(input.AlarmName, input.StateValue, input.StateReason, input.StateReasonData);
    return {};
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
    throw new ApiError('InvalidParameterValue', problems);
  }
  return parsed.data as z.infer<S>;
}

/** What DescribeAlarms reports of any alarm: identity, actions and state. */
function alarmFields(
  spec: {
    name: string;
    arn: string;
    description?: string;
    actionsEnabled: boolean;
    actions: Readonly<Record<'OK' | 'ALARM' | 'INSUFFICIENT_DATA', readonly string[]>>;
  },
  status: { state: string; reason: string; reasonData?: string; updatedAt: number },
): Record<string, unknown> {
  return {
    AlarmName: spec.name,
    AlarmArn: spec.arn,
    ...(spec.description ? { AlarmDescription: spec.description } : {}),
    ActionsEnabled: spec.actionsEnabled,
    OKActions: spec.actions.OK,
    AlarmActions: spec.actions.ALARM,
    InsufficientDataActions: spec.actions.INSUFFICIENT_DATA,
    StateValue: status.state,
    StateReason: status.reason,
    ...(status.reasonData ? { StateReasonData: status.reasonData } : {}),
    StateUpdatedTimestamp: seconds(status.updatedAt),
    StateTransitionedTimestamp: seconds(status.updatedAt),
  };
}

import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
  type CompositeAlarm,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import type { Connection } from '../connection.js';
import type { CliContext } from '../context.js';
import { formatTable } from '../format.js';
import { parseSince, sparkline } from '../time.js';

/** The namespace of the project's own metrics (the functions' embedded-format lines). */
const NAMESPACE = 'ServerlessMlops';

type AnyAlarm = (MetricAlarm | CompositeAlarm) & { readonly type: 'metric' | 'composite' };

/** An alarm concerns a model when one of its dimensions is that model, or its name or description names it. */
const concerns = (alarm: AnyAlarm, model: string): boolean =>
  ('Dimensions' in alarm && (alarm.Dimensions ?? []).some((d) => d.Name === 'model' && d.Value === model)) ||
  (alarm.AlarmName ?? '').includes(model) ||
  (alarm.AlarmDescription ?? '').startsWith(`${model}:`) ||
  (alarm.AlarmDescription ?? '').startsWith(`${model} is `);

async function describeAlarms(c: Connection): Promise<AnyAlarm[]> {
  const alarms: AnyAlarm[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], ...(NextToken ? { NextToken } : {}) }),
    );
    for (const a of page.CompositeAlarms ?? []) alarms.push({ ...a, type: 'composite' });
    for (const a of page.MetricAlarms ?? []) alarms.push({ ...a, type: 'metric' });
    NextToken = page.NextToken;
  } while (NextToken);
  return alarms;
}

/** A model's metric over time: every dimension set of it that names the model, one series each. */
async function metricSeries(
  c: Connection,
  model: string,
  name: string,
  options: { since: string; stat: string; period: string },
) {
  const period = Number(options.period);
  if (!Number.isInteger(period) || period < 1)
    throw new Error(`--period must be a number of seconds, got "${options.period}"`);
  const end = Date.now();
  const start = parseSince(options.since, end);
  const { Metrics = [] } = await c.cloudwatch.send(
    new ListMetricsCommand({ Namespace: NAMESPACE, MetricName: name, Dimensions: [{ Name: 'model', Value: model }] }),
  );
  if (Metrics.length === 0)
    throw new Error(
      `no metric ${NAMESPACE}/${name} for model "${model}" (metrics appear once a function has reported them)`,
    );
  const { MetricDataResults = [] } = await c.cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(start),
      EndTime: new Date(end),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: Metrics.map((metric, i) => ({
        Id: `m${i}`,
        MetricStat: { Metric: metric, Period: period, Stat: options.stat },
        Label: (metric.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(','),
      })),
    }),
  );
  return MetricDataResults.map((r) => ({
    label: r.Label ?? '',
    points: (r.Timestamps ?? []).map((t, i) => ({ time: t.toISOString(), value: r.Values?.[i] ?? null })),
  }));
}

/** Monitoring: the alarms and their states, and a model's metrics over time. */
export function monitoringCommands(ctx: CliContext): void {
  const { program } = ctx;
  program
    .command('alarms')
    .description("the stack's alarms: state, reason and last change (a model's alarms only, when one is named)")
    .argument('[model]')
    .action(
      ctx.withConnection(async (c, model: string | undefined) => {
        const alarms = (await describeAlarms(c)).filter((a) => model === undefined || concerns(a, model));
        ctx.print(alarms, () =>
          alarms.length === 0
            ? `no alarms${model ? ` for model "${model}"` : ''}`
            : formatTable(
                ['alarm', 'type', 'state', 'since', 'reason'],
                alarms.map((a) => [
                  a.AlarmName,
                  a.type,
                  a.StateValue,
                  a.StateUpdatedTimestamp?.toISOString(),
                  a.StateReason?.slice(0, 120),
                ]),
              ),
        );
      }),
    );

  program
    .command('metrics')
    .description(`a model's metric over time (namespace ${NAMESPACE}), as a sparkline and a table`)
    .argument('<model>')
    .argument('<name>', 'the metric, e.g. RowsRead, GatePassed, ModelRefreshFailures')
    .option('--since <when>', 'how far back: 15m, 2h, 7d, or a date-time', '1h')
    .option('--stat <statistic>', 'Sum, Average, Minimum, Maximum, SampleCount or pNN', 'Sum')
    .option('--period <seconds>', 'one value per this many seconds', '60')
    .action(
      ctx.withConnection(
        async (c, model: string, name: string, options: { since: string; stat: string; period: string }) => {
          const series = await metricSeries(c, model, name, options);
          ctx.print(series, () =>
            series
              .map((s) =>
                [
                  `${name} (${options.stat} per ${options.period} s) ${s.label}`,
                  `  ${sparkline(s.points.map((p) => p.value))}`,
                  formatTable(
                    ['time', options.stat],
                    s.points.map((p) => [p.time, p.value]),
                  ),
                ].join('\n'),
              )
              .join('\n\n'),
          );
        },
      ),
    );
}

import * as z from 'zod';
import type { LocalResources } from '../template.js';
import { COMPARISON_OPERATORS, type AlarmState } from './alarm-evaluation.js';
import type { MetricAlarmSpec } from './alarm-messages.js';
import { parseAlarmRule } from './alarm-rule.js';
import type { CompositeAlarmSpec } from './composite-alarms.js';
import { isStatistic } from './statistics.js';

const alarmPropertiesSchema = z.object({
  AlarmDescription: z.string().optional(),
  ActionsEnabled: z.boolean().optional(),
  AlarmActions: z.array(z.string()).optional(),
  OKActions: z.array(z.string()).optional(),
  InsufficientDataActions: z.array(z.string()).optional(),
  Namespace: z.string(),
  MetricName: z.string(),
  Dimensions: z.array(z.object({ Name: z.string(), Value: z.string() })).optional(),
  Statistic: z.string().optional(),
  ExtendedStatistic: z.string().optional(),
  Period: z.number().int().positive(),
  EvaluationPeriods: z.number().int().positive(),
  DatapointsToAlarm: z.number().int().positive().optional(),
  Threshold: z.number(),
  ComparisonOperator: z.enum(COMPARISON_OPERATORS),
  TreatMissingData: z.enum(['missing', 'ignore', 'breaching', 'notBreaching']).optional(),
});

/** Every `AWS::CloudWatch::Alarm` of the template on a single metric (metric math is reported and skipped). */
export function loadMetricAlarms(resources: LocalResources): MetricAlarmSpec[] {
  const specs: MetricAlarmSpec[] = [];
  for (const [logicalId, resource] of resources.ofType('AWS::CloudWatch::Alarm')) {
    const parsed = alarmPropertiesSchema.safeParse(resources.resolve(resource.Properties ?? {}));
    if (!parsed.success) {
      console.error(
        `alarm ${logicalId} is not evaluated locally (only single-metric alarms are): ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      );
      continue;
    }
    const p = parsed.data;
    const statistic = p.ExtendedStatistic ?? p.Statistic ?? '';
    if (!isStatistic(statistic))
      throw new Error(`alarm ${logicalId}: "${statistic}" is not a statistic CloudWatch knows`);
    const list = (actions: string[] | undefined) => actions ?? [];
    const actions: Record<AlarmState, readonly string[]> = {
      ALARM: list(p.AlarmActions),
      OK: list(p.OKActions),
      INSUFFICIENT_DATA: list(p.InsufficientDataActions),
    };
    specs.push({
      logicalId,
      name: resources.physicalName(logicalId),
      arn: resources.arn(logicalId),
      ...(p.AlarmDescription ? { description: p.AlarmDescription } : {}),
      metric: {
        namespace: p.Namespace,
        name: p.MetricName,
        dimensions: Object.fromEntries((p.Dimensions ?? []).map((d) => [d.Name, d.Value])),
      },
      statistic,
      periodSeconds: p.Period,
      condition: {
        threshold: p.Threshold,
        comparisonOperator: p.ComparisonOperator,
        evaluationPeriods: p.EvaluationPeriods,
        ...(p.DatapointsToAlarm !== undefined ? { datapointsToAlarm: p.DatapointsToAlarm } : {}),
        ...(p.TreatMissingData !== undefined ? { treatMissingData: p.TreatMissingData } : {}),
      },
      actionsEnabled: p.ActionsEnabled ?? true,
      actions,
    });
  }
  return specs;
}

const compositePropertiesSchema = z.object({
  AlarmDescription: z.string().optional(),
  AlarmRule: z.string().min(1).max(10240),
  ActionsEnabled: z.boolean().optional(),
  AlarmActions: z.array(z.string()).optional(),
  OKActions: z.array(z.string()).optional(),
  InsufficientDataActions: z.array(z.string()).optional(),
  ActionsSuppressor: z.string().optional(),
  ActionsSuppressorWaitPeriod: z.number().int().nonnegative().optional(),
  ActionsSuppressorExtensionPeriod: z.number().int().nonnegative().optional(),
});

/** Every `AWS::CloudWatch::CompositeAlarm` of the template, its rule parsed (a rule that does not parse stops start-up). */
export function loadCompositeAlarms(resources: LocalResources): CompositeAlarmSpec[] {
  return resources.ofType('AWS::CloudWatch::CompositeAlarm').map(([logicalId, resource]) => {
    const parsed = compositePropertiesSchema.safeParse(resources.resolve(resource.Properties ?? {}));
    if (!parsed.success)
      throw new Error(
        `composite alarm ${logicalId}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const p = parsed.data;
    return {
      logicalId,
      name: resources.physicalName(logicalId),
      arn: resources.arn(logicalId),
      ...(p.AlarmDescription ? { description: p.AlarmDescription } : {}),
      ruleText: p.AlarmRule,
      rule: parseAlarmRule(p.AlarmRule),
      actionsEnabled: p.ActionsEnabled ?? true,
      actions: {
        ALARM: p.AlarmActions ?? [],
        OK: p.OKActions ?? [],
        INSUFFICIENT_DATA: p.InsufficientDataActions ?? [],
      },
      ...(p.ActionsSuppressor ? { suppressor: p.ActionsSuppressor } : {}),
      suppressorWaitMs: (p.ActionsSuppressorWaitPeriod ?? 0) * 1000,
      suppressorExtensionMs: (p.ActionsSuppressorExtensionPeriod ?? 0) * 1000,
    };
  });
}

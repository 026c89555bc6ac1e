import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { VirtualClock } from '../clock.js';
import { targetInput, type EventBridgeEvent } from './event-bus.js';
import type { LocalResources } from '../template.js';
import { nextFireTime, parseScheduleExpression, type ScheduleExpression } from './schedule-expression.js';

/** Delivers a payload to a target by ARN (a state machine, function or topic of the stack). */
export type Deliver = (arn: string, input: unknown, source: string) => void;

export interface LocalSchedule {
  readonly name: string;
  readonly kind: 'rule' | 'scheduler';
  readonly expression: ScheduleExpression;
  readonly timeZone?: string;
  /** Epoch ms of the first and last time it may fire. */
  readonly start: number;
  readonly end?: number;
  readonly fire: (time: number) => void;
}

const ruleSchema = z.object({
  ScheduleExpression: z.string(),
  State: z.string().optional(),
  Targets: z
    .array(
      z.object({
        Id: z.string(),
        Arn: z.string(),
        Input: z.string().optional(),
        InputPath: z.string().optional(),
        InputTransformer: z
          .object({ InputPathsMap: z.record(z.string(), z.string()).optional(), InputTemplate: z.string() })
          .optional(),
      }),
    )
    .default([]),
});

const schedulerSchema = z.object({
  ScheduleExpression: z.string(),
  ScheduleExpressionTimezone: z.string().optional(),
  StartDate: z.string().optional(),
  EndDate: z.string().optional(),
  State: z.string().optional(),
  Target: z.object({ Arn: z.string(), Input: z.string().optional() }),
});

/**
 * The template's schedules, run on the runtime's clock: EventBridge rules with a ScheduleExpression (UTC; each fire
 * puts a "Scheduled Event" to the rule's targets) and EventBridge Scheduler schedules (in their time zone, between
 * their start and end dates; each fire delivers the target's Input). Scheduler delivers at least once; locally each
 * fire is delivered once, at the start of any flexible time window.
 */
export function loadSchedules(
  resources: LocalResources,
  region: string,
  account: string,
  deliver: Deliver,
): LocalSchedule[] {
  return [...ruleSchedules(resources, region, account, deliver), ...schedulerSchedules(resources, deliver)];
}

/** EventBridge rules with a ScheduleExpression: each fire puts a "Scheduled Event" through the rule's targets. */
function ruleSchedules(resources: LocalResources, region: string, account: string, deliver: Deliver): LocalSchedule[] {
  const schedules: LocalSchedule[] = [];
  for (const [logicalId, resource] of resources.ofType('AWS::Events::Rule')) {
    const props = resources.resolve(resource.Properties ?? {}) as Record<string, unknown>;
    if (props.ScheduleExpression === undefined) continue;
    const rule = ruleSchema.parse(props);
    if ((rule.State ?? 'ENABLED') !== 'ENABLED') continue;
    const arn = resources.arn(logicalId);
    schedules.push({
      name: resources.physicalName(logicalId),
      kind: 'rule',
      expression: parseScheduleExpression(rule.ScheduleExpression),
      start: 0,
      fire: (time) => {
        const event: EventBridgeEvent = {
          version: '0',
          id: randomUUID(),
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account,
          time: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region,
          resources: [arn],
          detail: {},
        };
        for (const target of rule.Targets) {
          const local = {
            id: target.Id,
            arn: target.Arn,
            ...(target.Input ? { input: target.Input } : {}),
            ...(target.InputPath ? { inputPath: target.InputPath } : {}),
            ...(target.InputTransformer ? { inputTransformer: target.InputTransformer } : {}),
          };
          deliver(
            target.Arn,
            targetInput(local, event, { name: resources.physicalName(logicalId), arn }),
            `rule ${logicalId}`,
          );
        }
      },
    });
  }
  return schedules;
}

/**
 * The context attributes EventBridge Scheduler substitutes in a target's Input at each invocation: the schedule's ARN,
 * the time it was scheduled for (`2026-12-08T10:15:00Z`, whatever the delay before it runs), the execution id and the
 * attempt number (1: the local runtime delivers once; the function's own retries follow Lambda's rules).
 */
export function withContext(input: string, scheduleArn: string, scheduledTime: number): string {
  return input
    .replaceAll('<aws.scheduler.schedule-arn>', scheduleArn)
    .replaceAll('<aws.scheduler.scheduled-time>', new Date(scheduledTime).toISOString().replace(/\.\d{3}Z$/, 'Z'))
    .replaceAll('<aws.scheduler.execution-id>', randomUUID())
    .replaceAll('<aws.scheduler.attempt-number>', '1');
}

/** EventBridge Scheduler schedules: their time zone, start and end dates, the target's Input (its context attributes). */
function schedulerSchedules(resources: LocalResources, deliver: Deliver): LocalSchedule[] {
  const schedules: LocalSchedule[] = [];
  for (const [logicalId, resource] of resources.ofType('AWS::Scheduler::Schedule')) {
    const schedule = schedulerSchema.parse(resources.resolve(resource.Properties ?? {}));
    if ((schedule.State ?? 'ENABLED') !== 'ENABLED') continue;
    const arn = `arn:aws:scheduler:${resources.env.region}:${resources.env.account}:schedule/default/${resources.physicalName(logicalId)}`;
    schedules.push({
      name: resources.physicalName(logicalId),
      kind: 'scheduler',
      expression: parseScheduleExpression(schedule.ScheduleExpression),
      ...(schedule.ScheduleExpressionTimezone ? { timeZone: schedule.ScheduleExpressionTimezone } : {}),
      start: schedule.StartDate ? Date.parse(schedule.StartDate) : 0,
      ...(schedule.EndDate ? { end: Date.parse(schedule.EndDate) } : {}),
      fire: (time) =>
        deliver(
          schedule.Target.Arn,
          schedule.Target.Input === undefined ? {} : JSON.parse(withContext(schedule.Target.Input, arn, time)),
          `schedule ${logicalId}`,
        ),
    });
  }
  return schedules;
}

/** Arms each schedule on the clock (a rate counts from now, as from a rule's creation); returns the stop function. */
export function runSchedules(schedules: readonly LocalSchedule[], clock: VirtualClock): () => void {
  const cancels = new Map<string, () => void>();
  const created = clock.now();
  const arm = (schedule: LocalSchedule, after: number) => {
    const from = Math.max(after, schedule.start - 1);
    const next = nextFireTime(schedule.expression, from, {
      start: Math.max(created, schedule.start),
      ...(schedule.timeZone ? { timeZone: schedule.timeZone } : {}),
    });
    if (next === undefined || (schedule.end !== undefined && next > schedule.end)) return;
    cancels.set(
      schedule.name,
      clock.at(next, () => {
        arm(schedule, next);
        schedule.fire(next);
      }),
    );
  };
  for (const schedule of schedules) arm(schedule, created);
  return () => {
    for (const cancel of cancels.values()) cancel();
  };
}

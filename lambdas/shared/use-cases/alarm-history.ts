import * as z from 'zod';
import type { Registry } from '../adapters/registry.js';

/**
 * What the alarm-history rule sends (its input transformer picks these out of CloudWatch's "CloudWatch Alarm State
 * Change" event and adds the model the rule is for).
 */
export const alarmChangeSchema = z.object({
  model: z.string().min(1),
  alarmName: z.string().min(1),
  state: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  previousState: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  reason: z.string(),
  /** When the alarm changed (the event's time). */
  time: z.iso.datetime(),
  /** The event's id: a second delivery of the same event records nothing. */
  eventId: z.string().min(1),
});

export type AlarmChange = z.infer<typeof alarmChangeSchema>;

/** The actor of alarm events in the audit trail. */
export const ALARM_ACTOR = 'cloudwatch';

/**
 * Records an alarm's state change in the model's audit trail, with the version in production at that moment, so the
 * trail tells the story of an incident (alarm, rollback, recovery) in one place. Idempotent on the event id.
 */
export async function recordAlarmChange(
  registry: Registry,
  change: AlarmChange,
): Promise<{ recorded: boolean; version: number }> {
  const production = await registry.aliases.get(change.model);
  const version = production?.version ?? 0;
  const recorded = await registry.audit.appendOnce(
    {
      model: change.model,
      action: 'alarm',
      actor: ALARM_ACTOR,
      reason: change.reason,
      version,
      previousVersion: null,
      outcome: 'succeeded',
      detail: `${change.alarmName}: ${change.previousState} → ${change.state}`,
    },
    { at: new Date(change.time).toISOString(), id: change.eventId },
  );
  return { recorded, version };
}

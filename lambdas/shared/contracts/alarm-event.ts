import * as z from 'zod';

/**
 * CloudWatch's "CloudWatch Alarm State Change" event as EventBridge delivers it (the incident rule passes the whole
 * event): the alarm's name, its new and previous state, and — for a metric alarm — the metric it watches, which tells
 * the incident function the alarm's model and kind. A composite alarm carries its rule instead of metrics.
 */
const stateSchema = z.object({
  value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  reason: z.string().default(''),
  timestamp: z.string().min(1),
});

const metricSchema = z.object({
  metricStat: z
    .object({
      metric: z.object({
        namespace: z.string(),
        name: z.string(),
        dimensions: z.record(z.string(), z.string()).default({}),
      }),
    })
    .optional(),
});

export const alarmStateChangeSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  time: z.string(),
  resources: z.array(z.string()).default([]),
  detail: z.object({
    alarmName: z.string().min(1),
    state: stateSchema,
    previousState: stateSchema.optional(),
    configuration: z
      .object({ metrics: z.array(metricSchema).optional() })
      .loose()
      .default({}),
  }),
});

export type AlarmStateChange = z.infer<typeof alarmStateChangeSchema>;

/**
 * Step Functions' "Execution Status Change" event of an incident's response workflow that ended without finishing
 * (the incident rule's second pattern): its input names the incident.
 */
export const responseEndedSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  source: z.literal('aws.states'),
  time: z.string(),
  detail: z.object({
    name: z.string().min(1),
    status: z.enum(['ABORTED', 'FAILED', 'TIMED_OUT']),
    input: z.string().transform((text, ctx) => {
      try {
        return z.object({ incident: z.string().regex(/^\d+$/) }).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'the execution input names no incident ({"incident": "<n>"})' });
        return z.NEVER;
      }
    }),
    error: z.string().nullable().optional(),
    cause: z.string().nullable().optional(),
  }),
});

export type ResponseEnded = z.infer<typeof responseEndedSchema>;

/** What the incident function is sent: an alarm's state change, or one of its response workflows ending early. */
export const incidentEventSchema = z.union([alarmStateChangeSchema, responseEndedSchema]);

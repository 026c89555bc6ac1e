import * as z from 'zod';

/**
 * The steps of an incident's response workflow (state-machines/incident.ts), each a call of the incident-response
 * function: announce the incident after its group wait, watch it (settled, open, or due for tier 2), notify tier 2
 * with the task token their acknowledgement answers, escalate to tier 3 (on tier 2's timeout, at their request, or
 * when a step failed).
 */
const incident = z.string().regex(/^\d+$/, 'an incident number');

export const incidentStepSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('announce'), incident }),
  /** Tier 1: the automated runbook, once after the announcement (lambdas/shared/use-cases/incident-runbook.ts). */
  z.object({ action: z.literal('runbook'), incident }),
  /** Watches the incident: settled (its resolution paged), still open, or due for tier 2 after `tier1Seconds`. */
  z.object({ action: z.literal('check'), incident, tier1Seconds: z.number().int().positive() }),
  z.object({ action: z.literal('notify'), incident, token: z.string().min(1) }),
  z.object({
    action: z.literal('escalate'),
    incident,
    /** What sent it on: the Catch's error and cause (States.Timeout, Escalated, a failed step). */
    error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
  }),
]);

export type IncidentStep = z.infer<typeof incidentStepSchema>;

/** `tier2`: open, tier 1's time is up and tier 2 was not told yet. */
export type IncidentStatus = 'open' | 'held' | 'resolved' | 'tier2';

/** What the workflow branches on: the incident's status, and its tiers' times (from its models' files). */
export interface StepAnswer {
  readonly status: IncidentStatus;
  readonly tier1Seconds: number;
  readonly ackSeconds: number;
}

/** The error a person's escalation fails tier 2's waiting task with (SendTaskFailure); the workflow's Catch matches it. */
export const ESCALATED_ERROR = 'Escalated';

import * as z from 'zod';
import { extent } from '../extent.js';

/**
 * How the model's incidents are responded to (issue 22): how long tier 1 (the automated runbook, and the alarms' own
 * recovery) has before tier 2 — the data scientists — is notified, how long they have to acknowledge before tier 3 —
 * the model developers — is, and notes for both shown on the incident's page.
 */
export const incidentsSchema = z
  .object({
    /** Minutes after the incident's announcement before the data scientists are notified, if it is still open. */
    tier1Minutes: z.number().int().min(1).max(1440).default(15),
    /** Minutes the data scientists have to acknowledge (`mlops incidents ack`) before it escalates to tier 3. */
    acknowledgeMinutes: z.number().int().min(1).max(10_080).default(30),
    /** Notes for the people of tiers 2 and 3: where to look first, whom to call. */
    notes: z.string().max(4000).optional(),
  })
  .strict();

export type IncidentsConfig = z.infer<typeof incidentsSchema>;

export const DEFAULT_INCIDENTS: IncidentsConfig = incidentsSchema.parse({});

/** The settings of an incident of several models (or none: the stack's defaults): the shortest of each time. */
export function incidentSettings(configs: readonly IncidentsConfig[]): IncidentsConfig {
  if (configs.length === 0) return DEFAULT_INCIDENTS;
  const notes = configs.flatMap((c) => (c.notes === undefined ? [] : [c.notes]));
  return {
    tier1Minutes: extent(configs.map((c) => c.tier1Minutes))?.min ?? DEFAULT_INCIDENTS.tier1Minutes,
    acknowledgeMinutes: extent(configs.map((c) => c.acknowledgeMinutes))?.min ?? DEFAULT_INCIDENTS.acknowledgeMinutes,
    ...(notes.length > 0 ? { notes: notes.join('\n\n') } : {}),
  };
}

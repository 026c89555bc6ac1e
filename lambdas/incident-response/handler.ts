import { incidentStepSchema } from '../shared/contracts/incident-steps.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { runIncidentStep } from '../shared/use-cases/incident-response.js';
import { deps } from './dependencies.js';

/** The steps of an incident's response workflow: announce, tier 1's runbook, check, notify tier 2, escalate to tier 3. */
export const handler = stepHandler({
  input: incidentStepSchema,
  correlate: () => ({ model: 'incidents' }),
  run: (step) => runIncidentStep(deps, step),
  done: (answer, step) => ({
    message: `incident ${step.incident}: ${step.action}`,
    fields: { incident: step.incident, ...answer },
  }),
});

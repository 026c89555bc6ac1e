import { incidentEventSchema } from '../shared/contracts/alarm-event.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { deps } from './dependencies.js';
import { respondToAlarm, respondToEndedResponse } from './respond.js';

/** Target of the incident rule: every state change of the stack's alarms. */
export const handler = stepHandler({
  input: incidentEventSchema,
  correlate: () => ({ model: 'incidents' }),
  run: (event) => (event.source === 'aws.states' ? respondToEndedResponse(deps, event) : respondToAlarm(deps, event)),
  done: (response, event) => ({
    message:
      event.source === 'aws.states'
        ? 'response workflow ended early'
        : response.ignored
          ? `alarm change ignored: ${response.ignored}`
          : 'alarm change applied to the incidents',
    fields: {
      ...(event.source === 'aws.states'
        ? { execution: event.detail.name, status: event.detail.status }
        : { alarmName: event.detail.alarmName, state: event.detail.state.value }),
      alarmModel: response.model,
      effects: response.effects,
      pages: response.sent.map((p) => p.subject),
      responses: response.started,
    },
    counts: {
      IncidentPagesSent: response.sent.length,
      IncidentResponsesStarted: response.started.length,
      AlarmChangesIgnored: response.ignored ? 1 : 0,
    },
  }),
});

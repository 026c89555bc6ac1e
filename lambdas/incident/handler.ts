import { IncidentStore } from '../shared/adapters/incident-store.js';
import { publishToTopic } from '../shared/adapters/topic-publisher.js';
import { alarmStateChangeSchema } from '../shared/contracts/alarm-event.js';
import { createDocumentClient } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { Registry } from '../shared/adapters/registry.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { registryChanges } from '../shared/use-cases/incidents.js';
import { respondToAlarm } from './respond.js';

const env = readEnv(['REGISTRY_TABLE', 'PAGE_TOPIC_ARNS']);
const db = createDocumentClient();
const topics = env.PAGE_TOPIC_ARNS.split(',').filter((arn) => arn !== '');
const deps = {
  incidents: new IncidentStore(db, env.REGISTRY_TABLE),
  changes: registryChanges(new Registry(db, env.REGISTRY_TABLE)),
  page: async (page: { subject: string; message: string }) => {
    for (const topicArn of topics) await publishToTopic({ topicArn, subject: page.subject, message: page.message });
  },
};

/** Target of the incident rule: every state change of the stack's alarms. */
export const handler = stepHandler({
  input: alarmStateChangeSchema,
  correlate: () => ({ model: 'incidents' }),
  run: (event) => respondToAlarm(deps, event),
  done: (response, event) => ({
    message: response.ignored ? `alarm change ignored: ${response.ignored}` : 'alarm change applied to the incidents',
    fields: {
      alarmName: event.detail.alarmName,
      state: event.detail.state.value,
      alarmModel: response.model,
      effects: response.effects,
      pages: response.sent.map((p) => p.subject),
    },
    counts: { IncidentPagesSent: response.sent.length, AlarmChangesIgnored: response.ignored ? 1 : 0 },
  }),
});

import { createDocumentClient } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { Registry } from '../shared/adapters/registry.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { alarmChangeSchema, recordAlarmChange } from '../shared/use-cases/alarm-history.js';

const env = readEnv(['REGISTRY_TABLE']);
const registry = new Registry(createDocumentClient(), env.REGISTRY_TABLE);

/** Target of each model's alarm-history rule: the alarm's change goes into the model's audit trail. */
export const handler = stepHandler({
  input: alarmChangeSchema,
  correlate: ({ model }) => ({ model }),
  run: (change) => recordAlarmChange(registry, change),
  done: ({ recorded, version }, change) => ({
    message: recorded
      ? 'alarm change recorded in the audit trail'
      : 'alarm change already recorded (a repeated delivery)',
    fields: {
      alarmName: change.alarmName,
      state: change.state,
      previousState: change.previousState,
      productionVersion: version,
    },
    counts: { AlarmChangesRecorded: recorded ? 1 : 0 },
  }),
});

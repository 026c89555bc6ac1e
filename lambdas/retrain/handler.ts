import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { scheduleMinutes } from '../core/monitoring-config.js';
import { loadModelConfig } from '../shared/contracts/model-files.js';
import { RETRAIN_METRICS } from '../shared/contracts/metric-names.js';
import { Registry } from '../shared/adapters/registry.js';
import { RetrainStore } from '../shared/adapters/retrain-store.js';
import { createDocumentClient, createS3Client } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { tracer } from '../shared/runtime/tracer.js';
import { retrainModel, type RetrainDeps, type RetrainRequest } from './retrain.js';

const env = readEnv(['REGISTRY_TABLE', 'DATA_BUCKET', 'TRAINING_STATE_MACHINE_ARN']);
const documents = createDocumentClient();
const sfn = tracer.captureAWSv3Client(new SFNClient({}));
const registry = new Registry(documents, env.REGISTRY_TABLE);

const deps: RetrainDeps = {
  s3: createS3Client(),
  registry,
  retrains: new RetrainStore(documents, env.REGISTRY_TABLE),
  dataBucket: env.DATA_BUCKET,
  startTraining: async (name, input) => {
    try {
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: env.TRAINING_STATE_MACHINE_ARN,
          name,
          input: JSON.stringify(input),
        }),
      );
      return started.executionArn ?? name;
    } catch (error) {
      // A retried invocation: the execution of that name was started already.
      if (error instanceof ExecutionAlreadyExists)
        return `${env.TRAINING_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;
      throw error;
    }
  },
};

/** The "needs retraining" alarm's change (from the model's rule), the retraining schedule, or `mlops retrain`. */
const retrainInputSchema = z.discriminatedUnion('trigger', [
  z.object({
    model: z.string().min(1),
    trigger: z.literal('alarm'),
    alarmName: z.string(),
    reason: z.string(),
    time: z.string(),
  }),
  z.object({ model: z.string().min(1), trigger: z.literal('schedule') }),
  z.object({
    model: z.string().min(1),
    trigger: z.literal('manual'),
    reason: z.string().min(1),
    actor: z.string().min(1),
  }),
]);
type RetrainInput = z.infer<typeof retrainInputSchema>;

/** The request the policy judges: its dedup key (the alarm episode, the schedule's interval, the person's request). */
function requestOf(input: RetrainInput, schedule: string | null, now: Date): RetrainRequest {
  if (input.trigger === 'alarm')
    return {
      model: input.model,
      trigger: 'alarm',
      key: `${input.alarmName}@${input.time}`,
      at: now,
      detail: `${input.alarmName} went to ALARM at ${input.time}: ${input.reason}`,
      actor: 'cloudwatch',
    };
  if (input.trigger === 'schedule') {
    const step = (scheduleMinutes(schedule ?? 'rate(1 day)') ?? 1440) * 60_000;
    const slot = new Date(Math.floor(now.getTime() / step) * step).toISOString();
    return {
      model: input.model,
      trigger: 'schedule',
      key: `schedule@${slot}`,
      at: now,
      detail: `retraining schedule (${schedule})`,
      actor: 'scheduler',
    };
  }
  return {
    model: input.model,
    trigger: 'manual',
    key: `manual@${now.toISOString()}`,
    at: now,
    detail: `${input.actor}: ${input.reason}`,
    actor: input.actor,
  };
}

/** Continuous training: starts a retraining run when the policy allows it, and audits what it did. */
export const handler = stepHandler({
  input: retrainInputSchema,
  correlate: ({ model }) => ({ model }),
  run: async (input) => {
    const { config, sha256 } = loadModelConfig(input.model);
    // Date.now(), not new Date(): locally, the runtime's clock (which tests move) drives Date.now() only.
    const request = requestOf(input, config.retraining.schedule, new Date(Date.now()));
    const outcome = await retrainModel(deps, config, sha256, request);
    // Audited: a run started, a person's request, and an allowed retraining that found nothing new to train on (what
    // the alarm or schedule asked for, and why nothing ran); requests the policy declines (cool-down, cap) are not.
    if (outcome.started || request.trigger === 'manual' || outcome.nothingNew === true) {
      const production = await registry.aliases.get(input.model);
      await registry.audit.append({
        model: input.model,
        action: 'retrain',
        actor: request.actor,
        reason: request.detail,
        version: production?.version ?? 0,
        previousVersion: null,
        outcome: outcome.started ? 'succeeded' : 'refused',
        detail: outcome.started ? `started ${outcome.executionArn} on ${outcome.data.join(', ')}` : outcome.reason,
      });
    }
    return outcome;
  },
  done: (outcome, input) => ({
    message: outcome.started ? 'retraining started' : 'no retraining started',
    fields: {
      trigger: input.trigger,
      ...(outcome.started ? { execution: outcome.executionArn } : { reason: outcome.reason }),
    },
    counts: {
      [RETRAIN_METRICS.started]: outcome.started ? 1 : 0,
      [RETRAIN_METRICS.nothingNew]: !outcome.started && outcome.nothingNew === true ? 1 : 0,
    },
  }),
});

import type * as z from 'zod';
import { causeMessage } from '../shared/contracts/cause.js';
import { runRefFromEvent } from '../shared/contracts/run-identity.js';
import { objectCreatedEventSchema, type finishInputSchema, type RunRef } from '../shared/contracts/pipeline-state.js';
import type { Registry } from '../shared/adapters/registry.js';
import type { RunStatus } from '../shared/contracts/registry-records.js';

export type FinishInput = z.infer<typeof finishInputSchema>;

export interface FinishResult {
  readonly status: RunStatus;
  readonly model: string;
  readonly runId: string;
  readonly reason: string;
  readonly errorType?: string;
}

/**
 * Ends a run as REJECTED (the gate said no) or FAILED (a step threw). The production pointer is never touched here,
 * so a failed or rejected run leaves what is served as it was.
 */
/** The run a failure belongs to: from the state, or, when it failed before it was registered, from the upload event. */
export function runOfState(state: FinishInput['state']): RunRef {
  return state.run ?? runRefFromEvent(objectCreatedEventSchema.parse(state));
}

/** The model and run for the log lines and metrics: the upload's key names the model even before registration. */
export function correlationOfState(state: FinishInput['state']): { model: string; runId?: string } {
  if (state.run !== undefined) return state.run;
  const event = objectCreatedEventSchema.safeParse(state);
  return event.success ? runRefFromEvent(event.data) : { model: '_unassigned' };
}

export async function finishRun(registry: Registry, input: FinishInput): Promise<FinishResult> {
  const { outcome, state } = input;
  const run = runOfState(state);
  const reason =
    outcome === 'REJECTED'
      ? (state.validation?.gate.summary ?? 'rejected by the gate')
      : causeMessage(state.error?.Cause);
  const errorType = outcome === 'FAILED' ? (state.error?.Error ?? 'Unknown') : undefined;
  const now = new Date().toISOString();
  // What a re-drive needs: the results of the steps that completed (the failure itself is left out).
  const { error: _error, failure: _failure, resume: _resume, ...reached } = state as Record<string, unknown>;
  const fields = {
    status: outcome,
    reason,
    finishedAt: now,
    ...(errorType ? { errorType } : {}),
    ...(outcome === 'FAILED' && state.run !== undefined ? { resumeState: reached } : {}),
  };
  const existing = await registry.runs.get(run.model, run.runId);
  if (existing === undefined) {
    // The failure happened before the run could be registered (e.g. the object vanished): record it now.
    await registry.runs.create({
      model: run.model,
      runId: run.runId,
      trigger: run.trigger,
      startedAt: now,
      updatedAt: now,
      ...fields,
    });
  } else {
    await registry.runs.update(run.model, run.runId, fields);
  }
  return { status: outcome, model: run.model, runId: run.runId, reason, ...(errorType ? { errorType } : {}) };
}

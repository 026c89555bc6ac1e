import type { z } from 'zod';
import { runRefFromEvent } from '../register-run/register-run.js';
import { objectCreatedEventSchema, type finishInputSchema, type RunRef } from '../shared/pipeline-state.js';
import type { Registry, RunStatus } from '../shared/registry.js';

export type FinishInput = z.infer<typeof finishInputSchema>;

export interface FinishResult {
  readonly status: RunStatus;
  readonly model: string;
  readonly runId: string;
  readonly reason: string;
  readonly errorType?: string;
}

/**
 * Step Functions passes a Lambda error's Cause as JSON ({"errorMessage", "errorType", ...}); other errors (and the
 * local interpreter) pass plain text. Either way the person reading the run wants the message.
 */
export function causeMessage(cause: string | undefined): string {
  if (cause === undefined || cause === '') return 'no cause was given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // plain text
  }
  return cause;
}

/**
 * Ends a run as REJECTED (the gate said no) or FAILED (a step threw). The production pointer is never touched here,
 * so a failed or rejected run leaves what is served as it was.
 */
export async function finishRun(registry: Registry, input: FinishInput): Promise<FinishResult> {
  const { outcome, state } = input;
  const run: RunRef = state.run ?? runRefFromEvent(objectCreatedEventSchema.parse(state));
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
  const existing = await registry.getRun(run.model, run.runId);
  if (existing === undefined) {
    // The failure happened before the run could be registered (e.g. the object vanished): record it now.
    await registry.createRun({ model: run.model, runId: run.runId, trigger: run.trigger, startedAt: now, updatedAt: now, ...fields });
  } else {
    await registry.updateRun(run.model, run.runId, fields);
  }
  return { status: outcome, model: run.model, runId: run.runId, reason, ...(errorType ? { errorType } : {}) };
}

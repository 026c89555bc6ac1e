import * as z from 'zod';
import { ConflictError } from '../core/errors.js';
import { objectCreatedEventSchema, runRefSchema, type RunRef } from '../shared/contracts/pipeline-state.js';
import { PIPELINE_STEPS, resumeStepOf } from '../shared/contracts/pipeline-steps.js';
import type { Registry } from '../shared/adapters/registry.js';
import type { RunRecord } from '../shared/contracts/registry-records.js';
import { redriveExecutionName, runRefFromEvent } from '../shared/contracts/run-identity.js';
import type { FinishResult } from './finish-run.js';

/**
 * Step Functions' "Execution Status Change" event for a training execution that FAILED, TIMED_OUT or was ABORTED —
 * what an EventBridge rule sends here, so a run whose execution ended outside the state machine's own Catch (an abort,
 * the execution's timeout, a crash of the local runtime, a failure recording the failure) does not stay RUNNING.
 */
export const executionStatusChangeSchema = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  source: z.literal('aws.states'),
  detail: z.object({
    executionArn: z.string().min(1),
    stateMachineArn: z.string().min(1),
    name: z.string().min(1),
    status: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED']),
    input: z.string().nullable().optional(),
    error: z.string().nullable().optional(),
    cause: z.string().nullable().optional(),
  }),
});
export type ExecutionStatusChange = z.infer<typeof executionStatusChangeSchema>;

/** A state entered in the execution's history (GetExecutionHistory's `*StateEntered` events), newest first. */
export interface EnteredState {
  readonly name: string;
  /** The state's input as the history holds it (JSON text). */
  readonly input?: string;
}

/** Reads the states an execution entered, newest first (GetExecutionHistory in reverse order, page by page). */
export type EnteredStates = (executionArn: string) => AsyncIterable<EnteredState>;

const stateSchema = z.record(z.string(), z.unknown());
const RESUMABLE: readonly string[] = Object.values(PIPELINE_STEPS);

/** The run an execution worked for: a re-drive's input carries it; an upload's names it through its object. */
export function runOfExecution(event: ExecutionStatusChange): RunRef | undefined {
  let input: unknown;
  try {
    input = JSON.parse(event.detail.input ?? 'null');
  } catch {
    return undefined;
  }
  const redriven = z.object({ run: runRefSchema }).safeParse(input);
  if (redriven.success) return redriven.data.run;
  const upload = objectCreatedEventSchema.safeParse(input);
  return upload.success ? runRefFromEvent(upload.data) : undefined;
}

/** Whether the event's execution is the run's current one (a re-drive starts a newer one, named after the run). */
function isCurrentExecution(run: RunRecord, event: ExecutionStatusChange): boolean {
  const redrives = run.redrives ?? 0;
  return redrives === 0
    ? run.executionId === event.detail.executionArn
    : event.detail.name === redriveExecutionName(run.runId, redrives);
}

/** The last pipeline step the execution entered and the state it entered it with: where a re-drive resumes. */
async function lastResumable(
  states: EnteredStates,
  executionArn: string,
): Promise<{ step: string; state: Record<string, unknown> } | undefined> {
  for await (const entered of states(executionArn)) {
    if (!RESUMABLE.includes(entered.name) || entered.input === undefined) continue;
    const parsed = stateSchema.safeParse(JSON.parse(entered.input));
    if (!parsed.success) continue;
    const { resume: _resume, error: _error, failure: _failure, ...reached } = parsed.data;
    return { step: entered.name, state: reached };
  }
  return undefined;
}

const ENDED_HOW = { FAILED: 'failed', TIMED_OUT: 'timed out', ABORTED: 'was aborted' } as const;

/**
 * Marks the run of an execution that ended outside the pipeline's Catch as FAILED, at the step it had reached and with
 * the state it had there, so `mlops runs redrive` resumes it. A run that already ended (its Catch recorded it, or it
 * was promoted before a later step died), or whose current execution is another, is left as it is.
 */
export async function endStoppedRun(
  registry: Registry,
  states: EnteredStates,
  event: ExecutionStatusChange,
): Promise<FinishResult | { ignored: string }> {
  const ref = runOfExecution(event);
  if (ref === undefined) return { ignored: 'the execution was not started for a run' };
  const run = await registry.runs.get(ref.model, ref.runId);
  if (run === undefined) return { ignored: `run ${ref.runId} of ${ref.model} was never recorded` };
  if (run.status !== 'RUNNING') return { ignored: `run ${ref.runId} of ${ref.model} already ended ${run.status}` };
  if (!isCurrentExecution(run, event))
    return { ignored: `run ${ref.runId} of ${ref.model} belongs to a later execution` };
  const reached = await lastResumable(states, event.detail.executionArn);
  // Stopped before ETL began: ETL is where it resumes, with the upload and the run RegisterRun recorded.
  const step = reached?.step ?? resumeStepOf(run.step) ?? PIPELINE_STEPS.etl;
  const resumeState = reached?.state ?? {
    ...stateSchema.parse(JSON.parse(event.detail.input ?? '{}')),
    run: { model: run.model, runId: run.runId, trigger: run.trigger, duplicate: false },
  };
  const { detail } = event;
  const reason = `the execution ${ENDED_HOW[detail.status]} at ${step}, outside the pipeline's own error handling${detail.cause ? ` (${detail.cause})` : ''}; resume it with: mlops runs redrive ${run.model} ${run.runId}`;
  const errorType =
    detail.error ??
    `Execution${detail.status === 'TIMED_OUT' ? 'TimedOut' : detail.status === 'ABORTED' ? 'Aborted' : 'Failed'}`;
  try {
    await registry.runs.update(run.model, run.runId, {
      status: 'FAILED',
      step,
      reason,
      errorType,
      finishedAt: new Date().toISOString(),
      resumeState,
    });
  } catch (error) {
    // It ended meanwhile (its own Catch was faster): that record stands.
    if (error instanceof ConflictError) return { ignored: error.message };
    throw error;
  }
  return { status: 'FAILED', model: run.model, runId: run.runId, reason, errorType };
}

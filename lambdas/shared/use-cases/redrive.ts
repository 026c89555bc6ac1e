import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { resumeStepOf } from '../contracts/pipeline-steps.js';
import { redriveExecutionName } from '../contracts/run-identity.js';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Registry } from '../adapters/registry.js';

/** What a re-drive needs: the registry and the training state machine. */
export interface RedriveDeps {
  readonly registry: Registry;
  readonly sfn: SFNClient;
  readonly stateMachineArn: string;
}

export interface Redrive {
  readonly runId: string;
  readonly step: string;
  readonly executionArn: string;
  /** With --wait: how the execution ended, and the run's status and reason after it. */
  readonly status?: string;
  readonly runStatus?: string;
  readonly reason?: string;
}

/**
 * Re-drives a FAILED run from the step that failed, without redoing the steps before it: the run is reopened (one
 * write conditioned on it still being FAILED) and a new execution enters the state machine at that step with the
 * state the run had reached. The same calls work against AWS (StartExecution) and the local runtime.
 */
export async function redriveRun(c: RedriveDeps, model: string, runId: string, wait: boolean): Promise<Redrive> {
  const run = await c.registry.runs.get(model, runId);
  if (run === undefined)
    throw new NotFoundError(`model "${model}" has no run ${runId} (mlops runs ${model} lists them)`);
  if (run.status !== 'FAILED')
    throw new ConflictError(`run ${runId} is ${run.status}; only FAILED runs can be re-driven`);
  if (run.resumeState === undefined) {
    throw new ConflictError(
      `run ${runId} failed before the pipeline recorded its state (${run.reason ?? 'no reason'}); upload the data again instead`,
    );
  }
  const step = resumeStepOf(run.step);
  if (step === undefined)
    throw new ConflictError(`run ${runId} failed at ${run.step ?? '?'}, which cannot be re-entered`);
  const reopened = await c.registry.runs.reopen(model, runId);
  const started = await c.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: c.stateMachineArn,
      name: redriveExecutionName(runId, reopened.redrives ?? 1),
      input: JSON.stringify({ ...run.resumeState, resume: { step } }),
    }),
  );
  const executionArn = started.executionArn ?? '';
  if (!wait) return { runId, step, executionArn };
  for (;;) {
    const described = await c.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') {
      const after = await c.registry.runs.get(model, runId);
      return {
        runId,
        step,
        executionArn,
        status: described.status ?? 'UNKNOWN',
        ...(after ? { runStatus: after.status } : {}),
        ...(after?.reason ? { reason: after.reason } : {}),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  endStoppedRun,
  type EnteredState,
  type ExecutionStatusChange,
} from '../../lambdas/finish-run/stopped-execution.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import { runRefFromEvent } from '../../lambdas/shared/contracts/run-identity.js';
import { startTestRegistry } from '../helpers/registry-table.js';

let registry: Registry;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ registry, stop } = await startTestRegistry());
});

afterAll(() => stop());

const upload = (key: string) =>
  ({
    'detail-type': 'Object Created',
    source: 'aws.s3',
    detail: { bucket: { name: 'data' }, object: { key, etag: 'e1', size: 10 } },
  }) as const;
const ARN = 'arn:aws:states:us-east-1:0:execution:Training:';

function statusChange(
  input: unknown,
  name: string,
  status: ExecutionStatusChange['detail']['status'] = 'ABORTED',
): ExecutionStatusChange {
  return {
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    detail: {
      executionArn: `${ARN}${name}`,
      stateMachineArn: 'arn:aws:states:us-east-1:0:stateMachine:Training',
      name,
      status,
      input: JSON.stringify(input),
      error: null,
      cause: null,
    },
  };
}

/** A history whose newest entered states are these (newest first), as GetExecutionHistory in reverse order reads it. */
const history = (states: EnteredState[]) =>
  async function* () {
    yield* states;
  };

async function runningRun(key: string, executionName: string, step: string) {
  const event = upload(key);
  const ref = runRefFromEvent(event);
  await registry.runs.create({
    model: ref.model,
    runId: ref.runId,
    status: 'RUNNING',
    trigger: ref.trigger,
    startedAt: 't',
    updatedAt: 't',
    executionId: `${ARN}${executionName}`,
    step,
  });
  return { event, ref };
}

describe('ending the run of an execution that stopped outside its Catch', () => {
  it('marks it FAILED at the last pipeline step it entered, with the state it entered it with, so a re-drive resumes there', async () => {
    const { event, ref } = await runningRun('incoming/adult/a.csv', 'exec-a', 'Tune');
    const tuneInput = { ...event, run: ref, etl: { prefix: 'runs/adult/x/' } };
    const states = history([
      { name: 'TrainCandidate', input: '{"trial":{}}' },
      { name: 'Tune', input: JSON.stringify(tuneInput) },
      { name: 'ETL', input: '{}' },
    ]);
    const result = await endStoppedRun(registry, states, statusChange(event, 'exec-a', 'TIMED_OUT'));
    expect(result).toMatchObject({ status: 'FAILED', runId: ref.runId, errorType: 'ExecutionTimedOut' });
    const run = await registry.runs.get('adult', ref.runId);
    expect(run).toMatchObject({
      status: 'FAILED',
      step: 'Tune',
      resumeState: tuneInput,
      reason: `the execution timed out at Tune, outside the pipeline's own error handling; resume it with: mlops runs redrive adult ${ref.runId}`,
    });
    // The rule's retry, or a second delivery, finds it ended: nothing changes.
    expect(await endStoppedRun(registry, states, statusChange(event, 'exec-a', 'TIMED_OUT'))).toEqual({
      ignored: `run ${ref.runId} of adult already ended FAILED`,
    });
  });

  it('resumes at ETL with the upload and the run when the execution stopped before ETL began', async () => {
    const { event, ref } = await runningRun('incoming/adult/b.csv', 'exec-b', 'RegisterRun');
    await endStoppedRun(
      registry,
      history([{ name: 'RegisterRun', input: JSON.stringify(event) }]),
      statusChange(event, 'exec-b'),
    );
    expect(await registry.runs.get('adult', ref.runId)).toMatchObject({
      status: 'FAILED',
      step: 'ETL',
      resumeState: { ...event, run: ref },
    });
  });

  it('leaves alone a run whose current execution is another (a re-drive), and executions started for no run', async () => {
    const { event, ref } = await runningRun('incoming/adult/c.csv', 'exec-c', 'Validate');
    await registry.runs.update('adult', ref.runId, { status: 'FAILED' });
    await registry.runs.reopen('adult', ref.runId);
    const outcome = await endStoppedRun(registry, history([]), statusChange(event, 'exec-c'));
    expect(outcome).toEqual({ ignored: `run ${ref.runId} of adult belongs to a later execution` });
    expect((await registry.runs.get('adult', ref.runId))?.status).toBe('RUNNING');
    // The re-drive's own execution (named after the run) is the current one.
    await endStoppedRun(
      registry,
      history([{ name: 'Validate', input: JSON.stringify({ run: ref, resume: { step: 'Validate' } }) }]),
      statusChange({ run: ref, resume: { step: 'Validate' } }, `${ref.runId}-redrive-1`, 'FAILED'),
    );
    expect(await registry.runs.get('adult', ref.runId)).toMatchObject({
      status: 'FAILED',
      step: 'Validate',
      resumeState: { run: ref },
    });
    expect(await endStoppedRun(registry, history([]), statusChange({ anything: 1 }, 'exec-x'))).toEqual({
      ignored: 'the execution was not started for a run',
    });
  });
});
